"""Cunjiang's own Prometheus series (``cunjiang_…``) for what happens in a process: sends to
the SMS providers, the worker's rounds, the photo store's failures. They are counted where
it happens; the levels read from the database at scrape time (the outbox, the inbox) live
with the endpoint, in ``backend.ops``. Every process has its own: an API process shows
them at ``/metrics``, a ``cunjiang worker`` on its ``--metrics-port``."""

from __future__ import annotations

import time
from collections.abc import Iterator
from enum import StrEnum

from prometheus_client import REGISTRY, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector


class SendOutcome(StrEnum):
    """What became of messages handed to a provider in one call."""

    SENT = "sent"
    RETRY = "retry"  # refused for now: tried again after a backoff
    FAILED = "failed"  # refused for good, or out of attempts
    SUPPRESSED = "suppressed"  # the provider says the number opted out
    UNCONFIRMED = "unconfirmed"  # unanswered: looked up at the provider, not resent


class ProviderCall(StrEnum):
    SEND = "send"
    SEND_BATCH = "send_batch"
    LOOK_UP = "look_up"


# A provider call gives up after 15 s (backend.gateways.base.SEND_TIMEOUT_S).
PROVIDER_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0)

OUTBOX_SENDS = Counter(
    "cunjiang_outbox_sends",
    "Messages the outbox handed to an SMS provider, by provider and outcome.",
    ["provider", "outcome"],
)
PROVIDER_SECONDS = Histogram(
    "cunjiang_outbox_provider_seconds",
    "How long an SMS provider took to answer a call (a timeout counts as its full wait).",
    ["provider", "call"],
    buckets=PROVIDER_BUCKETS,
)
WORKER_FAILED_ROUNDS = Counter("cunjiang_worker_failed_rounds", "Worker rounds that ended in an error (logged).")
PHOTO_STORE_ERRORS = Counter(
    "cunjiang_photo_store_errors",
    "Photo store operations that failed, by store (local, s3) and operation (put, get).",
    ["store", "operation"],
)

WORKER_LAST_ROUND = "cunjiang_worker_last_round_timestamp_seconds"
_last_round: float | None = None


class _WorkerRounds(Collector):
    """The worker's last round, shown only by a process that has run one: an API process
    without a worker must not look like a worker stuck since 1970."""

    def describe(self) -> Iterator[GaugeMetricFamily]:
        yield self._family()

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = self._family()
        if _last_round is not None:
            family.add_metric([], _last_round)
        yield family

    @staticmethod
    def _family() -> GaugeMetricFamily:
        return GaugeMetricFamily(WORKER_LAST_ROUND, "When this process's worker last finished a round (unix time).")


REGISTRY.register(_WorkerRounds())


def worker_round_done() -> None:
    """The worker finished a round: the gauge, and what readiness reports of it."""
    global _last_round
    _last_round = time.time()


def worker_last_round() -> float | None:
    """When this process's worker last finished a round (unix time), None if it has none."""
    return _last_round
