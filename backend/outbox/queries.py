"""What the outbox shows a brand's coordinators: each message and why it waits, and the cost."""

from __future__ import annotations

import datetime as dt
from typing import Any

from backend.core.access import STAFF, require_role
from backend.core.i18n import N_, translate
from backend.core.phones import mask_phone, normalize_phone
from backend.core.types import CHINA_TZ, Principal, as_datetime, utcnow
from backend.db.session import is_sqlite, run
from backend.outbox.schemas import MessageStatus, MonthUsage, SmsMessageList, SmsMessageRead, SmsUsage
from backend.sms.templates import keys_with

PAGE = 100
LIST = """
SELECT id, to_phone, kind, body, status, held_reason, merged_into, segments, created_at, sent_at, next_attempt_at
FROM outbox_message WHERE brand = {} {filters} ORDER BY id DESC LIMIT {}
"""
FILTERS = {
    MessageStatus.HELD: "AND status = 'pending' AND held_reason != '' AND next_attempt_at > {}",
    MessageStatus.PENDING: "AND status = 'pending' AND (held_reason = '' OR next_attempt_at <= {})",
}
# The month in China time (UTC+8 all year), counted by the database.
MONTH = {
    "sqlite": "strftime('%Y-%m', sent_at, '+8 hours')",
    "postgres": "to_char(sent_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')",
}
USAGE = """
SELECT {month} AS month, COUNT(*) AS messages, SUM(segments) AS segments FROM outbox_message
WHERE brand = {} AND sent_at >= {} AND status IN ('sent', 'delivered', 'undelivered', 'unconfirmed')
GROUP BY 1
"""
HIDDEN = N_("(sign-in code, not shown)")


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
    shown = [_read(row, ours, actor.locale) for row in rows[:PAGE]]
    return SmsMessageList(messages=shown, cursor=str(rows[PAGE - 1]["id"]) if len(rows) > PAGE else None)


async def _own_numbers(actor: Principal, phones: set[str]) -> set[str]:
    if not phones:
        return set()
    marks = ", ".join("{}" for _ in phones)
    rows = await run(f"SELECT phone FROM member WHERE brand = {{}} AND phone IN ({marks})", actor.brand_id, *phones)  # noqa: S608
    return {row["phone"] for row in rows}


def _read(row: dict[str, Any], ours: set[str], locale: str) -> SmsMessageRead:
    secret = row["kind"] in keys_with("secret")
    return SmsMessageRead(
        id=row["id"],
        to=row["to_phone"] if row["to_phone"] in ours else mask_phone(row["to_phone"]),
        kind=row["kind"],
        body=translate(HIDDEN, locale) if secret else row["body"],
        status=row["status"],
        held_reason=row["held_reason"],
        merged_into=row["merged_into"],
        segments=row["segments"],
        created_at=as_datetime(row["created_at"]),
        sent_at=as_datetime(row["sent_at"]) if row["sent_at"] else None,
        next_attempt_at=as_datetime(row["next_attempt_at"]),
    )


async def usage(actor: Principal, months: int = 12) -> SmsUsage:
    """SMS sent and their segments per month (China time), the last ``months`` months."""
    require_role(actor, *STAFF)
    today = utcnow().astimezone(CHINA_TZ).date()
    first = _month_start(today, months - 1)
    since = dt.datetime.combine(first, dt.time(), tzinfo=CHINA_TZ)
    sql = USAGE.replace("{month}", MONTH["sqlite" if is_sqlite() else "postgres"])
    counts = {row["month"]: (row["messages"], row["segments"] or 0) for row in await run(sql, actor.brand_id, since)}
    keys = [_month_start(today, back).strftime("%Y-%m") for back in range(months - 1, -1, -1)]
    return SmsUsage(
        months=[
            MonthUsage(month=key, messages=counts.get(key, (0, 0))[0], segments=counts.get(key, (0, 0))[1])
            for key in keys
        ]
    )


def _month_start(day: dt.date, back: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)
