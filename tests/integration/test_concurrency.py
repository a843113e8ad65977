"""Exactly once under real concurrency: many requests at the same moment, one effect each."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from backend.core.types import Role
from backend.jobs.tables import Job
from backend.orders.tables import Order
from backend.payouts.tables import Payout
from tests import support
from tests.support import ok


async def test_fifty_simultaneous_accepts_never_over_allocate(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisans = [await support.artisan(brand) for _ in range(50)]
    order = await support.open_order(client, brand, quantity=20)
    jobs = await support.offer(client, brand, order["id"], *[(a, 1) for a in artisans])

    responses = await asyncio.gather(
        *[
            client.post(f"/api/v1/jobs/{job['id']}/accept", json={"quantity": 1}, headers=a.auth)
            for job, a in zip(jobs, artisans, strict=True)
        ]
    )

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 20 + [409] * 30
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"order_full"}
    accepted = await Order.select(Order.quantity_accepted).where(Order.id == order["id"]).first()
    assert accepted == {"quantity_accepted": 20}
    assert await Job.count().where((Job.order == order["id"]) & (Job.status == "accepted")) == 20


async def test_twenty_replays_of_one_idempotency_key_have_one_effect(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    headers = brand.coordinator.auth | {"Idempotency-Key": str(uuid.uuid4())}
    body = support.order_body(title="重放测试")

    responses = await asyncio.gather(*[client.post("/api/v1/orders", json=body, headers=headers) for _ in range(20)])

    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    assert sum(r.headers.get("idempotent-replayed") == "true" for r in responses) == 19
    assert await Order.count().where((Order.brand == brand.id) & (Order.title == "重放测试")) == 1


async def test_replayed_accept_returns_the_first_answer_without_a_second_effect(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    order = await support.open_order(client, brand, quantity=10)
    [job] = await support.offer(client, brand, order["id"], (artisan, 4))
    headers = artisan.auth | {"Idempotency-Key": "outbox-entry-1"}

    responses = await asyncio.gather(
        *[client.post(f"/api/v1/jobs/{job['id']}/accept", json={"quantity": 4}, headers=headers) for _ in range(20)]
    )

    assert {r.status_code for r in responses} == {200}
    assert len({r.content for r in responses}) == 1
    progress = (await ok(await client.get(f"/api/v1/orders/{order['id']}", headers=brand.coordinator.auth)))["progress"]
    assert progress["accepted"] == 4


async def test_two_coordinators_recording_the_same_payout_produce_one_payout(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    second = await support.person(brand.id, Role.COORDINATOR)
    artisan = await support.artisan(brand)
    job_id = (await support.job_in_state(client, brand, artisan, "approved")).job_id

    first, other = await asyncio.gather(
        *[
            client.post(f"/api/v1/jobs/{job_id}/payout", json={"method": "cash"}, headers=c.auth)
            for c in (brand.coordinator, second)
        ]
    )

    assert sorted([first.status_code, other.status_code]) == [201, 409]
    refused = first if first.status_code == 409 else other
    assert refused.json()["code"] == "payout_exists"
    assert await Payout.count().where(Payout.job == job_id) == 1
