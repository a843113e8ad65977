"""The rules a new or changed person must meet, stated once.

The API and the command line check one person at a time; an import checks a whole file,
so each rule that needs the database also has a form that answers for many values in a
few queries. Both forms share the query that states the rule.
"""

from __future__ import annotations

from collections.abc import Collection

from piccolo.custom_types import Combinable

from backend.accounts.tables import Member, Person, Village
from backend.core.errors import Invalid, PhoneTaken
from backend.core.i18n import N_, available_locales, normalize_locale, voice_tag
from backend.core.types import Role
from backend.db.session import run

IN_BATCH = 1000  # values per IN (…) list: PostgreSQL caps the parameters of a statement
VILLAGE_ROLES = (Role.ARTISAN, Role.LEADER)


def clean_locale(value: str) -> str:
    """A language we have a catalog for (``zh-CN`` → ``zh_Hans``); refused otherwise."""
    locale = normalize_locale(value)
    if locale is None:
        raise Invalid(N_("This language is not available."), fields={"locale": "unknown_locale"})
    return locale


# The languages a brand recorded prompts in (``backend.voice.recordings`` owns the table; the
# rule that a person's spoken language is one of them is stated here, with her other rules).
RECORDED_LANGUAGES = "SELECT DISTINCT language FROM voice_recording WHERE brand = {}"


async def recorded_languages(brand_id: int) -> frozenset[str]:
    return frozenset(row["language"] for row in await run(RECORDED_LANGUAGES, brand_id))


def clean_voice_language(value: str | None, recorded: Collection[str]) -> str | None:
    """The language calls speak to her: none (her text language, by text-to-speech), one that
    text-to-speech speaks (``zh_Hans``, ``en``), or one the brand recorded its prompts in."""
    if value is None or not value.strip():
        return None
    tag = voice_tag(value)
    if tag is None or (tag not in available_locales() and tag not in recorded):
        raise Invalid(
            N_("Calls cannot speak this language: record the prompts in it first."),
            fields={"voice_language": "unknown_voice_language"},
        )
    return tag


def require_village(role: Role, village_id: int | None) -> None:
    if role in VILLAGE_ROLES and village_id is None:
        raise Invalid(N_("Artisans and village leaders belong to a village."), fields={"village_id": "required"})


def _villages_of(brand_id: int) -> Combinable:
    """A person's village is one of their brand's: another brand's villages do not exist for them."""
    return Village.brand == brand_id


async def check_village(brand_id: int, village_id: int | None) -> None:
    if village_id is not None and not await Village.exists().where(_villages_of(brand_id) & (Village.id == village_id)):
        raise Invalid(N_("This village does not exist."), fields={"village_id": "unknown_village"})


async def brand_villages(brand_id: int) -> dict[int, str]:
    """Every village a person of the brand may belong to: id → name."""
    rows = await Village.select(Village.id, Village.name).where(_villages_of(brand_id)).order_by(Village.id)
    return {row["id"]: row["name"] for row in rows}


async def taken_phones(phones: Collection[str], *, except_member: int | None = None) -> set[str]:
    """Which of these E.164 numbers are someone's already (a phone signs in one person,
    whichever brands she works with), leaving out the person of membership ``except_member``
    (the one being changed)."""
    wanted = sorted(set(phones))
    taken: set[str] = set()
    for start in range(0, len(wanted), IN_BATCH):
        where: Combinable = Person.phone.is_in(wanted[start : start + IN_BATCH])
        if except_member is not None:
            where &= Person.id.not_in(Member.select(Member.person).where(Member.id == except_member))
        taken |= {row["phone"] for row in await Person.select(Person.phone).where(where)}
    return taken


async def check_phone_free(phone: str, *, except_member: int | None = None) -> None:
    if await taken_phones([phone], except_member=except_member):
        raise PhoneTaken()


async def people_by_phone(phones: Collection[str]) -> dict[str, int]:
    """The people these E.164 numbers are, by number (those Cunjiang knows)."""
    wanted = sorted(set(phones))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), IN_BATCH):
        rows = await Person.select(Person.id, Person.phone).where(Person.phone.is_in(wanted[start : start + IN_BATCH]))
        found |= {row["phone"]: row["id"] for row in rows}
    return found


async def brand_phones(brand_id: int, phones: Collection[str]) -> set[str]:
    """Which of these E.164 numbers are people of the brand already (active or not)."""
    wanted = sorted(set(phones))
    ours: set[str] = set()
    for start in range(0, len(wanted), IN_BATCH):
        rows = await Member.select(Member.person.phone.as_alias("phone")).where(
            (Member.brand == brand_id) & Member.person.phone.is_in(wanted[start : start + IN_BATCH])
        )
        ours |= {row["phone"] for row in rows}
    return ours
