"""How much waits in the outbox, for the operators' metrics: messages by status and how
long the oldest due one has waited. One aggregate over the status index."""

from __future__ import annotations

import datetime as dt

import msgspec

from backend.core.types import as_datetime, utcnow
from backend.db.session import fetch
from backend.outbox.status import DUE, Status

# The oldest moment a due message became due, per status (those not yet due: NULL).
LEVELS = """
SELECT status, COUNT(*) AS messages, MIN(CASE WHEN next_attempt_at <= {} THEN next_attempt_at END) AS due_since
FROM outbox_message GROUP BY status
"""
DUE_NAMES = {status.value for status in DUE}


class Backlog(msgspec.Struct, frozen=True):
    messages: dict[str, int]  # every status of ours (0 when none), and any a provider reported
    oldest_due_s: float  # how long the oldest due message has waited for a sender; 0 when none


async def backlog(now: dt.datetime | None = None) -> Backlog:
    """The outbox's messages by status, and the age of the oldest one a sender may take now.

    Due means what a sender would claim: pending or leased messages whose time has come, so
    a message held until morning (quiet hours) is not due, and one whose lease ran out is.
    """
    now = now or utcnow()
    rows = await fetch(LEVELS, (now,))
    messages = {status.value: 0 for status in Status}
    oldest: dt.datetime | None = None
    for row in rows:
        status = str(row["status"])
        messages[status] = int(row["messages"])
        if status in DUE_NAMES and row["due_since"] is not None:
            since = as_datetime(row["due_since"])
            oldest = since if oldest is None else min(oldest, since)
    age = (now - oldest).total_seconds() if oldest is not None else 0.0
    return Backlog(messages=messages, oldest_due_s=max(age, 0.0))
