"""What each number was last asked: an offer, a payment. A bare "1" answers it, for a while.

Cunjiang asks by sending a flow's entry step (``ask``); the question is remembered per
number until ``CUNJIANG_SMS_MEMORY_HOURS`` (default 72, RapidPro's three days) have passed.
A newer question replaces the older one; an older item is still reached by its code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from backend.core.settings import get_settings
from backend.core.types import utcnow
from backend.db.session import run
from backend.outbox import Outgoing, enqueue_many
from backend.sms.flows import flows
from backend.sms.templates import Value, render

REMEMBER = """
INSERT INTO sms_conversation (phone, flow, item_id, code, asked_at, expires_at) VALUES {rows}
ON CONFLICT (phone) DO UPDATE SET flow = excluded.flow, item_id = excluded.item_id,
  code = excluded.code, asked_at = excluded.asked_at, expires_at = excluded.expires_at
"""
ROWS_PER_STATEMENT = 4000  # six parameters a row, under PostgreSQL's 32,767


class Question(msgspec.Struct, frozen=True, kw_only=True):
    """Ask a person about an item with a flow's entry step (``offer`` about a job…)."""

    flow: str
    phone: str
    locale: str
    member_id: int
    brand_id: int
    item_id: int
    code: str
    values: dict[str, Value]


def question(
    flow: str, person: Mapping[str, Any], brand_id: int, item_id: int, item_code: str, /, **values: Value
) -> Question:
    """Ask ``person`` (a member row: id, phone, locale) about an item with ``flow``'s entry
    step, which shows ``values``."""
    return Question(
        flow=flow,
        phone=person["phone"],
        locale=person["locale"],
        member_id=person["id"],
        brand_id=brand_id,
        item_id=item_id,
        code=item_code,
        values=values,
    )


class Remembered(msgspec.Struct, frozen=True):
    flow: str
    item_id: int
    code: str


def memory() -> dt.timedelta:
    return dt.timedelta(hours=get_settings().sms_memory_hours)


async def ask(questions: Sequence[Question]) -> None:
    """Send each question (through the outbox) and remember it; inside the causing transaction."""
    if not questions:
        return
    await enqueue_many([_outgoing(question) for question in questions])
    now = utcnow()
    await remember([(q.phone, q.flow, q.item_id, q.code) for q in questions], now)


def _outgoing(question: Question) -> Outgoing:
    key = flows().entry(question.flow).message
    message = render(key, question.locale, **question.values)
    return Outgoing(to_phone=question.phone, message=message, brand_id=question.brand_id, member_id=question.member_id)


async def remember(asked: Sequence[tuple[str, str, int, str]], now: dt.datetime) -> None:
    """(phone, flow, item id, code) asked now; the latest question per number wins."""
    latest = {phone: (phone, flow, item, code, now, now + memory()) for phone, flow, item, code in asked}
    rows = list(latest.values())
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        batch = rows[start : start + ROWS_PER_STATEMENT]
        marks = ", ".join("({}, {}, {}, {}, {}, {})" for _ in batch)
        await run(REMEMBER.replace("{rows}", marks), *(value for row in batch for value in row))


async def recall(phone: str) -> Remembered | None:
    """What ``phone`` was last asked, unless it was too long ago."""
    rows = await run(
        "SELECT flow, item_id, code FROM sms_conversation WHERE phone = {} AND expires_at > {}", phone, utcnow()
    )
    return Remembered(rows[0]["flow"], rows[0]["item_id"], rows[0]["code"]) if rows else None
