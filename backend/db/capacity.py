"""Could this deployment's connections exceed what PostgreSQL allows? The arithmetic, and
PostgreSQL's limits read from the server.

Each API process keeps a pool of up to ``CUNJIANG_DATABASE_POOL_MAX`` connections and one
change listener; each worker process a pool; a migration run two connections (the lock's
and the one its statements run on). Behind PgBouncer the pools are PgBouncer's clients,
not PostgreSQL's: only the listeners and the migrations reach PostgreSQL directly, and how
many server connections PgBouncer itself opens is its own configuration, which it does
not tell an ordinary client.
"""

from __future__ import annotations

from typing import Any

import msgspec

MIGRATION_CONNECTIONS = 2  # the advisory lock's session, and the one the migrations run on
LIMITS = """
SELECT current_setting('max_connections')::int AS max_connections,
       current_setting('superuser_reserved_connections')::int AS superuser_reserved,
       coalesce(current_setting('reserved_connections', true), '0')::int AS reserved
"""


class Deployment(msgspec.Struct, frozen=True, kw_only=True):
    """The processes that share one database, as the settings describe them."""

    pool_max: int
    api_processes: int
    worker_processes: int
    through_pgbouncer: bool


class ServerLimits(msgspec.Struct, frozen=True, kw_only=True):
    max_connections: int
    superuser_reserved: int
    reserved: int = 0  # reserved_connections, PostgreSQL 16 on (for roles with pg_use_reserved_connections)

    @property
    def available(self) -> int:
        """Connections an ordinary role may open."""
        return self.max_connections - self.superuser_reserved - self.reserved


def pooled_clients(deployment: Deployment) -> int:
    """Connections every pool together may open (to PostgreSQL, or to PgBouncer)."""
    return deployment.pool_max * (deployment.api_processes + deployment.worker_processes)


def direct_connections(deployment: Deployment) -> int:
    """Connections that reach PostgreSQL whatever is in front: listeners and a migration run."""
    return deployment.api_processes + MIGRATION_CONNECTIONS


def connections_needed(deployment: Deployment) -> int:
    """The most connections this deployment may hold on PostgreSQL at once."""
    pooled = 0 if deployment.through_pgbouncer else pooled_clients(deployment)
    return pooled + direct_connections(deployment)


def _sum(deployment: Deployment) -> str:
    listeners = f"{deployment.api_processes} API processes × 1 listener"
    migrations = f"{MIGRATION_CONNECTIONS} for migrations"
    if deployment.through_pgbouncer:
        return f"{listeners} + {migrations} (the pools go through PgBouncer)"
    return (
        f"{deployment.api_processes} API processes × (pool {deployment.pool_max} + 1 listener) + "
        f"{deployment.worker_processes} workers × pool {deployment.pool_max} + {migrations}"
    )


def problem(deployment: Deployment, limits: ServerLimits) -> str | None:
    """Why this deployment does not fit, naming every number; None when it does."""
    needed = connections_needed(deployment)
    if needed <= limits.available:
        return None
    reserved = f"superuser_reserved_connections {limits.superuser_reserved}"
    if limits.reserved:
        reserved += f" − reserved_connections {limits.reserved}"
    return (
        f"the database allows {limits.available} connections (max_connections {limits.max_connections} − "
        f"{reserved}), but this deployment may open {needed}: {_sum(deployment)}. Lower "
        f"CUNJIANG_DATABASE_POOL_MAX, run fewer processes (CUNJIANG_API_PROCESSES, CUNJIANG_WORKER_PROCESSES), "
        f"raise max_connections, or put PgBouncer in front (CUNJIANG_DATABASE_DIRECT_URL)"
    )


def pgbouncer_note(deployment: Deployment) -> str:
    """What the check cannot see behind PgBouncer, for the log."""
    return (
        f"through PgBouncer: the pools may open {pooled_clients(deployment)} client connections to it "
        f"(its max_client_conn must allow them, and its pool sizes plus {direct_connections(deployment)} "
        f"direct connections must fit PostgreSQL's max_connections); only the direct ones were checked here"
    )


async def read_limits(connection: Any) -> ServerLimits:
    """PostgreSQL's connection limits, asked on an asyncpg connection."""
    row = await connection.fetchrow(LIMITS)
    return ServerLimits(**dict(row))
