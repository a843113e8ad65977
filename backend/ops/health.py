"""Readiness: may a load balancer send this process requests? Yes when the database answers
within a second, its migrations are at this release's head, and (PostgreSQL) the change
listener that keeps this process's caches right is up. Each problem has a machine code."""

from __future__ import annotations

import logging
from enum import StrEnum

import msgspec

from backend.core.metrics import worker_last_round
from backend.db import counters, probes

log = logging.getLogger("cunjiang.ops")

TIMEOUT_S = 1.0


class Check(StrEnum):
    DATABASE = "database"
    MIGRATIONS = "migrations"
    LISTENER = "listener"


class Result(StrEnum):
    OK = "ok"
    FAILED = "failed"  # asked, and the answer was no (or none came in time)
    UNKNOWN = "unknown"  # not asked: what it needs failed first
    NOT_APPLICABLE = "not_applicable"  # SQLite has no listener


class Readiness(msgspec.Struct, frozen=True):
    """What ``/readyz`` answers: ``failing`` names the checks that are not ``ok`` (and not
    ``not_applicable``); ``worker_last_round`` is when this process's own worker last finished
    a round (unix time; null without one), for information only."""

    ready: bool
    failing: list[Check]
    checks: dict[Check, Result]
    worker_last_round: float | None = None


async def readiness() -> Readiness:
    """Ask each check once, each bounded by a second."""
    checks = {Check.DATABASE: await _database()}
    checks[Check.MIGRATIONS] = await _migrations() if checks[Check.DATABASE] == Result.OK else Result.UNKNOWN
    checks[Check.LISTENER] = await _listener()
    failing = [check for check, result in checks.items() if result not in (Result.OK, Result.NOT_APPLICABLE)]
    return Readiness(ready=not failing, failing=failing, checks=checks, worker_last_round=worker_last_round())


async def _database() -> Result:
    try:
        await probes.ping(TIMEOUT_S)
    except Exception as error:  # any failure to answer is the answer
        log.warning("not ready: the database does not answer (%s: %s)", type(error).__name__, error)
        return Result.FAILED
    return Result.OK


async def _migrations() -> Result:
    try:
        pending = await probes.pending_migrations(TIMEOUT_S)
    except Exception as error:  # no migration table: a database never migrated
        log.warning("not ready: the applied migrations cannot be read (%s: %s)", type(error).__name__, error)
        return Result.FAILED
    if pending:
        log.warning("not ready: %d migrations not applied, the first %s", len(pending), pending[0])
        return Result.FAILED
    return Result.OK


async def _listener() -> Result:
    if not counters.needs_listener():
        return Result.NOT_APPLICABLE
    if await counters.is_listening(TIMEOUT_S):
        return Result.OK
    log.warning("not ready: the change listener is down")
    return Result.FAILED
