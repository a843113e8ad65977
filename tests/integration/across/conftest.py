"""Fixtures of the suites across the domains: one brand's world for the hostile requests, and
server processes of their own for the generated ones and those across processes."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from backend.core.types import Role
from tests import support
from tests.integration.across.hostile import Place
from tests.servers import running_servers
from tests.support import Person, job_in_state


@pytest.fixture(scope="module")
async def place(client: httpx.AsyncClient) -> Place:
    brand = await support.brand(villages=2)
    a1 = await support.artisan(brand)
    a2 = await support.person(brand.id, Role.ARTISAN, village_id=brand.villages[1], crafts=["batik"])
    order_id = (await support.open_order(client, brand, quantity=1000))["id"]

    async def job(state: str, who: Person = a1) -> support.Work:
        return await job_in_state(client, brand, who, state, order_id=order_id)

    paid, disputed, approved = await job("paid"), await job("disputed"), await job("approved")
    submitted, accepted, offered = await job("submitted"), await job("accepted"), await job("offered")
    ids = {
        "village": brand.villages[0],
        "order": order_id,
        "a1": a1.id,
        "a2": a2.id,
        "coordinator_member": brand.coordinator.id,
        "a2_phone": a2.phone,
        "offered": offered.job_id,
        "accepted": accepted.job_id,
        "submission": submitted.submission_id,
        "approved": approved.job_id,
        "payout": paid.payout_id,
        "disputed": disputed.payout_id,
        "photo": submitted.photo_id,
        "photo_a2": await support.upload_photo(client, a2, color=(10, 200, 10)),
    }
    return Place(brand=brand, a1=a1, a2=a2, ids=ids)


@pytest.fixture(scope="module")
def two_servers() -> Iterator[list[str]]:
    """Two server processes on the test database, for one module: their workers change
    rows in the background, which other modules' "nothing changed" checks must not see."""
    with running_servers(2) as urls:
        yield urls
