"""Passports brought about through the API, as a brand would: an order, a job, an approval."""

from __future__ import annotations

from typing import Any

import httpx

from backend.passports.tables import Passport
from tests import support
from tests.support import Brand, Person, Work, ok

API = "/api/v1"


async def passport_of(submission_id: int | None) -> str:
    [row] = await Passport.select(Passport.id).where(Passport.submission == submission_id)
    return str(row["id"])


async def approved(
    client: httpx.AsyncClient, b: Brand, who: Person, state: str = "approved", **order: Any
) -> tuple[Work, str]:
    """A job of ``who`` brought to ``state`` (at least approved) on an order of its own; its passport."""
    order_id = (await support.open_order(client, b, **order))["id"] if order else None
    work = await support.job_in_state(client, b, who, state, order_id=order_id, quantity=3)
    return work, await passport_of(work.submission_id)


async def consent(client: httpx.AsyncClient, who: Person, **items: Any) -> None:
    body = {"name": False, "display_name": None, "photo": False, "village": False, "story": False} | items
    await ok(await client.put(f"{API}/me/consent", json=body, headers=who.auth))


async def listed(client: httpx.AsyncClient, b: Brand, order_id: int) -> dict[str, Any]:
    answer = await client.get(f"{API}/passports?order_id={order_id}", headers=b.coordinator.auth)
    found: dict[str, Any] = await ok(answer)
    return found
