"""Real server processes on one database: writers in different processes wait their turn."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from backend.orders.tables import Order
from tests import support


@pytest.mark.slow
async def test_accepts_through_two_server_processes_never_over_allocate(
    client: httpx.AsyncClient, two_servers: list[str]
) -> None:
    brand = await support.brand()
    artisans = [await support.artisan(brand) for _ in range(40)]
    order = await support.open_order(client, brand, quantity=15)
    jobs = await support.offer(client, brand, order["id"], *[(a, 1) for a in artisans])

    async with httpx.AsyncClient(timeout=60) as http:
        responses = await asyncio.gather(
            *[
                http.post(f"{two_servers[i % 2]}/api/v1/jobs/{job['id']}/accept", json={}, headers=a.auth)
                for i, (job, a) in enumerate(zip(jobs, artisans, strict=True))
            ]
        )

    assert sorted(r.status_code for r in responses) == [200] * 15 + [409] * 25
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"order_full"}
    row = await Order.select(Order.quantity_accepted).where(Order.id == order["id"]).first()
    assert row == {"quantity_accepted": 15}


@pytest.mark.slow
async def test_a_job_list_cached_in_one_process_sees_a_change_made_in_another(
    client: httpx.AsyncClient, two_servers: list[str]
) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    order = await support.open_order(client, brand)
    [job] = await support.offer(client, brand, order["id"], (artisan, 2))
    first, second = two_servers

    async with httpx.AsyncClient(timeout=30) as http:
        before = (await http.get(f"{first}/api/v1/jobs", headers=artisan.auth)).json()
        again = (await http.get(f"{first}/api/v1/jobs", headers=artisan.auth)).json()
        accepted = await http.post(f"{second}/api/v1/jobs/{job['id']}/accept", json={}, headers=artisan.auth)
        # The first process learns of the commit by PostgreSQL's NOTIFY, milliseconds later on a
        # busy machine: wait for that event (its cached list never outlives it), not for a time.
        for _ in range(1000):
            after = (await http.get(f"{first}/api/v1/jobs", headers=artisan.auth)).json()
            if after["jobs"][0]["status"] != "offered":
                break

    assert accepted.status_code == 200
    assert [j["status"] for j in before["jobs"]] == [j["status"] for j in again["jobs"]] == ["offered"]
    assert [j["status"] for j in after["jobs"]] == ["accepted"]


@pytest.mark.slow
async def test_a_token_revoked_through_one_process_stops_working_in_another_at_once(
    client: httpx.AsyncClient, two_servers: list[str]
) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    other = await support.artisan(brand)
    first, second = two_servers

    async with httpx.AsyncClient(timeout=30) as http:
        assert (await http.get(f"{first}/api/v1/me", headers=artisan.auth)).status_code == 200
        assert (await http.get(f"{first}/api/v1/me", headers=other.auth)).status_code == 200
        assert (await http.delete(f"{second}/api/v1/auth/token", headers=artisan.auth)).status_code == 204
        deactivated = await http.patch(
            f"{second}/api/v1/artisans/{other.id}", json={"active": False}, headers=brand.coordinator.auth
        )
        assert deactivated.status_code == 200
        # PostgreSQL tells the other process by NOTIFY, a moment after the commit.
        revoked = await _until_refused(http, f"{first}/api/v1/me", artisan.auth)
        inactive = await _until_refused(http, f"{first}/api/v1/me", other.auth)

    assert (revoked.status_code, inactive.status_code) == (401, 401)


async def _until_refused(http: httpx.AsyncClient, url: str, headers: dict[str, str]) -> httpx.Response:
    for _ in range(100):
        response = await http.get(url, headers=headers)
        if response.status_code != 200:
            return response
        await asyncio.sleep(0.01)
    return response
