"""A brand's crafts: admins add and rename them; orders and artisans name them by code."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from typing import Any

import msgspec
from piccolo.custom_types import Combinable

from backend.core.access import require_role
from backend.core.errors import CraftExists, Invalid, NotFound
from backend.core.i18n import DEFAULT_LOCALE, N_, available_locales, normalize_locale, translate
from backend.core.types import Principal, Role
from backend.crafts.schemas import CraftCreate, CraftRead, CraftUpdate
from backend.crafts.tables import Craft
from backend.db.session import insert_rows, write_transaction

# What a new brand starts with; its admins add their own (bamboo weaving, paper-cutting…).
DEFAULT_CRAFTS = {
    "embroidery": N_("Embroidery"),
    "batik": N_("Batik"),
    "weaving": N_("Weaving"),
    "silverwork": N_("Silverwork"),
}


def craft_read(row: dict[str, Any], locale: str) -> CraftRead:
    names: dict[str, str] = json.loads(row["names"])
    name = names.get(locale) or names.get(DEFAULT_LOCALE) or next(iter(names.values()), row["code"])
    return CraftRead(id=row["id"], code=row["code"], name=name, names=names, active=row["active"])


def _clean_names(names: dict[str, str]) -> dict[str, str]:
    cleaned: dict[str, str] = {}
    for tag, name in names.items():
        locale = normalize_locale(tag)
        if locale is None:
            raise Invalid(N_("This language is not available."), fields={"names": "unknown_locale"})
        if not name.strip():
            raise Invalid(N_("Please fill this in."), fields={"names": "blank"})
        cleaned[locale] = name.strip()
    return cleaned


async def add_default_crafts(brand_id: int) -> None:
    """Give a new brand the common crafts, named in every language we have; call in its transaction."""
    rows = [
        (
            brand_id,
            code,
            json.dumps({locale: translate(msgid, locale) for locale in available_locales()}, ensure_ascii=False),
        )
        for code, msgid in DEFAULT_CRAFTS.items()
    ]
    await insert_rows("craft", ("brand", "code", "names"), rows)


async def list_crafts(actor: Principal) -> list[CraftRead]:
    """The brand's crafts, oldest first, named in the caller's language."""
    rows = await Craft.select().where(Craft.brand == actor.brand_id).order_by(Craft.id)
    return [craft_read(row, actor.locale) for row in rows]


async def create_craft(actor: Principal, data: CraftCreate) -> CraftRead:
    require_role(actor, Role.ADMIN)
    names = _clean_names(data.names)
    async with write_transaction():
        if await Craft.exists().where((Craft.brand == actor.brand_id) & (Craft.code == data.code)):
            raise CraftExists()
        rows = await Craft.insert(
            Craft(brand=actor.brand_id, code=data.code, names=json.dumps(names, ensure_ascii=False))
        ).returning(*Craft.all_columns())
    return craft_read(rows[0], actor.locale)


async def update_craft(actor: Principal, craft_id: int, data: CraftUpdate) -> CraftRead:
    """Rename a craft in some languages (the others keep their names), or retire it."""
    require_role(actor, Role.ADMIN)
    changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
    async with write_transaction():
        row = await Craft.select().where((Craft.id == craft_id) & (Craft.brand == actor.brand_id)).first()
        if row is None:
            raise NotFound()
        values: dict[Any, Any] = {}
        if "names" in changes:
            names = json.loads(row["names"]) | _clean_names(changes["names"])
            values[Craft.names] = json.dumps(names, ensure_ascii=False)
        if "active" in changes:
            values[Craft.active] = changes["active"]
        if values:
            row = (await Craft.update(values).where(Craft.id == craft_id).returning(*Craft.all_columns()))[0]
    return craft_read(row, actor.locale)


def _usable(brand_id: int) -> Combinable:
    """The crafts new work and people may name: the brand's own, not retired."""
    return (Craft.brand == brand_id) & (Craft.active == True)  # noqa: E712


async def require_crafts(brand_id: int, codes: Iterable[str], *, field: str) -> None:
    """Refuse codes that are not active crafts of the brand."""
    wanted = set(codes)
    if not wanted:
        return
    found = await Craft.select(Craft.code).where(_usable(brand_id) & Craft.code.is_in(list(wanted)))
    if len(found) != len(wanted):
        raise Invalid(N_("This craft is not one of the brand's crafts."), fields={field: "unknown_craft"})


def craft_key(text: str) -> str:
    """How a typed craft is compared: full-width letters, case and surrounding spaces ignored."""
    return unicodedata.normalize("NFKC", text).strip().casefold()


async def craft_codes_by_name(brand_id: int) -> dict[str, str]:
    """Every way a person may write one of the brand's active crafts (its code, or its name in
    any language, compared by :func:`craft_key`) → the craft's code.

    A spreadsheet names crafts as people do (蜡染, Batik, batik); a name that two crafts share
    is left out, so it is refused as unknown rather than guessed.
    """
    rows = await Craft.select(Craft.code, Craft.names).where(_usable(brand_id)).order_by(Craft.id)
    found: dict[str, str] = {}
    shared: set[str] = set()
    for row in rows:
        for text in {row["code"], *json.loads(row["names"]).values()}:
            key = craft_key(text)
            if found.get(key, row["code"]) != row["code"]:
                shared.add(key)
            found[key] = row["code"]
    return {key: code for key, code in found.items() if key not in shared}
