"""Brands, villages and people: creation, listing, changes."""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

import msgspec

from backend.accounts import rules
from backend.accounts.queries import MEMBER_READ
from backend.accounts.schemas import (
    ArtisanUpdate,
    MemberRead,
    QuietHours,
    TakesCalls,
    VillageCreate,
    VillageRead,
)
from backend.accounts.sessions import ends_access, revoke_devices
from backend.accounts.tables import Brand, Member, Person, Village
from backend.audit.service import Event, record_events
from backend.core.access import STAFF, acting_in, require_role
from backend.core.errors import Conflict, Invalid, NotFound
from backend.core.i18n import N_
from backend.core.phones import mask_phone, normalize_phone
from backend.core.text import filled
from backend.core.types import Channel, Membership, Principal, Role
from backend.crafts import add_default_crafts, require_crafts
from backend.db.counters import AUTH_CHANGES, bump
from backend.db.session import run, write_transaction

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
PERSON_COLUMNS = frozenset({"phone", "locale", "sms_only", "takes_calls", "voice_language"})


def member_read(row: dict[str, Any]) -> MemberRead:
    return MemberRead(
        id=row["id"],
        name=row["name"],
        phone=row["phone"],
        role=Role(row["role"]),
        village_id=row["village"],
        crafts=[c for c in row["crafts"].split(",") if c],
        sms_only=row["sms_only"],
        takes_calls=row["takes_calls"],
        voice_language=row["voice_language"],
        locale=row["locale"],
        active=row["active"],
    )


def _village_read(row: dict[str, Any]) -> VillageRead:
    return VillageRead(
        id=row["id"], name=row["name"], county=row["county"], province=row["province"], active=row["active"]
    )


async def create_brand(slug: str, name: str) -> int:
    if not SLUG.match(slug):
        raise Invalid(N_("A brand slug is 2-63 lowercase letters, digits or dashes."), fields={"slug": "invalid"})
    async with write_transaction():
        if await Brand.exists().where(Brand.slug == slug):
            raise Conflict(N_("A brand with this slug already exists."))
        rows = await Brand.insert(Brand(slug=slug, name=name.strip() or slug)).returning(Brand.id)
        await add_default_crafts(rows[0]["id"])
    return int(rows[0]["id"])


async def brand_id_for_slug(slug: str) -> int:
    row = await Brand.select(Brand.id).where(Brand.slug == slug).first()
    if row is None:
        raise NotFound(N_("No brand has the slug {slug}."), slug=slug)
    return int(row["id"])


async def add_member(
    brand_id: int,
    *,
    role: Role,
    phone: str,
    name: str,
    village_id: int | None = None,
    crafts: list[str] | None = None,
    sms_only: bool = False,
    takes_calls: bool = False,
    locale: str = "zh_Hans",
    voice_language: str | None = None,
    actor: Principal | None = None,
) -> MemberRead:
    """Create a person new to Cunjiang and her membership of a brand; the phone is
    normalised to E.164 and must be nobody's yet. The audit trail says who added her
    (``actor``; none: the system, the command line)."""
    e164 = normalize_phone(phone)
    locale = rules.clean_locale(locale)
    rules.require_village(role, village_id)
    async with write_transaction():
        spoken = rules.clean_voice_language(voice_language, await rules.recorded_languages(brand_id))
        await rules.check_village(brand_id, village_id)
        await require_crafts(brand_id, crafts or [], field="crafts")
        await rules.check_phone_free(e164)
        people = await Person.insert(
            Person(phone=e164, sms_only=sms_only, takes_calls=takes_calls, locale=locale, voice_language=spoken)
        ).returning(Person.id)
        return await add_membership(
            brand_id, people[0]["id"], role=role, name=name, village_id=village_id, crafts=crafts, actor=actor
        )


async def add_membership(
    brand_id: int,
    person_id: int,
    *,
    role: Role,
    name: str,
    village_id: int | None = None,
    crafts: list[str] | None = None,
    actor: Principal | None = None,
) -> MemberRead:
    """A person's membership of a brand, as the brand's staff gave it (the caller has checked
    the village and crafts); audited. Inside a write transaction."""
    rows = await Member.insert(
        Member(
            brand=brand_id,
            person=person_id,
            role=role.value,
            name=filled(name, "name"),
            village=village_id,
            crafts=",".join(crafts or []),
        )
    ).returning(Member.id)
    created = await read_member(rows[0]["id"])
    event = created_event(created.id, created.role, created.phone, created.village_id, created.crafts)
    await record_events(actor, brand_id, [event])
    return created


async def read_member(member_id: int) -> MemberRead:
    rows = await Member.select(*MEMBER_READ).where(Member.id == member_id)
    if not rows:
        raise NotFound()
    return member_read(rows[0])


def created_event(member_id: int, role: Role, phone: str, village_id: int | None, crafts: list[str]) -> Event:
    """A person added, as the audit trail keeps it (her phone masked, as in every log)."""
    detail = {"role": role.value, "phone": mask_phone(phone), "village": village_id, "crafts": crafts}
    return Event(entity="member", entity_id=member_id, action="create", detail=detail)


async def create_village(actor: Principal, data: VillageCreate) -> VillageRead:
    require_role(actor, *STAFF)
    async with write_transaction():
        row = Village(
            brand=actor.brand_id,
            name=filled(data.name, "name"),
            county=data.county.strip(),
            province=data.province.strip(),
        )
        await row.save()
    return _village_read(row.to_dict())


async def list_villages(actor: Principal) -> list[VillageRead]:
    require_role(actor, *STAFF)
    rows = await Village.select().where(Village.brand == actor.brand_id).order_by(Village.id)
    return [_village_read(row) for row in rows]


async def list_artisans(actor: Principal, village_id: int | None = None, craft: str | None = None) -> list[MemberRead]:
    require_role(actor, *STAFF)
    where = (Member.brand == actor.brand_id) & (Member.role == Role.ARTISAN.value) & Member.left_at.is_null()
    if village_id is not None:
        where &= Member.village == village_id
    rows = await Member.select(*MEMBER_READ).where(where).order_by(Member.id)
    members = [member_read(row) for row in rows]
    return [m for m in members if craft in m.crafts] if craft else members


async def member_values(actor: Principal, member_id: int, changes: dict[str, Any]) -> dict[Any, Any]:
    """The columns a PATCH of a person changes, checked and in their stored form."""
    values: dict[Any, Any] = {}
    if "phone" in changes:
        values[Person.phone] = normalize_phone(changes["phone"])
        await rules.check_phone_free(values[Person.phone], except_member=member_id)
    if "village_id" in changes:
        await rules.check_village(actor.brand_id, changes["village_id"])
        values[Member.village] = changes["village_id"]
    if "crafts" in changes:
        await require_crafts(actor.brand_id, changes["crafts"], field="crafts")
        values[Member.crafts] = ",".join(changes["crafts"])
    if "locale" in changes:
        values[Person.locale] = rules.clean_locale(changes["locale"])
    if "name" in changes:
        values[Member.name] = filled(changes["name"], "name")
    if "sms_only" in changes:
        values[Person.sms_only] = changes["sms_only"]
    if "takes_calls" in changes:
        values[Person.takes_calls] = changes["takes_calls"]
    if "voice_language" in changes:
        recorded = await rules.recorded_languages(actor.brand_id)
        values[Person.voice_language] = rules.clean_voice_language(changes["voice_language"], recorded)
    if "active" in changes:
        values[Member.active] = changes["active"]
    return values


async def update_artisan(actor: Principal, artisan_id: int, data: ArtisanUpdate) -> MemberRead:
    """Change what the PATCH names of one of the brand's artisans (see :func:`apply_change`)."""
    require_role(actor, *STAFF)
    changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
    mine = (Member.id == artisan_id) & (Member.brand == actor.brand_id) & (Member.role == Role.ARTISAN.value)
    mine &= Member.left_at.is_null()  # she left: no longer theirs to see or change
    async with write_transaction():
        before = await Member.select(*MEMBER_READ).where(mine).first()
        if before is None:
            raise NotFound()
        return await apply_change(actor, before, await member_values(actor, artisan_id, changes))


async def apply_change(actor: Principal, before: dict[str, Any], values: dict[Any, Any]) -> MemberRead:
    """Write what really changes of a membership (``before``, a ``MEMBER_READ`` row) and of
    her person, and only that (a concurrent dispatch's ``job_seq`` or deactivation is never
    written back with an old value); audit it with who did it; and sign her out of every
    device when her access changed (deactivated, another phone, another role). Inside the
    change's transaction."""
    changed = {column._meta.name: value for column, value in values.items() if before[column._meta.name] != value}
    if changed:
        own = {getattr(Member, name): value for name, value in changed.items() if name not in PERSON_COLUMNS}
        hers = {getattr(Person, name): value for name, value in changed.items() if name in PERSON_COLUMNS}
        if own:
            await Member.update(own).where(Member.id == before["id"])
        if hers:
            await Person.update(hers).where(Person.id == before["person"])
        await bump(AUTH_CHANGES)  # signed-in sessions pick up the change at once
        if ends_access(before, changed):
            await revoke_devices(before["person"])
        shown = {name: [_shown(name, before[name]), _shown(name, value)] for name, value in changed.items()}
        event = Event(entity="member", entity_id=before["id"], action="change", detail=shown)
        await record_events(actor, before["brand"], [event])
    return await read_member(before["id"])


def _shown(column: str, value: Any) -> Any:
    """A value as the audit trail keeps it: phones masked, as in every log."""
    return mask_phone(value) if column == "phone" and isinstance(value, str) else value


async def get_member(member_id: int) -> dict[str, Any]:
    row = await Member.select(*MEMBER_READ, Member.brand.slug, Member.brand.name).where(Member.id == member_id).first()
    if row is None:
        raise NotFound()
    return row


async def brands_of_person(actor: Principal) -> list[dict[str, Any]]:
    """Her active memberships with their brands' names, in the order she acts in them."""
    rows = await Member.select(
        Member.id,
        Member.role,
        Member.village,
        Member.brand.as_alias("brand_id"),
        Member.brand.slug.as_alias("brand_slug"),
        Member.brand.name.as_alias("brand_name"),
    ).where(Member.id.is_in(list(actor.member_ids())))
    by_id = {row["id"]: row for row in rows}
    return [by_id[member_id] for member_id in actor.member_ids() if member_id in by_id]


PERSON_AND_MEMBERSHIPS = """
SELECT p.id AS person, p.locale, m.id, m.brand, m.role, m.village, m.active
FROM person p JOIN member m ON m.person = p.id WHERE {where} ORDER BY m.id
"""


async def principal_for(member_id: int, channel: Channel = Channel.APP) -> Principal:
    """Act as the person of a membership, as that membership (active or not), through a
    channel other than a bearer token (SMS, console, seeding)."""
    found = await _principal("p.id = (SELECT person FROM member WHERE id = {})", member_id, channel, also=member_id)
    if found is None:
        raise NotFound()
    return acting_in(found, next(m.brand_id for m in found.memberships if m.member_id == member_id))


async def principal_of_person(person_id: int, channel: Channel = Channel.APP) -> Principal | None:
    """The person with her active memberships, if she has any."""
    return await _principal("p.id = {}", person_id, channel)


async def _principal(where: str, value: object, channel: Channel, *, also: int | None = None) -> Principal | None:
    """The person the condition finds, with her active memberships (and membership ``also``)."""
    rows = await run(PERSON_AND_MEMBERSHIPS.replace("{where}", where), value)
    memberships = [Membership.of_row(row) for row in rows if row["active"] or row["id"] == also]
    if not memberships:
        return None
    return Principal.of_person(rows[0]["person"], rows[0]["locale"], memberships, channel)


async def set_own_locale(actor: Principal, locale: str) -> str:
    """A person chooses their language (in the app, or by SMS: 中文, EN); returns it."""
    chosen = rules.clean_locale(locale)
    async with write_transaction():
        await Person.update({Person.locale: chosen}).where(Person.id == actor.person_id)
        await bump(AUTH_CHANGES)  # signed-in sessions speak it from their next request
    return chosen


async def principal_by_phone(phone: str, channel: Channel) -> Principal | None:
    """The person with this number (E.164) acting through ``channel``, if she works with a brand."""
    return await _principal("p.phone = {}", phone, channel)


async def brands_of(phones: Collection[str]) -> dict[str, int]:
    """A brand of each of these numbers (E.164) that is someone's: her first membership's."""
    if not phones:
        return {}
    rows = (
        await Member.select(Member.person.phone.as_alias("phone"), Member.brand)
        .where(Member.person.phone.is_in(list(phones)))
        .order_by(Member.id, ascending=False)
    )
    return {row["phone"]: row["brand"] for row in rows}


async def takes_calls_of(actor: Principal) -> TakesCalls:
    rows = await Person.select(Person.takes_calls).where(Person.id == actor.person_id)
    return TakesCalls(takes_calls=bool(rows and rows[0]["takes_calls"]))


async def set_takes_calls(actor: Principal, wanted: TakesCalls) -> TakesCalls:
    """She asks for calls, or no more (in the app, or by SMS: 电话 / 不要电话), across every
    brand she works with; a change is audited in each."""
    async with write_transaction():
        before = await takes_calls_of(actor)
        await Person.update({Person.takes_calls: wanted.takes_calls}).where(Person.id == actor.person_id)
        if before.takes_calls != wanted.takes_calls:
            detail = {"takes_calls": [before.takes_calls, wanted.takes_calls]}
            event = Event(entity="person", entity_id=actor.person_id, action="change", detail=detail)
            for brand_id in dict.fromkeys(m.brand_id for m in actor.memberships or ()):
                await record_events(actor, brand_id, [event])
    return wanted


async def quiet_hours_of(actor: Principal) -> QuietHours:
    rows = await Person.select(Person.quiet_hours).where(Person.id == actor.person_id)
    return QuietHours(quiet_hours=(rows[0]["quiet_hours"] or None) if rows else None)


async def set_quiet_hours(actor: Principal, wanted: QuietHours) -> QuietHours:
    """Her own quiet hours, across every brand she works with (the message budget is hers)."""
    async with write_transaction():
        await Person.update({Person.quiet_hours: wanted.quiet_hours or ""}).where(Person.id == actor.person_id)
    return wanted
