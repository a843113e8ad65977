"""Alliances of brands: formed when an admin of each brand agrees; a shared registry of
villages and crafts; figures by county, only in aggregate; a public page of the region's
makers who agreed to be named. Each read across brands is audited."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import msgspec

from backend.accounts.service import brand_id_for_slug
from backend.accounts.shown import shown_name, shown_village
from backend.alliance.schemas import (
    AllianceBrandRead,
    AllianceCreate,
    AllianceFigures,
    AllianceRead,
    CountyFigures,
    MemberStatus,
    Registry,
    RegistryCraft,
    RegistryVillage,
)
from backend.alliance.tables import Alliance, AllianceBrand
from backend.audit.service import Event, record_events
from backend.core.access import STAFF, require_role
from backend.core.errors import Conflict, InAlliance, NotFound
from backend.core.text import filled
from backend.core.types import Principal, Role, utcnow
from backend.db.session import run, write_transaction

MIN_PEOPLE = 3  # below this many people, a sum is their pay: left out


async def _membership(brand_id: int) -> dict[str, Any] | None:
    return await AllianceBrand.select().where(AllianceBrand.brand == brand_id).first()


async def create(actor: Principal, data: AllianceCreate) -> AllianceRead:
    """An admin founds an alliance with her brand in it."""
    require_role(actor, Role.ADMIN)
    async with write_transaction():
        if await _membership(actor.brand_id) is not None:
            raise InAlliance()
        if await Alliance.exists().where(Alliance.slug == data.slug):
            raise Conflict()
        rows = await Alliance.insert(
            Alliance(slug=data.slug, name=filled(data.name, "name"), region=data.region.strip())
        ).returning(Alliance.id)
        alliance_id = int(rows[0]["id"])
        now = utcnow()
        await AllianceBrand.insert(
            AllianceBrand(
                alliance=alliance_id,
                brand=actor.brand_id,
                status=MemberStatus.JOINED.value,
                invited_by=actor.member_id,
                joined_by=actor.member_id,
                joined_at=now,
            )
        )
        await record_events(actor, actor.brand_id, [Event(entity="alliance", entity_id=alliance_id, action="create")])
    return await mine(actor)


async def _joined(actor: Principal) -> dict[str, Any]:
    """The caller's brand's place in its alliance, which it has joined (404 otherwise)."""
    found = await _membership(actor.brand_id)
    if found is None or found["status"] != MemberStatus.JOINED:
        raise NotFound()
    return found


async def invite(actor: Principal, brand_slug: str) -> AllianceRead:
    """An admin of a brand in the alliance asks another brand to join it."""
    require_role(actor, Role.ADMIN)
    async with write_transaction():
        ours = await _joined(actor)
        brand_id = await brand_id_for_slug(brand_slug)
        if await _membership(brand_id) is not None:
            raise InAlliance()
        await AllianceBrand.insert(AllianceBrand(alliance=ours["alliance"], brand=brand_id, invited_by=actor.member_id))
        event = Event(entity="alliance", entity_id=ours["alliance"], action="invite", detail={"brand": brand_slug})
        await record_events(actor, actor.brand_id, [event])
    return await mine(actor)


async def join(actor: Principal) -> AllianceRead:
    """An admin of an invited brand agrees: the brand is in."""
    require_role(actor, Role.ADMIN)
    async with write_transaction():
        found = await _membership(actor.brand_id)
        if found is None:
            raise NotFound()
        if found["status"] == MemberStatus.INVITED:
            await AllianceBrand.update(
                {AllianceBrand.status: MemberStatus.JOINED.value, AllianceBrand.joined_by: actor.member_id,
                 AllianceBrand.joined_at: utcnow()}
            ).where(AllianceBrand.id == found["id"])  # fmt: skip
            event = Event(entity="alliance", entity_id=found["alliance"], action="join")
            await record_events(actor, actor.brand_id, [event])
    return await mine(actor)


async def mine(actor: Principal) -> AllianceRead:
    """The alliance of the caller's brand (invited or joined), with its brands."""
    require_role(actor, *STAFF)
    found = await _membership(actor.brand_id)
    if found is None:
        raise NotFound()
    alliance = (await Alliance.select().where(Alliance.id == found["alliance"]))[0]
    rows = (
        await AllianceBrand.select(
            AllianceBrand.status, AllianceBrand.brand.name.as_alias("name"), AllianceBrand.brand.slug.as_alias("slug")
        )
        .where(AllianceBrand.alliance == alliance["id"])
        .order_by(AllianceBrand.id)
    )
    return AllianceRead(
        id=alliance["id"],
        slug=alliance["slug"],
        name=alliance["name"],
        region=alliance["region"],
        status=MemberStatus(found["status"]),
        brands=[AllianceBrandRead(name=r["name"], slug=r["slug"], status=MemberStatus(r["status"])) for r in rows],
    )


async def joined_brands(alliance_id: int) -> list[int]:
    rows = await AllianceBrand.select(AllianceBrand.brand).where(
        (AllianceBrand.alliance == alliance_id) & (AllianceBrand.status == MemberStatus.JOINED.value)
    )
    return sorted(row["brand"] for row in rows)


def _marks(values: Sequence[object]) -> str:
    return ", ".join("{}" for _ in values)


PEOPLE = """
SELECT v.province, v.county, COUNT(DISTINCT m.person) AS artisans, COUNT(DISTINCT v.name) AS villages
FROM member m JOIN village v ON v.id = m.village
WHERE m.brand IN ({brands}) AND m.role = 'artisan' AND m.active = {}
GROUP BY v.province, v.county
"""
PIECES = """
SELECT v.province, v.county, COUNT(DISTINCT m.person) AS people, SUM(j.quantity_approved) AS total
FROM job j JOIN member m ON m.id = j.artisan JOIN village v ON v.id = m.village
WHERE j.brand IN ({brands}) AND j.quantity_approved > 0
GROUP BY v.province, v.county
"""
INCOME = """
SELECT v.province, v.county, COUNT(DISTINCT m.person) AS people, SUM(p.amount_fen) AS total
FROM payout p JOIN member m ON m.id = p.artisan JOIN village v ON v.id = m.village
WHERE p.brand IN ({brands})
GROUP BY v.province, v.county
"""


async def _by_county(sql: str, brands: list[int], *values: object) -> dict[tuple[str, str], dict[str, Any]]:
    rows = await run(sql.replace("{brands}", _marks(brands)), *brands, *values)
    return {(row["province"], row["county"]): row for row in rows}


def _shown(row: dict[str, Any] | None) -> int | None:
    """A sum over at least ``MIN_PEOPLE`` people; none over fewer (it would be their pay)."""
    if row is None:
        return 0
    return int(row["total"]) if int(row["people"]) >= MIN_PEOPLE else None


async def figures(actor: Principal) -> AllianceFigures:
    """Artisans, villages, pieces and income by county over the alliance's brands: aggregates
    only, never an order or a person's pay (sums over too few people are left out). Audited."""
    require_role(actor, Role.ADMIN)
    ours = await _joined(actor)
    brands = await joined_brands(ours["alliance"])
    people = await _by_county(PEOPLE, brands, True)
    pieces, income = await _by_county(PIECES, brands), await _by_county(INCOME, brands)
    counties = [
        CountyFigures(
            province=province,
            county=county,
            artisans=int(row["artisans"]),
            villages=int(row["villages"]),
            pieces=_shown(pieces.get((province, county))),
            income_fen=_shown(income.get((province, county))),
        )
        for (province, county), row in sorted(people.items())
    ]
    await _audit_read(actor, ours["alliance"], "figures")
    return AllianceFigures(counties=counties, min_people=MIN_PEOPLE)


async def _audit_read(actor: Principal, alliance_id: int, what: str) -> None:
    event = Event(entity="alliance", entity_id=alliance_id, action="read_shared", detail={"what": what})
    async with write_transaction():
        await record_events(actor, actor.brand_id, [event])


VILLAGES = "SELECT DISTINCT name, county, province FROM village WHERE brand IN ({brands}) AND active = {}"
CRAFTS = "SELECT code, names FROM craft WHERE brand IN ({brands}) AND active = {} ORDER BY brand, id"


async def registry(actor: Principal) -> Registry:
    """The villages and crafts the alliance's brands know, without saying whose: a brand adds
    a village or a craft by the names the others use. Audited."""
    require_role(actor, *STAFF)
    ours = await _joined(actor)
    brands = await joined_brands(ours["alliance"])
    villages = await run(VILLAGES.replace("{brands}", _marks(brands)), *brands, True)
    crafts = await _craft_names(brands, actor.locale)
    await _audit_read(actor, ours["alliance"], "registry")
    return Registry(
        villages=sorted(
            (RegistryVillage(name=v["name"], county=v["county"], province=v["province"]) for v in villages),
            key=lambda v: (v.province, v.county, v.name),
        ),
        crafts=[RegistryCraft(code=code, name=name) for code, name in sorted(crafts.items())],
    )


class Maker(msgspec.Struct, frozen=True):
    """A maker as she agreed to be shown on the region's page."""

    name: str
    crafts: list[str]
    county: str
    province: str
    village: str | None  # only if she agreed


MAKERS = """
SELECT m.person, c.display_name, c.village AS show_village, m.name, m.crafts, v.name AS village, v.county, v.province
FROM consent c JOIN member m ON m.person = c.person JOIN village v ON v.id = m.village
WHERE c.name = {} AND m.brand IN ({brands}) AND m.role = 'artisan' AND m.active = {}
ORDER BY v.province, v.county, m.person, m.id
"""


async def region_page(slug: str, locale: str) -> tuple[dict[str, Any], list[Maker]]:
    """The alliance (public facts) and the makers of its brands who agreed to be named."""
    alliance = await Alliance.select().where(Alliance.slug == slug).first()
    if alliance is None:
        raise NotFound()
    brands = await joined_brands(alliance["id"])
    rows = await run(MAKERS.replace("{brands}", _marks(brands)), True, *brands, True) if brands else []
    craft_names = await _craft_names(brands, locale)
    makers: dict[int, Maker] = {}
    for row in rows:
        found = makers.get(row["person"])
        crafts = [craft_names.get(code, code) for code in row["crafts"].split(",") if code]
        if found is None:
            makers[row["person"]] = Maker(
                name=shown_name(True, row["display_name"], row["name"]) or "",  # named: the query's condition
                crafts=crafts,
                county=row["county"],
                province=row["province"],
                village=shown_village(row["show_village"], row["village"]),
            )
        else:  # her crafts in every brand of the alliance, once each
            makers[row["person"]] = msgspec.structs.replace(found, crafts=list(dict.fromkeys(found.crafts + crafts)))
    return alliance, list(makers.values())


async def _craft_names(brands: list[int], locale: str) -> dict[str, str]:
    """Each craft code's name in ``locale`` (else Chinese), as the first brand that has it says."""
    if not brands:
        return {}
    names: dict[str, str] = {}
    for row in await run(CRAFTS.replace("{brands}", _marks(brands)), *brands, True):
        known = json.loads(row["names"] or "{}")
        names.setdefault(row["code"], known.get(locale) or known.get("zh_Hans") or row["code"])
    return names
