"""``/healthz`` and ``/readyz``: alive whatever the database does; ready only while the
database answers, its migrations are at head and (PostgreSQL) the change listener is up,
each problem named by its code. Databases are broken for real: deleted (SQLite), closed to
connections with every session cut (PostgreSQL), never migrated, the listener's session
terminated."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from backend.db import counters
from backend.db.session import is_sqlite
from tests.integration.ops.tools import admin, cunjiang, scrape, value
from tests.servers import running_servers

pytestmark = pytest.mark.slow


async def _cut_off(database_url: str) -> None:
    """Make the database unreachable under a running process: SQLite's files deleted;
    PostgreSQL's database closed to new connections and every session of it terminated
    (the call waits until each is gone)."""
    if database_url.startswith("sqlite:"):
        path = Path(database_url.removeprefix("sqlite:///"))
        for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            file.unlink(missing_ok=True)
        return
    name = database_url.rsplit("/", 1)[1]
    ours = os.environ["CUNJIANG_DATABASE_URL"]
    await admin(ours, f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
    await admin(ours, "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE datname = $1", name)


async def test_readyz_is_ready_on_the_migrated_database(client: httpx.AsyncClient) -> None:
    answer = await client.get("/readyz")

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["ready"] is True
    assert body["failing"] == []
    listener = "not_applicable" if is_sqlite() else "ok"
    assert body["checks"] == {"database": "ok", "migrations": "ok", "listener": listener}
    assert answer.headers["cache-control"] == "no-store"


async def test_health_routes_need_no_sign_in_and_stay_out_of_the_api_document(client: httpx.AsyncClient) -> None:
    stranger = {"Authorization": "Bearer not-a-token", "Idempotency-Key": "k"}

    for path in ("/healthz", "/readyz", "/metrics"):
        assert (await client.get(path, headers=stranger)).status_code == 200, path
    document = (await client.get("/api/docs/openapi.json")).json()
    assert not {"/healthz", "/readyz", "/metrics"} & set(document["paths"])


async def test_readyz_names_the_migrations_until_they_are_applied(empty_database: str) -> None:
    with running_servers(1, CUNJIANG_DATABASE_URL=empty_database) as [url]:
        async with httpx.AsyncClient(base_url=url, timeout=10) as http:
            before = await http.get("/readyz")
            await cunjiang(empty_database, "migrate")
            after = await http.get("/readyz")

    assert before.status_code == 503, before.text
    assert before.json()["failing"] == ["migrations"]
    assert before.json()["checks"]["database"] == "ok"
    assert after.status_code == 200, after.text


async def test_healthz_answers_and_readyz_names_the_database_once_it_is_unreachable(empty_database: str) -> None:
    with running_servers(1, cli=True, CUNJIANG_DATABASE_URL=empty_database) as [url]:  # serve migrates first
        async with httpx.AsyncClient(base_url=url, timeout=10) as http:
            ready = await http.get("/readyz")
            await _cut_off(empty_database)
            alive = await http.get("/healthz")
            gone = await http.get("/readyz")
            metrics = await http.get("/metrics")

    assert ready.status_code == 200, ready.text
    assert alive.status_code == 200
    assert alive.json() == {"status": "ok"}
    assert gone.status_code == 503, gone.text
    assert "database" in gone.json()["failing"]
    assert gone.json()["checks"]["migrations"] == "unknown"  # not asked of a database that does not answer
    # /metrics still answers. (SQLite's reader keeps the deleted file open and still reads
    # it; PostgreSQL's levels cannot be read, and the scrape says so.)
    assert metrics.status_code == 200
    assert is_sqlite() or "cunjiang_scrape_database_ok 0.0" in metrics.text


@pytest.fixture
async def listener_restarted() -> AsyncIterator[None]:
    """After the test, a listener again for the tests that follow (a process has one)."""
    yield
    await counters.stop_listener()
    await counters.start_listener()


@pytest.mark.postgres
async def test_the_listener_comes_back_after_its_session_is_terminated(
    client: httpx.AsyncClient, listener_restarted: None
) -> None:
    """Not ready while the listener cannot reconnect (the database refuses new sessions), ready
    again once it can; caches keyed before the loss miss once after it."""
    ours = os.environ.get("CUNJIANG_DATABASE_DIRECT_URL") or os.environ["CUNJIANG_DATABASE_URL"]
    server, name = ours.rsplit("/", 1)
    elsewhere = f"{server}/postgres"  # a database cannot close itself to connections
    before = await counters.read_version(counters.JOB_CHANGES)
    await admin(elsewhere, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
    try:
        [cut] = await admin(
            elsewhere,
            "SELECT pg_terminate_backend(pid, 10000) AS done FROM pg_stat_activity "
            "WHERE datname = $1 AND application_name = $2",
            name,
            counters.LISTENER_NAME,
        )
        assert cut["done"] is True

        down = await client.get("/readyz")
        still_alive = await client.get("/healthz")
        listener_metric = value(await scrape(client), "cunjiang_change_listener_up")
    finally:
        await admin(elsewhere, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
    back = await _until_ready(client)

    assert down.status_code == 503, down.text
    assert down.json()["failing"] == ["listener"]
    assert down.json()["checks"]["database"] == "ok"
    assert still_alive.status_code == 200
    assert listener_metric == 0
    assert back.status_code == 200, back.text
    after = await counters.read_version(counters.JOB_CHANGES)
    assert before is not None
    assert after is not None
    assert after != before


async def _until_ready(client: httpx.AsyncClient) -> httpx.Response:
    """/readyz until it says ready (the listener's retries back off to 10 s), or a minute."""
    deadline = asyncio.get_running_loop().time() + 60
    while True:
        answer = await client.get("/readyz")
        if answer.status_code == 200 or asyncio.get_running_loop().time() > deadline:
            return answer
        await asyncio.sleep(0.2)
