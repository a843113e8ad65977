"""Levels read when Prometheus scrapes (``cunjiang_…``): the outbox by status and the age of
its oldest due message, the villagers' SMS not yet answered, the pool's connections, and
whether the change listener answers (PostgreSQL). Two small aggregate queries, each bounded
by a second: a database that does not answer leaves its series out
(``cunjiang_scrape_database_ok`` says so) and /metrics still answers with everything else."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import msgspec
from prometheus_client import REGISTRY
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from backend.db import counters, probes
from backend.outbox.backlog import Backlog, backlog
from backend.sms import inbox

log = logging.getLogger("cunjiang.ops")

TIMEOUT_S = 1.0


class Levels(msgspec.Struct, frozen=True):
    outbox: Backlog
    inbox_waiting: int


_levels: Levels | None = None
_listening: bool | None = None  # None: no listener to have (SQLite)


async def read_levels() -> None:
    """Read the levels for the scrape under way (the endpoint's ``before_request``)."""
    global _levels, _listening
    _listening = await counters.is_listening(TIMEOUT_S) if counters.needs_listener() else None
    try:
        outbox = await asyncio.wait_for(backlog(), TIMEOUT_S)
        waiting = await asyncio.wait_for(inbox.backlog(), TIMEOUT_S)
    except Exception as error:  # the database down: the other series still matter
        log.warning("metrics: database levels not read (%s: %s)", type(error).__name__, error)
        _levels = None
        return
    _levels = Levels(outbox=outbox, inbox_waiting=waiting)


class _DatabaseLevels(Collector):
    """What :func:`read_levels` read last, as Prometheus families."""

    def describe(self) -> Iterator[GaugeMetricFamily]:
        return iter(_families(None))

    def collect(self) -> Iterator[GaugeMetricFamily]:
        return iter(_families(_levels))


def _families(levels: Levels | None) -> list[GaugeMetricFamily]:
    ok = GaugeMetricFamily("cunjiang_scrape_database_ok", "1 when this scrape read the database's levels, else 0.")
    messages = GaugeMetricFamily(
        "cunjiang_outbox_messages", "Outbound messages in the outbox, by status.", labels=["status"]
    )
    oldest = GaugeMetricFamily(
        "cunjiang_outbox_oldest_due_seconds",
        "How long the oldest message a sender may take now has waited for one (0 when none waits).",
    )
    waiting = GaugeMetricFamily(
        "cunjiang_sms_inbox_backlog", "Villagers' SMS stored but not yet answered by the conversation."
    )
    pool = GaugeMetricFamily(
        "cunjiang_db_pool_connections", "PostgreSQL pool connections of this process, by state.", labels=["state"]
    )
    listener = GaugeMetricFamily(
        "cunjiang_change_listener_up",
        "1 while this process's change listener answers (PostgreSQL; absent on SQLite), else 0: /readyz fails.",
    )
    if _listening is not None:
        listener.add_metric([], 1 if _listening else 0)
    if levels is not None:
        for status, count in sorted(levels.outbox.messages.items()):
            messages.add_metric([status], count)
        oldest.add_metric([], levels.outbox.oldest_due_s)
        waiting.add_metric([], levels.inbox_waiting)
    ok.add_metric([], 0 if levels is None else 1)
    usage = probes.pool_in_use()
    if usage is not None:
        pool.add_metric(["in_use"], usage[0])
        pool.add_metric(["idle"], usage[1])
    return [ok, messages, oldest, waiting, pool, listener]


REGISTRY.register(_DatabaseLevels())
