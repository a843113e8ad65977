"""What the outbox shows a brand's coordinators: each message and why it waits, and the cost."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from backend.accounts.service import brands_of
from backend.core.access import STAFF, require_role
from backend.core.china_time import china_months, china_today, start_of_day
from backend.core.phones import mask_phone, normalize_phone
from backend.core.types import Principal, as_datetime, utcnow
from backend.db.session import china_date_sql, china_month_sql, run
from backend.outbox.schemas import (
    CallMonth,
    CallUsage,
    DayUsage,
    MessageStatus,
    MonthUsage,
    OutboxMessageRead,
    SmsDailyUsage,
    SmsMessageList,
    SmsUsage,
    StatusCounts,
)
from backend.outbox.status import Status

PAGE = 100
LIST = """
SELECT id, to_phone, kind, body, status, held_reason, merged_into, segments, created_at, sent_at, next_attempt_at
FROM outbox_message WHERE brand = {} {filters} ORDER BY id DESC LIMIT {}
"""
FILTERS = {
    MessageStatus.HELD: f"AND status = '{Status.PENDING}' AND held_reason != '' AND next_attempt_at > {{}}",
    MessageStatus.PENDING: f"AND status = '{Status.PENDING}' AND (held_reason = '' OR next_attempt_at <= {{}})",
}
# A message counts on the day (month) it was handed to the provider or, never sent (held,
# merged, refused, opted out), on the day it was queued: China time.
COUNTED_AT = "COALESCE(sent_at, created_at)"
BUCKET = {"month": china_month_sql, "day": china_date_sql}
# Pending messages that the budget holds back are shown as held (as the list's filter does).
COUNTS = """
SELECT {bucket} AS bucket,
  CASE WHEN status = '{PENDING}' AND held_reason != '' AND next_attempt_at > {} THEN 'held' ELSE status END AS shown,
  COUNT(*) AS messages, COALESCE(SUM(segments), 0) AS segments
FROM outbox_message WHERE brand = {} AND COALESCE(sent_at, created_at) >= {}
GROUP BY 1, 2
""".replace("{PENDING}", Status.PENDING.value)
CALLS = """
SELECT {bucket} AS bucket, COALESCE(SUM(attempts), 0) AS calls,
  SUM(CASE WHEN status = 'answered' THEN 1 ELSE 0 END) AS answered,
  SUM(CASE WHEN key_pressed != '' THEN 1 ELSE 0 END) AS keys_pressed, COALESCE(SUM(cost_fen), 0) AS cost_fen,
  COALESCE(SUM(CASE WHEN cost_estimated THEN cost_fen ELSE 0 END), 0) AS cost_estimated_fen
FROM voice_call WHERE brand = {} AND called_at >= {}
GROUP BY 1
"""
CALL_FIGURES = ("calls", "answered", "keys_pressed", "cost_fen", "cost_estimated_fen")
# Handed to the provider: what it charges for.
SENT = (MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.UNDELIVERED, MessageStatus.UNCONFIRMED)


async def list_messages(
    actor: Principal, *, phone: str | None = None, status: MessageStatus | None = None, cursor: int | None = None
) -> SmsMessageList:
    """The brand's SMS, newest first, a page at a time; by number and by status."""
    require_role(actor, *STAFF)
    filters, params = "", list[object]()
    if phone:
        filters += "AND to_phone = {} "
        params.append(normalize_phone(phone))
    if status in FILTERS:
        filters += FILTERS[status] + " "
        params.append(utcnow())
    elif status is not None:
        filters += "AND status = {} "
        params.append(status.value)
    if cursor:
        filters += "AND id < {} "
        params.append(cursor)
    rows = await run(LIST.replace("{filters}", filters), actor.brand_id, *params, PAGE + 1)
    ours = await _own_numbers(actor, {row["to_phone"] for row in rows})
    shown = [_read(row, ours) for row in rows[:PAGE]]
    return SmsMessageList(messages=shown, cursor=str(rows[PAGE - 1]["id"]) if len(rows) > PAGE else None)


async def _own_numbers(actor: Principal, phones: set[str]) -> set[str]:
    return {phone for phone, brand in (await brands_of(phones)).items() if brand == actor.brand_id}


def _read(row: dict[str, Any], ours: set[str]) -> OutboxMessageRead:
    return OutboxMessageRead(
        id=row["id"],
        to=row["to_phone"] if row["to_phone"] in ours else mask_phone(row["to_phone"]),
        kind=row["kind"],
        body=row["body"],  # a sign-in code's text is stored without its digits (outbox.rows)
        status=row["status"],
        held_reason=row["held_reason"],
        merged_into=row["merged_into"],
        segments=row["segments"],
        created_at=as_datetime(row["created_at"]),
        sent_at=as_datetime(row["sent_at"]) if row["sent_at"] else None,
        next_attempt_at=as_datetime(row["next_attempt_at"]),
    )


Counts = dict[str, dict[str, tuple[int, int]]]  # period → shown status → (messages, segments)


async def _counts(brand_id: int, first: dt.date, unit: Literal["month", "day"]) -> Counts:
    """Messages and segments by period (``unit``: month or day, China time) and status, from ``first`` on."""
    sql = COUNTS.replace("{bucket}", BUCKET[unit](COUNTED_AT))
    counts: Counts = {}
    for row in await run(sql, utcnow(), brand_id, start_of_day(first)):
        # a day comes as ISO text (SQLite) or a date (PostgreSQL): its ISO form is the key
        counts.setdefault(str(row["bucket"]), {})[row["shown"]] = (int(row["messages"]), int(row["segments"]))
    return counts


def _sent(by_status: dict[str, tuple[int, int]]) -> tuple[int, int]:
    handed = [by_status.get(status.value, (0, 0)) for status in SENT]
    return sum(messages for messages, _ in handed), sum(segments for _, segments in handed)


async def usage(actor: Principal, months: int = 12) -> SmsUsage:
    """SMS sent and their segments per month (China time), the last ``months`` months."""
    require_role(actor, *STAFF)
    firsts = china_months(months)
    counts = await _counts(actor.brand_id, firsts[0], "month")
    shown = []
    for first in firsts:
        key = first.strftime("%Y-%m")
        messages, segments = _sent(counts.get(key, {}))
        shown.append(MonthUsage(month=key, messages=messages, segments=segments))
    return SmsUsage(months=shown)


async def daily_usage(actor: Principal, days: int = 30) -> SmsDailyUsage:
    """Per day (China time), the last ``days`` days: SMS sent and their segments (the cost),
    and every message of the day by where it stands now (sent, delivered, failed, held…)."""
    require_role(actor, *STAFF)
    today = china_today()
    shown_days = [today - dt.timedelta(days=back) for back in range(days - 1, -1, -1)]
    counts = await _counts(actor.brand_id, shown_days[0], "day")
    shown = []
    for day in shown_days:
        by_status = counts.get(day.isoformat(), {})
        messages, segments = _sent(by_status)
        statuses = StatusCounts(**{status.value: by_status.get(status.value, (0, 0))[0] for status in MessageStatus})
        shown.append(DayUsage(day=day.isoformat(), messages=messages, segments=segments, by_status=statuses))
    return SmsDailyUsage(days=shown)


async def call_usage(actor: Principal, months: int = 6) -> CallUsage:
    """Voice calls per month (China time, by when each was last placed), the last ``months``
    months: placed, answered, with keys pressed, and their cost (and the part of it we
    estimated, where the provider said none), beside the SMS figures."""
    require_role(actor, *STAFF)
    firsts = china_months(months)
    sql = CALLS.replace("{bucket}", china_month_sql("called_at"))
    counted = {str(row["bucket"]): row for row in await run(sql, actor.brand_id, start_of_day(firsts[0]))}
    shown = []
    for first in firsts:
        key = first.strftime("%Y-%m")
        row = counted.get(key, {})
        figures = {name: int(row.get(name) or 0) for name in CALL_FIGURES}
        shown.append(CallMonth(month=key, **figures))
    return CallUsage(months=shown)
