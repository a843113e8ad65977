"""Test environment: set before the app is imported, one database lane per run.

``CUNJIANG_TEST_DB=sqlite`` (default) uses a fresh SQLite file; ``postgres`` creates a fresh
database on the local server (``CUNJIANG_TEST_POSTGRES_URL``) and drops it afterwards;
``pgbouncer`` does the same, then puts a real PgBouncer in transaction mode in front of it
(started by a session fixture on a free port) with ``CUNJIANG_DATABASE_DIRECT_URL`` set, as
production runs, and runs only the tests of the database's paths (``THROUGH_PGBOUNCER``).
With ``CI=true`` these lanes fail instead of skipping when the server or PgBouncer is missing.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest

LANE = os.environ.get("CUNJIANG_TEST_DB", "sqlite")
ON_POSTGRES = LANE in ("postgres", "pgbouncer")
PG_SERVER = os.environ.get("CUNJIANG_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
WORK = Path(tempfile.mkdtemp(prefix="cunjiang-test-"))
PG_NAME = f"cunjiang_test_{secrets.token_hex(4)}"
PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"  # Debian installs it outside PATH
PGBOUNCER_WAIT_S = 30.0
_running: list[subprocess.Popen[bytes]] = []  # PgBouncer, in its lane
# What the PgBouncer lane runs: the tests of the paths where transaction pooling could break
# something (prepared statements, session state, LISTEN, advisory locks, leases, races).
THROUGH_PGBOUNCER = (
    "tests/integration/across/test_concurrency.py",  # racing accepts, Idempotency-Key replays, dispatches
    "tests/integration/across/test_servers.py",  # two server processes: caches told by LISTEN, revocations
    "tests/integration/jobs/test_feed.py",  # the job feed's cursor and cache, a late commit not skipped
    "tests/integration/jobs/test_core_loop.py",  # dispatch, accept, submit, review, pay
    "tests/integration/outbox/test_queue.py",  # outbox leases, senders sharing the queue
    "tests/integration/db/test_counters.py",  # counters and their notifications
    "tests/integration/db/test_migration_lock.py",  # several migrations at once
    "tests/integration/db/test_preflight.py",  # the direct URL and the pool capacity checks
    "tests/integration/ops/test_health.py::test_readyz_is_ready_on_the_migrated_database",
    "tests/integration/ops/test_health.py::test_readyz_names_the_listener_once_its_session_is_terminated",
    "tests/integration/wiring/test_cli.py",  # migrate and worker commands
    # pg_dump in a snapshot on the direct URL (a snapshot does not survive transaction pooling)
    "tests/integration/ops/test_backup.py::test_a_backup_restores_into_a_fresh_database_and_store_with_the_same_rows_and_photos",
)


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(PG_SERVER)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def _required(what: str, error: object) -> None:
    if os.environ.get("CI") == "true":
        raise RuntimeError(f"{what} required in CI, but: {error}")
    pytest.exit(f"{what}: {error}; lane skipped", returncode=0)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


PGBOUNCER_PORT = _free_port()
PGBOUNCER_USER = urlsplit(PG_SERVER).username or "postgres"


def _pgbouncer_config(folder: Path) -> Path:
    """Transaction pooling in front of the test's server, as production's PgBouncer would be."""
    server = urlsplit(PG_SERVER)
    (folder / "users.txt").write_text(f'"{PGBOUNCER_USER}" ""\n', encoding="utf-8")
    config = folder / "pgbouncer.ini"
    config.write_text(
        f"""[databases]
* = host={server.hostname or "127.0.0.1"} port={server.port or 5432}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {PGBOUNCER_PORT}
unix_socket_dir =
auth_type = trust
auth_file = {folder / "users.txt"}
pool_mode = transaction
max_client_conn = 1000
default_pool_size = 20
""",
        encoding="utf-8",
    )
    for path in (folder, folder / "users.txt", config):
        path.chmod(0o755 if path.is_dir() else 0o644)  # readable by the user it runs as
    return config


async def _accepts(url: str) -> bool:
    try:
        connection = await asyncpg.connect(url, statement_cache_size=0)
    except (OSError, asyncpg.PostgresError):
        return False
    await connection.close()
    return True


def _start_pgbouncer(url: str) -> subprocess.Popen[bytes]:
    """A real PgBouncer in front of the run's database, accepting connections at ``url``."""
    folder = Path(tempfile.mkdtemp(prefix="cunjiang-pgbouncer-"))
    command = [PGBOUNCER, str(_pgbouncer_config(folder))]
    if os.geteuid() == 0:
        command[1:1] = ["-u", "postgres"]  # it refuses to run as root
    log = folder / "pgbouncer.log"
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + PGBOUNCER_WAIT_S
    while not asyncio.run(_accepts(url)):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"pgbouncer did not start:\n{log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.05)
    return process


def _database_url() -> str:
    if LANE == "sqlite":
        return f"sqlite:///{WORK / 'test.sqlite3'}"
    if LANE == "pgbouncer" and not Path(PGBOUNCER).exists():
        _required("PgBouncer lane", f"no pgbouncer at {PGBOUNCER} (apt-get install -y pgbouncer)")
    try:
        asyncio.run(_admin(f'CREATE DATABASE "{PG_NAME}"'))
    except (OSError, asyncpg.PostgresError) as error:
        _required("PostgreSQL lane", f"PostgreSQL not reachable at {PG_SERVER} ({error})")
    direct = PG_SERVER.rsplit("/", 1)[0] + f"/{PG_NAME}"
    if LANE != "pgbouncer":
        return direct
    os.environ["CUNJIANG_DATABASE_DIRECT_URL"] = direct
    pooled = f"postgresql://{PGBOUNCER_USER}@127.0.0.1:{PGBOUNCER_PORT}/{PG_NAME}"
    # Now, not in a fixture: Piccolo's engine asks the server's version when it is built,
    # as the app is imported below.
    _running.append(_start_pgbouncer(pooled))
    return pooled


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
    for process in _running:
        process.terminate()
        process.wait(timeout=15)
    if ON_POSTGRES:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)'))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if LANE == "pgbouncer":
        kept = [item for item in items if item.nodeid.startswith(THROUGH_PGBOUNCER)]
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept
    skip_pg = pytest.mark.skip(reason="runs in the PostgreSQL lanes (CUNJIANG_TEST_DB=postgres or pgbouncer)")
    for item in items:
        if "postgres" in item.keywords and not ON_POSTGRES:
            item.add_marker(skip_pg)
