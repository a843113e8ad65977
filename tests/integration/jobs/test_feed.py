"""The artisan's job list: a change feed with a cursor, cheap to revisit, scoped to the caller."""

from __future__ import annotations

import asyncio
import datetime as dt
import os

import asyncpg
import httpx
import pytest

from backend.core.china_time import CHINA_TZ, china_today
from backend.core.types import Role, utcnow
from backend.db.session import is_sqlite, write_transaction
from backend.jobs.machine import Action, transition
from backend.jobs.service import expire_due_offers
from backend.jobs.tables import Job
from tests import support
from tests.support import ok


async def test_feed_returns_only_what_changed_since_the_cursor(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    order = await support.open_order(client, brand, quantity=50)
    jobs = [(await support.offer(client, brand, order["id"], (artisan, 2)))[0]]
    other_order = await support.open_order(client, brand, quantity=50)
    jobs += await support.offer(client, brand, other_order["id"], (artisan, 3))

    first = await ok(await client.get("/api/v1/jobs", headers=artisan.auth))
    assert [j["code"] for j in first["jobs"]] == ["K1", "K2"]

    await ok(await client.post(f"/api/v1/jobs/{jobs[0]['id']}/accept", json={}, headers=artisan.auth))
    second = await ok(await client.get(f"/api/v1/jobs?since={first['cursor']}", headers=artisan.auth))
    assert [(j["id"], j["status"]) for j in second["jobs"]] == [(jobs[0]["id"], "accepted")]

    third = await ok(await client.get(f"/api/v1/jobs?since={second['cursor']}", headers=artisan.auth))
    assert third == {"jobs": [], "cursor": second["cursor"]}


async def test_feed_answers_304_when_nothing_changed(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    order = await support.open_order(client, brand)
    await support.offer(client, brand, order["id"], (artisan, 2))
    first = await client.get("/api/v1/jobs", headers=artisan.auth)
    again = await client.get("/api/v1/jobs", headers=artisan.auth | {"If-None-Match": first.headers["etag"]})
    assert (again.status_code, again.content) == (304, b"")


async def test_artisans_see_only_their_jobs_and_leaders_their_village(client: httpx.AsyncClient) -> None:
    brand = await support.brand(villages=2)
    here = await support.artisan(brand)
    there = await support.person(brand.id, Role.ARTISAN, village_id=brand.villages[1])
    leader = await support.person(brand.id, Role.LEADER, village_id=brand.villages[0])
    order = await support.open_order(client, brand)
    jobs = await support.offer(client, brand, order["id"], (here, 2), (there, 2))

    mine = await ok(await client.get("/api/v1/jobs", headers=here.auth))
    village = await ok(await client.get("/api/v1/jobs", headers=leader.auth))
    assert [j["id"] for j in mine["jobs"]] == [jobs[0]["id"]]
    assert [j["id"] for j in village["jobs"]] == [jobs[0]["id"]]
    coordinator = await client.get("/api/v1/jobs", headers=brand.coordinator.auth)
    assert coordinator.status_code == 403


async def test_lapsed_offers_expire_and_can_no_longer_be_accepted(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    order = await support.open_order(client, brand)
    [lapsed] = await support.offer(client, brand, order["id"], (artisan, 1))
    await Job.update({Job.expires_at: utcnow() - dt.timedelta(seconds=1)}).where(Job.id == lapsed["id"])

    refused = await client.post(f"/api/v1/jobs/{lapsed['id']}/accept", json={}, headers=artisan.auth)
    assert (refused.status_code, refused.json()["code"]) == (409, "offer_expired")

    assert await expire_due_offers() >= 1
    row = await Job.select(Job.status).where(Job.id == lapsed["id"]).first()
    assert row == {"status": "expired"}


async def test_offers_expire_at_the_end_of_the_due_day_when_that_comes_first(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    due = china_today() + dt.timedelta(days=1)
    order = await support.open_order(client, brand, due_date=due.isoformat())
    [job] = await support.offer(client, brand, order["id"], (artisan, 1))
    expires = dt.datetime.fromisoformat(job["expires_at"])
    assert expires <= dt.datetime.combine(due + dt.timedelta(days=1), dt.time(), CHINA_TZ)


async def _follow(client: httpx.AsyncClient, person: support.Person, cursor: str = "0") -> tuple[list[dict], str]:
    """Every job the feed sends from ``cursor`` until it has nothing more, and the last cursor."""
    seen: list[dict] = []
    while True:
        page = await ok(await client.get(f"/api/v1/jobs?since={cursor}", headers=person.auth))
        if not page["jobs"]:
            return seen, cursor
        seen += page["jobs"]
        cursor = page["cursor"]


async def test_a_page_never_splits_the_jobs_of_one_dispatch(client: httpx.AsyncClient) -> None:
    """250 offers to one village in one dispatch: the leader's feed (200 a page) sends each once."""
    brand = await support.brand()
    leader = await support.person(brand.id, Role.LEADER, village_id=brand.villages[0])
    artisans = [await support.artisan(brand) for _ in range(250)]
    order = await support.open_order(client, brand, quantity=1000)
    jobs = await support.offer(client, brand, order["id"], *[(a, 1) for a in artisans])

    seen, _cursor = await _follow(client, leader)

    assert sorted(j["id"] for j in seen) == sorted(j["id"] for j in jobs)


@pytest.mark.skipif(is_sqlite(), reason="SQLite writers take turns: no transaction commits out of order")
async def test_a_change_committed_late_by_an_older_transaction_is_not_skipped(client: httpx.AsyncClient) -> None:
    """Feed positions are transaction ids on PostgreSQL: a younger transaction that commits
    first must not carry the cursor past an older one still at work."""
    brand = await support.brand()
    artisan = await support.artisan(brand)
    order = await support.open_order(client, brand, quantity=50)
    older, younger = (
        await support.offer(client, brand, order["id"], (artisan, 1)),
        await support.offer(client, brand, (await support.open_order(client, brand))["id"], (artisan, 1)),
    )
    _seen, cursor = await _follow(client, artisan)
    holding, release = asyncio.Event(), asyncio.Event()

    async def slow_decline() -> None:
        async with write_transaction():
            await transition(older[0]["id"], Action.DECLINE, None)
            holding.set()
            await release.wait()

    slow = asyncio.create_task(slow_decline())
    await holding.wait()
    await ok(await client.post(f"/api/v1/jobs/{younger[0]['id']}/decline", json={}, headers=artisan.auth))
    early, cursor = await _follow(client, artisan, cursor)
    release.set()
    await slow
    late, _cursor = await _follow(client, artisan, cursor)

    assert early == []  # the younger change waits until the older transaction has settled
    assert sorted((j["id"], j["status"]) for j in late) == sorted(
        [(older[0]["id"], "declined"), (younger[0]["id"], "declined")]
    )


@pytest.mark.skipif(is_sqlite(), reason="PostgreSQL's transaction ids are the whole server's")
async def test_a_transaction_in_another_database_does_not_hold_the_feed_back(client: httpx.AsyncClient) -> None:
    """A writing transaction left open in another database of the server (a long report, a
    migration, another application) is older than the change, but cannot change our jobs."""
    brand = await support.brand()
    artisan = await support.artisan(brand)
    [job] = await support.offer(client, brand, (await support.open_order(client, brand))["id"], (artisan, 1))
    _seen, cursor = await _follow(client, artisan)
    ours = os.environ.get("CUNJIANG_DATABASE_DIRECT_URL") or os.environ["CUNJIANG_DATABASE_URL"]
    elsewhere = await asyncpg.connect(ours.rsplit("/", 1)[0] + "/postgres")
    try:
        async with elsewhere.transaction():
            await elsewhere.fetchval("SELECT pg_current_xact_id()")  # it holds a transaction id now
            await ok(await client.post(f"/api/v1/jobs/{job['id']}/decline", json={}, headers=artisan.auth))
            seen, _cursor = await _follow(client, artisan, cursor)
    finally:
        await elsewhere.close()

    assert [(j["id"], j["status"]) for j in seen] == [(job["id"], "declined")]


async def _an_artisan_of_the_next_village_with_an_offer(
    client: httpx.AsyncClient,
) -> tuple[support.Brand, support.Person, support.Person, dict]:
    """A brand of two villages, the first one's leader, and an artisan of the second with an offer."""
    brand = await support.brand(villages=2)
    leader = await support.person(brand.id, Role.LEADER, village_id=brand.villages[0])
    newcomer = await support.person(brand.id, Role.ARTISAN, village_id=brand.villages[1])
    order = await support.open_order(client, brand)
    [job] = await support.offer(client, brand, order["id"], (newcomer, 2))
    return brand, leader, newcomer, job


async def test_a_leaders_cached_job_list_follows_an_artisan_who_moves_into_the_village(
    client: httpx.AsyncClient,
) -> None:
    brand, leader, newcomer, job = await _an_artisan_of_the_next_village_with_an_offer(client)
    before = await ok(await client.get("/api/v1/jobs", headers=leader.auth))  # now cached

    moved = {"village_id": brand.villages[0]}
    await ok(await client.patch(f"/api/v1/artisans/{newcomer.id}", json=moved, headers=brand.coordinator.auth))
    after = await ok(await client.get("/api/v1/jobs", headers=leader.auth))

    assert job["id"] not in [j["id"] for j in before["jobs"]]
    assert job["id"] in [j["id"] for j in after["jobs"]]


async def test_a_leader_syncing_by_cursor_receives_the_jobs_of_an_artisan_who_moves_in(
    client: httpx.AsyncClient,
) -> None:
    brand, leader, newcomer, job = await _an_artisan_of_the_next_village_with_an_offer(client)
    _seen, cursor = await _follow(client, leader)

    moved = {"village_id": brand.villages[0]}
    await ok(await client.patch(f"/api/v1/artisans/{newcomer.id}", json=moved, headers=brand.coordinator.auth))
    arrived, _cursor = await _follow(client, leader, cursor)

    assert [j["id"] for j in arrived] == [job["id"]]
