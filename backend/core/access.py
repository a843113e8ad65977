"""Role and tenant checks shared by every service."""

from __future__ import annotations

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
