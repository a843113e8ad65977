"""``cunjiang probe``: the health check of a container or a unit, which may have no curl.

An API process is healthy when its ``/readyz`` answers 200; a worker when its ``/metrics``
shows a round finished recently (its heartbeat, ``cunjiang_worker_last_round_timestamp_seconds``).
The answer is an exit status and one line saying why, as Docker's and systemd's checks expect.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

from backend.core.metrics import WORKER_LAST_ROUND as HEARTBEAT


class Unhealthy(Exception):
    """Why the probed process is not healthy, in a line."""


def probe(url: str, *, heartbeat_within: float | None = None, timeout: float = 2.0) -> str:
    """Ask ``url``; with ``heartbeat_within``, also require a worker round that recent.

    Returns what was seen, in a line; raises :class:`Unhealthy` saying what was not.
    """
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:  # noqa: S310 - an operator's own URL
            body = answer.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        raise Unhealthy(f"{url} answered {error.code}") from error
    except (urllib.error.URLError, OSError) as error:
        raise Unhealthy(f"{url} did not answer: {getattr(error, 'reason', error)}") from error
    if heartbeat_within is None:
        return f"{url} answered 200"
    last = last_round(body)
    if last is None:
        raise Unhealthy(f"{url} shows no worker round yet ({HEARTBEAT})")
    age = time.time() - last
    if age > heartbeat_within:
        raise Unhealthy(f"the worker's last round was {age:.0f} s ago (more than {heartbeat_within:.0f} s)")
    return f"the worker's last round was {age:.0f} s ago"


def last_round(metrics_text: str) -> float | None:
    """The worker's heartbeat in a Prometheus exposition, or ``None`` before its first round."""
    for family in text_string_to_metric_families(metrics_text):
        if family.name == HEARTBEAT:
            values = [sample.value for sample in family.samples if sample.value > 0]
            return max(values, default=None)
    return None
