"""Role and tenant checks shared by every service."""

from __future__ import annotations

import msgspec

from backend.core.errors import Forbidden, NotFound
from backend.core.types import Principal, Role

STAFF = (Role.ADMIN, Role.COORDINATOR)


def require_role(principal: Principal, *roles: Role) -> None:
    if principal.role not in roles:
        raise Forbidden()


def require_brand(principal: Principal, brand_id: int) -> None:
    """Another brand's data does not exist for this caller (404, never 403: no probing)."""
    if principal.brand_id != brand_id:
        raise NotFound()


def require_membership(principal: Principal, *roles: Role) -> None:
    """She works in one of these roles for at least one of her brands."""
    if not principal.member_ids(*roles):
        raise Forbidden()


def acting_in(principal: Principal, brand_id: int) -> Principal:
    """The person acting as her membership of ``brand_id``; work of a brand she is not an
    active member of does not exist for her."""
    if principal.brand_id == brand_id:
        return principal
    for membership in principal.known:
        if membership.brand_id == brand_id:
            return msgspec.structs.replace(
                principal,
                member_id=membership.member_id,
                brand_id=membership.brand_id,
                role=membership.role,
                village_id=membership.village_id,
            )
    raise NotFound()


def within(principal: Principal, brand_id: int) -> Principal | None:
    """The person with only her membership of ``brand_id`` (None: she has none there): what a
    brand's staff may do in her name (the SMS simulator) touches no other brand's work."""
    mine = tuple(m for m in principal.known if m.brand_id == brand_id)
    return msgspec.structs.replace(acting_in(principal, brand_id), memberships=mine) if mine else None
