"""Test environment: set before the app is imported, one database lane per run.

``CUNJIANG_TEST_DB=sqlite`` (default) uses a fresh SQLite file; ``postgres`` creates a fresh
database on the local server (``CUNJIANG_TEST_POSTGRES_URL``) and drops it afterwards. With
``CI=true`` the PostgreSQL lane fails instead of skipping when the server is missing.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest

LANE = os.environ.get("CUNJIANG_TEST_DB", "sqlite")
PG_SERVER = os.environ.get("CUNJIANG_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
WORK = Path(tempfile.mkdtemp(prefix="cunjiang-test-"))
PG_NAME = f"cunjiang_test_{secrets.token_hex(4)}"


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(PG_SERVER)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def _database_url() -> str:
    if LANE == "sqlite":
        return f"sqlite:///{WORK / 'test.sqlite3'}"
    try:
        asyncio.run(_admin(f'CREATE DATABASE "{PG_NAME}"'))
    except (OSError, asyncpg.PostgresError) as error:
        if os.environ.get("CI") == "true":
            raise RuntimeError(f"PostgreSQL lane required in CI, but: {error}") from error
        pytest.exit(f"PostgreSQL not reachable at {PG_SERVER} ({error}); lane skipped", returncode=0)
    return PG_SERVER.rsplit("/", 1)[0] + f"/{PG_NAME}"


os.environ["CUNJIANG_DATABASE_URL"] = _database_url()
os.environ["CUNJIANG_DATA_DIR"] = str(WORK / "var")
os.environ["CUNJIANG_PUBLIC_URL"] = "http://testserver.local"
# The message budget's clock-bound rules are tested on their own, with their own clock
# (tests/integration/outbox/test_budget.py); elsewhere a run at night must not hold messages.
os.environ["CUNJIANG_SMS_QUIET_HOURS"] = "off"
for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM"):
    os.environ.pop(name, None)

from backend.app import create_app  # noqa: E402
from backend.db import counters  # noqa: E402
from backend.db import session as db_session  # noqa: E402


def pytest_report_header() -> str:
    return f"cunjiang database lane: {LANE} ({os.environ['CUNJIANG_DATABASE_URL']})"


@pytest.fixture(scope="session", autouse=True)
async def database() -> None:
    await db_session.migrate()


@pytest.fixture(scope="session")
async def client(database: None) -> AsyncIterator[httpx.AsyncClient]:
    """The app in this test's event loop (Litestar's test client would run it in a thread,
    where a PostgreSQL pool opened there cannot be shared with the test's own queries)."""
    app = create_app(run_worker=False)
    await db_session.start()  # what the lifespan does; its task group would span two tasks here
    await counters.start_listener()
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 4711))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as test_client:
        yield test_client
    await counters.stop_listener()
    await db_session.stop()


@pytest.fixture(scope="session", autouse=True)
def _drop_postgres_database() -> Iterator[None]:
    yield
    if LANE == "postgres":
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)'))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip_pg = pytest.mark.skip(reason="runs in the PostgreSQL lane (CUNJIANG_TEST_DB=postgres)")
    for item in items:
        if "postgres" in item.keywords and LANE != "postgres":
            item.add_marker(skip_pg)
