"""The devices a person is signed in on: they live only as long as the access they stand for.

Deactivating a person, changing her phone or her role signs her out of every device in the
same transaction as the change (``backend.accounts.service``); staff may do it at any time
(a lost phone, a shared one). Tokens also die after ``CUNJIANG_TOKEN_IDLE_DAYS`` without use
(``backend.auth.service``). Every process drops its cached sessions at once: the
``auth_changes`` counter moves with each revocation.
"""

from __future__ import annotations

from typing import Any

from backend.accounts.tables import Member
from backend.audit.service import record_event
from backend.core.access import STAFF, require_role
from backend.core.errors import NotFound
from backend.core.types import Principal, Role, utcnow
from backend.db.counters import AUTH_CHANGES, bump
from backend.db.session import run, write_transaction

REVOKE = "UPDATE device_token SET revoked_at = {} WHERE person = {} AND revoked_at IS NULL RETURNING id"


def ends_access(before: dict[str, Any], changed: dict[str, Any]) -> bool:
    """Whether a change (column name → new value) ends what her devices were signed in as."""
    return "phone" in changed or "role" in changed or changed.get("active", before["active"]) is False


async def revoke_devices(person_id: int) -> int:
    """Sign a person out of every device; how many were signed in. Inside the change's transaction."""
    rows = await run(REVOKE, utcnow(), person_id)
    await bump(AUTH_CHANGES)
    return len(rows)


async def sign_out_artisan(actor: Principal, artisan_id: int) -> None:
    """A coordinator (or admin) signs one of the brand's artisans out of every device."""
    require_role(actor, *STAFF)
    await _sign_out(actor, artisan_id, [Role.ARTISAN])


async def sign_out_member(actor: Principal, member_id: int) -> None:
    """An admin signs anyone of the brand out of every device (themselves included)."""
    require_role(actor, Role.ADMIN)
    await _sign_out(actor, member_id, list(Role))


async def _sign_out(actor: Principal, member_id: int, roles: list[Role]) -> None:
    mine = (Member.id == member_id) & (Member.brand == actor.brand_id) & Member.role.is_in([r.value for r in roles])
    mine &= Member.left_at.is_null()
    async with write_transaction():
        found = await Member.select(Member.person).where(mine).first()
        if found is None:
            raise NotFound()
        devices = await revoke_devices(found["person"])
        await record_event(
            actor, brand_id=actor.brand_id, entity="member", entity_id=member_id, action="sign_out", devices=devices
        )
