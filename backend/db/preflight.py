"""What ``serve``, ``worker`` and ``migrate`` check before they start (PostgreSQL): that
the direct URL reaches the very database the pooled one does, and that the deployment's
connections fit in the server's ``max_connections`` (``backend.db.capacity``)."""

from __future__ import annotations

import logging
from typing import Any

import asyncpg

from backend.core.settings import Settings
from backend.db import capacity
from backend.db.engine import direct_config, pooled_config

log = logging.getLogger("cunjiang.db")

# The same database of the same running server: a replica has its own start time and is in
# recovery; another database on the server has another name and oid. (The server's address
# is no help: PgBouncer may reach it through a socket, and the same server has many names.)
IDENTITY = """
SELECT current_database() AS database, d.oid, pg_postmaster_start_time() AS started,
       pg_is_in_recovery() AS standby
FROM pg_database d WHERE d.datname = current_database()
"""


class StartupRefused(RuntimeError):
    """The configuration cannot work; the message says why and what to change."""


def deployment(settings: Settings) -> capacity.Deployment:
    return capacity.Deployment(
        pool_max=settings.database_pool_max,
        api_processes=settings.api_processes,
        worker_processes=settings.worker_processes,
        through_pgbouncer=settings.database_direct_url is not None,
    )


async def preflight(settings: Settings) -> None:
    """Raise :class:`StartupRefused` when the database configuration cannot work."""
    if settings.is_sqlite:
        if settings.database_direct_url:
            raise StartupRefused("CUNJIANG_DATABASE_DIRECT_URL is for PostgreSQL behind PgBouncer, not SQLite")
        return
    direct = await asyncpg.connect(**direct_config(settings))
    try:
        reached = await _identity(direct)
        limits = await capacity.read_limits(direct)
    finally:
        await direct.close()
    if settings.database_direct_url:
        await _check_same_database(settings, reached)
    planned = deployment(settings)
    problem = capacity.problem(planned, limits)
    if problem:
        raise StartupRefused(problem)
    if planned.through_pgbouncer:
        log.info(capacity.pgbouncer_note(planned))


async def _identity(connection: Any) -> dict[str, Any]:
    return dict(await connection.fetchrow(IDENTITY))


async def _check_same_database(settings: Settings, direct: dict[str, Any]) -> None:
    pooled_connection = await asyncpg.connect(**pooled_config(settings))
    try:
        pooled = await _identity(pooled_connection)
    finally:
        await pooled_connection.close()
    if pooled != direct:
        raise StartupRefused(
            f"CUNJIANG_DATABASE_DIRECT_URL reaches {_described(direct)}, but CUNJIANG_DATABASE_URL reaches "
            f"{_described(pooled)}: the direct URL must reach the same database on the same server "
            f"(the change listener and the migrations' lock would otherwise watch another one)"
        )


def _described(identity: dict[str, Any]) -> str:
    role = "a standby" if identity["standby"] else "a primary"
    return f"database {identity['database']!r} (oid {identity['oid']}) on {role} started at {identity['started']}"
