"""One migration run at a time per database, on a direct connection.

Piccolo's ``migrate`` takes no lock: two hosts starting at once would both find a
migration unapplied and both run it (a duplicate table, a duplicate row in ``migration``).
So a run holds a lock for its whole length and the others wait, then find nothing to do.
PostgreSQL: a session advisory lock on a connection of its own to the direct URL (a
session lock means nothing through PgBouncer in transaction mode). SQLite: ``flock`` on a
file beside the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from backend.db.engine import DB, direct_config

log = logging.getLogger("cunjiang.db")

# 'cunjiang' in ASCII, as one bigint: the advisory lock's key (scoped to the database).
LOCK_KEY = int.from_bytes(b"cunjiang", "big")
LOCK_HOLDER_NAME = "cunjiang migrations"  # its application_name in pg_stat_activity
LOCK_FILE_SUFFIX = ".migrate.lock"


def lock_file(database: Path) -> Path:
    """The SQLite lock file beside ``database`` (the database file itself is SQLite's own)."""
    return database.with_name(database.name + LOCK_FILE_SUFFIX)


@contextlib.asynccontextmanager
async def migration_lock() -> AsyncIterator[None]:
    """Hold the database's migration lock while the block runs, waiting for it if need be
    (a wait is logged once, naming who holds it, then lasts as long as the holder's run)."""
    if isinstance(DB, SQLiteEngine):
        async with _file_lock(lock_file(Path(DB.path))):
            yield
    else:
        async with _advisory_lock():
            yield


@contextlib.asynccontextmanager
async def _file_lock(path: Path) -> AsyncIterator[None]:
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.info("waiting for another process's migrations to end (lock file %s)", path)
            await asyncio.to_thread(fcntl.flock, descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing the last descriptor releases the lock


@contextlib.asynccontextmanager
async def _advisory_lock() -> AsyncIterator[None]:
    config = direct_config()
    connection = await asyncpg.connect(**config, server_settings={"application_name": LOCK_HOLDER_NAME})
    try:
        if not await connection.fetchval("SELECT pg_try_advisory_lock($1)", LOCK_KEY):
            holder = await connection.fetchval(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND ((classid::bigint << 32) | objid::bigint) = $1 AND database = "
                "(SELECT oid FROM pg_database WHERE datname = current_database())",
                LOCK_KEY,
            )
            log.info("waiting for another process's migrations to end (advisory lock held by pid %s)", holder)
            await connection.execute("SELECT pg_advisory_lock($1)", LOCK_KEY)
        yield
    finally:
        # Ending the session releases the lock, whether the run ended well or not.
        await connection.close()


@contextlib.contextmanager
def on_direct_connections() -> Iterator[None]:
    """While the block runs, the engine's statements go to the direct URL on connections of
    their own: a migration's DDL never goes through PgBouncer or a pool that is open."""
    if not isinstance(DB, PostgresEngine):
        yield
        return
    config, pool = DB.config, DB.pool
    DB.config, DB.pool = direct_config(), None
    try:
        yield
    finally:
        DB.config, DB.pool = config, pool
