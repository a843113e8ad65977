"""The pool capacity check's arithmetic: what a deployment may open on PostgreSQL, against
what the server allows an ordinary role."""

from __future__ import annotations

import pytest

from backend.db.capacity import Deployment, ServerLimits, connections_needed, pgbouncer_note, problem

DEBIAN = ServerLimits(max_connections=100, superuser_reserved=3)  # PostgreSQL's defaults: 97 for us


def _deployment(api: int = 1, workers: int = 0, pool: int = 20, *, pgbouncer: bool = False) -> Deployment:
    return Deployment(pool_max=pool, api_processes=api, worker_processes=workers, through_pgbouncer=pgbouncer)


@pytest.mark.parametrize(
    ("api", "workers", "pool", "needed"),
    [
        (1, 0, 20, 23),  # the default: pool 20, its listener, 2 for a migration run
        (2, 1, 20, 64),  # 2 × 21 + 20 + 2
        (4, 2, 10, 66),  # 4 × 11 + 2 × 10 + 2
        (4, 0, 23, 98),  # 4 × 24 + 2: one over 97
    ],
)
def test_each_api_process_counts_its_pool_and_listener_each_worker_its_pool(
    api: int, workers: int, pool: int, needed: int
) -> None:
    assert connections_needed(_deployment(api, workers, pool)) == needed


def test_a_deployment_that_fits_exactly_passes() -> None:
    assert problem(_deployment(4, 0, 23), ServerLimits(max_connections=101, superuser_reserved=3)) is None
    assert problem(_deployment(), DEBIAN) is None


def test_one_connection_too_many_is_refused_naming_every_number() -> None:
    message = problem(_deployment(3, 1, 24), DEBIAN)

    assert message is not None
    assert "allows 97 connections (max_connections 100 − superuser_reserved_connections 3)" in message
    assert "may open 101: 3 API processes × (pool 24 + 1 listener) + 1 workers × pool 24 + 2 for migrations" in message
    assert "CUNJIANG_DATABASE_POOL_MAX" in message


def test_reserved_connections_of_newer_servers_are_not_ours_either() -> None:
    limits = ServerLimits(max_connections=100, superuser_reserved=3, reserved=10)

    assert problem(_deployment(4, 0, 20), limits) is None  # 4 × 21 + 2 = 86 of 87
    message = problem(_deployment(4, 1, 20), limits)  # 106 > 87
    assert message is not None
    limit = "max_connections 100 − superuser_reserved_connections 3 − reserved_connections 10"
    assert f"allows 87 connections ({limit})" in message


def test_behind_pgbouncer_only_the_listeners_and_migrations_reach_postgresql() -> None:
    deployment = _deployment(8, 4, 50, pgbouncer=True)  # 600 pooled clients, all PgBouncer's

    assert connections_needed(deployment) == 10
    assert problem(deployment, DEBIAN) is None
    assert "600 client connections" in pgbouncer_note(deployment)
    tiny = ServerLimits(max_connections=12, superuser_reserved=3)
    message = problem(deployment, tiny)
    assert message is not None
    assert "may open 10: 8 API processes × 1 listener + 2 for migrations (the pools go through PgBouncer)" in message
