"""The place hostile requests aim at: one brand with a job in each state, and the refusal check."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests import support
from tests.support import Brand, Person, refused

API = "/api/v1"
ON_POSTGRES = os.environ.get("CUNJIANG_TEST_DB", "sqlite") in ("postgres", "pgbouncer")
OTP_ADDRESS = "198.51.100.62"  # sign-in codes are limited per address: keep ours apart
CODES = {400: "invalid_request", 404: "not_found", 413: "too_large", 415: "unsupported_media_type", 422: "invalid"}
HUGE = "界" * 100_000
MiB = 2**20


@dataclass
class Place:
    """One brand with a job in each state of the loop; hostile requests aim at these."""

    brand: Brand
    a1: Person
    a2: Person
    ids: dict[str, Any] = field(default_factory=dict)
    parked: dict[str, support.Work] = field(default_factory=dict)  # one job per state, for refusals only

    def auth(self, actor: str | None) -> dict[str, str]:
        people = {"coordinator": self.brand.coordinator, "a1": self.a1, "a2": self.a2}
        return people[actor].auth if actor else {}

    async def rows(self) -> dict[str, list[dict[str, Any]]]:
        return await support.brand_rows(self.brand.id)


async def refuses(
    client: httpx.AsyncClient, place: Place, request: dict[str, Any], status: int, code: str | None = None
) -> dict[str, Any]:
    """Send one request, check the refusal and its body, and that the brand's rows did not move."""
    before = await place.rows()
    body = refused(await client.request(**request), status, code or CODES.get(status))
    assert await place.rows() == before, "a refused request changed data"
    return body
