"""What admins manage: coordinators, admins and village leaders, and the brand's settings;
and the villages, which coordinators keep up to date. Artisans are in ``service``."""

from __future__ import annotations

from typing import Any

import msgspec

from backend.accounts.queries import MEMBER_READ
from backend.accounts.schemas import (
    BrandSettings,
    BrandUpdate,
    MemberCreate,
    MemberRead,
    StaffRole,
    StaffUpdate,
    VillageRead,
    VillageUpdate,
)
from backend.accounts.service import _village_read, add_member, apply_change, member_read, member_values
from backend.accounts.tables import Brand, Member, Village
from backend.core.access import STAFF, require_role
from backend.core.errors import Invalid, NotFound
from backend.core.i18n import N_
from backend.core.text import filled, name_key
from backend.core.types import Principal, Role
from backend.db.session import write_transaction

MANAGED = [role.value for role in StaffRole]


def _changes(data: msgspec.Struct) -> dict[str, Any]:
    return {name: value for name, value in msgspec.structs.asdict(data).items() if value is not msgspec.UNSET}


async def list_members(actor: Principal, role: StaffRole | None) -> list[MemberRead]:
    """The brand's admins, coordinators and leaders (or those of one role)."""
    require_role(actor, Role.ADMIN)
    roles = [role.value] if role else MANAGED
    mine = (Member.brand == actor.brand_id) & Member.role.is_in(roles)
    rows = await Member.select(*MEMBER_READ).where(mine).order_by(Member.id)
    return [member_read(row) for row in rows]


async def add_staff(actor: Principal, data: MemberCreate) -> MemberRead:
    """A new coordinator, admin or village leader of the admin's brand."""
    require_role(actor, Role.ADMIN)
    village_id = data.village_id if data.role == StaffRole.LEADER else None
    return await add_member(
        actor.brand_id,
        role=Role(data.role.value),
        phone=data.phone,
        name=data.name,
        village_id=village_id,
        locale=data.locale,
        actor=actor,
    )


async def _member_values(actor: Principal, before: dict[str, Any], changes: dict[str, Any]) -> dict[Any, Any]:
    member_id = before["id"]
    if member_id == actor.member_id and changes.get("active") is False:
        raise Invalid(N_("You cannot deactivate yourself."), fields={"active": "self"})
    role = changes.pop("role", None)
    if role is None or role.value == before["role"]:
        return await member_values(actor, member_id, changes)
    if member_id == actor.member_id:
        raise Invalid(N_("You cannot change your own role."), fields={"role": "self"})
    # A leader belongs to a village; coordinators and admins to the whole brand.
    if role == StaffRole.LEADER:
        changes["village_id"] = changes.get("village_id", before["village"])
        if changes["village_id"] is None:
            raise Invalid(N_("A village leader needs a village."), fields={"village_id": "required"})
    else:
        changes.pop("village_id", None)
    values = await member_values(actor, member_id, changes)
    values[Member.role] = role.value
    if role != StaffRole.LEADER:
        values[Member.village] = None
    return values


async def update_member(actor: Principal, member_id: int, data: StaffUpdate) -> MemberRead:
    """Change what the PATCH names of an admin, coordinator or leader, their role included;
    deactivating them, or changing their phone or role, signs them out everywhere at once."""
    require_role(actor, Role.ADMIN)
    mine = (Member.id == member_id) & (Member.brand == actor.brand_id) & Member.role.is_in(MANAGED)
    async with write_transaction():
        before = await Member.select(*MEMBER_READ).where(mine).first()
        if before is None:
            raise NotFound()
        return await apply_change(actor, before, await _member_values(actor, before, _changes(data)))


def _settings(row: dict[str, Any]) -> BrandSettings:
    return BrandSettings(
        id=row["id"],
        slug=row["slug"],
        name=row["name"],
        short_name=row["short_name"],
        offer_window_hours=row["offer_window_hours"],
        advance_percent=row["advance_percent"],
    )


async def brand_settings(actor: Principal) -> BrandSettings:
    require_role(actor, *STAFF)
    rows = await Brand.select().where(Brand.id == actor.brand_id)
    return _settings(rows[0])


async def update_brand(actor: Principal, data: BrandUpdate) -> BrandSettings:
    """The brand's name, its short name for SMS, its offer window (new offers only: those
    out keep their expiry) and its advance share (new requests only)."""
    require_role(actor, Role.ADMIN)
    changes = _changes(data)
    values: dict[Any, Any] = {}
    if "name" in changes:
        values[Brand.name] = filled(changes["name"], "name")
    if "short_name" in changes:
        values[Brand.short_name] = _short_name(changes["short_name"])
    if "offer_window_hours" in changes:
        values[Brand.offer_window_hours] = changes["offer_window_hours"]
    if "advance_percent" in changes:  # requests made before keep their amounts
        values[Brand.advance_percent] = changes["advance_percent"]
    async with write_transaction():
        if values:
            await Brand.update(values).where(Brand.id == actor.brand_id)
        rows = await Brand.select().where(Brand.id == actor.brand_id)
    return _settings(rows[0])


def _short_name(value: str) -> str:
    """Empty (SMS use the name), or a name villagers can type: a letter or a digit at least."""
    short = value.strip()
    if short and not name_key(short):
        raise Invalid(N_("A short name needs a letter or a digit."), fields={"short_name": "no_letters"})
    return short


async def update_village(actor: Principal, village_id: int, data: VillageUpdate) -> VillageRead:
    """Rename a village, or deactivate it (no new work goes there; its history stays)."""
    require_role(actor, *STAFF)
    mine = (Village.id == village_id) & (Village.brand == actor.brand_id)
    changes = _changes(data)
    values: dict[Any, Any] = {getattr(Village, name): value for name, value in changes.items() if name != "name"}
    if "name" in changes:
        values[Village.name] = filled(changes["name"], "name")
    async with write_transaction():
        if not await Village.exists().where(mine):
            raise NotFound()
        if values:
            await Village.update(values).where(mine)
        rows = await Village.select().where(Village.id == village_id)
    return _village_read(rows[0])
