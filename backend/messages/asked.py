"""What each number was last asked: an offer, a payment. A bare "1" answers it, for a while.

The question is remembered per number until ``CUNJIANG_SMS_MEMORY_HOURS`` (default 72,
RapidPro's three days) have passed. A newer question replaces the older one; an older item
is still reached by its code. Forgotten when the question is no longer one thing (several
offers merged into one SMS): a bare answer then gets "which one?".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import msgspec

from backend.core.settings import get_settings
from backend.core.types import as_datetime, utcnow
from backend.db.session import run

REMEMBER = """
INSERT INTO sms_conversation (phone, flow, item_id, code, step, asked_at, expires_at) VALUES {rows}
ON CONFLICT (phone) DO UPDATE SET flow = excluded.flow, item_id = excluded.item_id,
  code = excluded.code, step = excluded.step, asked_at = excluded.asked_at, expires_at = excluded.expires_at
"""
ROWS_PER_STATEMENT = 4000  # seven parameters a row, under PostgreSQL's 32,767


class Remembered(msgspec.Struct, frozen=True):
    flow: str
    item_id: int
    code: str
    step: str = ""  # the ask step that asked, when not the flow's entry
    asked_at: dt.datetime | None = None


def memory() -> dt.timedelta:
    return dt.timedelta(hours=get_settings().sms_memory_hours)


async def remember(asked: Sequence[tuple[str, str, int, str]], now: dt.datetime, step: str = "") -> None:
    """(phone, flow, item id, code) asked now, by ``step`` of the flow (default: its entry);
    the latest question per number wins."""
    latest = {phone: (phone, flow, item, code, step, now, now + memory()) for phone, flow, item, code in asked}
    rows = list(latest.values())
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        batch = rows[start : start + ROWS_PER_STATEMENT]
        marks = ", ".join("({}, {}, {}, {}, {}, {}, {})" for _ in batch)
        await run(REMEMBER.replace("{rows}", marks), *(value for row in batch for value in row))


async def recall(phone: str) -> Remembered | None:
    """What ``phone`` was last asked, unless it was too long ago."""
    rows = await run(
        "SELECT flow, item_id, code, step, asked_at FROM sms_conversation WHERE phone = {} AND expires_at > {}",
        phone,
        utcnow(),
    )
    if not rows:
        return None
    row = rows[0]
    return Remembered(row["flow"], row["item_id"], row["code"], row["step"], as_datetime(row["asked_at"]))


async def forget(phones: Sequence[str]) -> None:
    """Nothing asked of these numbers any more (a bare answer gets "which one?")."""
    for start in range(0, len(phones), 1000):
        batch = phones[start : start + 1000]
        marks = ", ".join("{}" for _ in batch)
        await run(f"DELETE FROM sms_conversation WHERE phone IN ({marks})", *batch)  # noqa: S608
