"""Monotonic counters bumped inside write transactions."""

from __future__ import annotations

from backend.db.tables import Counter

JOB_CHANGES = "job_changes"


async def bump(name: str = JOB_CHANGES) -> int:
    """The counter's next value; call inside a write transaction.

    The counter row stays locked until the transaction commits, so values become visible
    in order: a client reading the job feed ``since=N`` never skips a change.
    """
    rows = await Counter.update({Counter.value: Counter.value + 1}).where(Counter.name == name).returning(Counter.value)
    return int(rows[0]["value"])
