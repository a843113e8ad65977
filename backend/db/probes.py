"""What readiness and metrics ask of the database: does it answer, are the migrations at
head, how busy is the pool. Each is cheap, bounded in time and changes nothing."""

from __future__ import annotations

import asyncio
import sqlite3
from functools import cache
from pathlib import Path

from piccolo.apps.migrations.commands.base import BaseMigrationManager
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from backend.db.engine import DB
from backend.db.session import fetch

APP_NAME = "cunjiang"
MIGRATIONS = Path(__file__).parent / "migrations"
APPLIED = "SELECT name FROM migration WHERE app_name = {}"


async def ping(timeout_s: float) -> None:
    """Raise unless the database answers a query within ``timeout_s``.

    SQLite: a new connection that may not create the file, so a database deleted or broken
    under the running process is noticed (the kept connections would still read the old file).
    PostgreSQL: a query through the pool, as every request's would go.
    """
    if isinstance(DB, SQLiteEngine):
        await asyncio.wait_for(asyncio.to_thread(_ping_sqlite, DB.path), timeout_s)
    else:
        await asyncio.wait_for(fetch("SELECT 1"), timeout_s)


def _ping_sqlite(path: str) -> None:
    uri = Path(path).resolve().as_uri() + "?mode=rw"
    connection = sqlite3.connect(uri, uri=True, timeout=0.5)
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    finally:
        connection.close()


@cache
def known_migrations() -> frozenset[str]:
    """The ids of this release's migrations (Piccolo reads them from the folder, once)."""
    return frozenset(BaseMigrationManager().get_migration_modules(str(MIGRATIONS)))


async def pending_migrations(timeout_s: float) -> list[str]:
    """This release's migrations the database has not applied, oldest first. Migrations the
    database has and this release does not know (a newer release ran them) are not pending.
    Raises when the migrations' own table cannot be read (a database never migrated)."""
    rows = await asyncio.wait_for(fetch(APPLIED, (APP_NAME,)), timeout_s)
    return sorted(known_migrations() - {row["name"] for row in rows})


def pool_in_use() -> tuple[int, int] | None:
    """PostgreSQL: the pool's connections (in use, idle), read from the pool without a query;
    None on SQLite or before the pool is open."""
    if not isinstance(DB, PostgresEngine) or DB.pool is None:
        return None
    size, idle = DB.pool.get_size(), DB.pool.get_idle_size()
    return size - idle, idle
