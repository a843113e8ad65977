"""Wire types of what the outbox shows coordinators: messages and what they cost."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from backend.core.types import Wire


class MessageStatus(StrEnum):
    PENDING = "pending"
    HELD = "held"  # pending, held back by the budget (quiet hours, the daily cap…)
    SENDING = "sending"
    UNCONFIRMED = "unconfirmed"
    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    SUPPRESSED = "suppressed"
    MERGED = "merged"


class OutboxMessageRead(Wire):
    id: int
    to: str  # masked unless the number is one of the brand's own people
    kind: str  # the template key
    body: str  # sign-in codes are not shown
    status: str
    held_reason: str
    merged_into: int | None
    segments: int
    created_at: dt.datetime
    sent_at: dt.datetime | None
    next_attempt_at: dt.datetime


class SmsMessageList(Wire):
    messages: list[OutboxMessageRead]
    cursor: str | None = None


class MonthUsage(Wire):
    month: str  # 2026-11, China time
    messages: int  # sent to the provider (merged offers count once)
    segments: int  # what the provider charges


class SmsUsage(Wire):
    months: list[MonthUsage]


class CallMonth(Wire):
    """Voice calls in a month (China time), counted by when each was last placed."""

    month: str  # 2026-11
    calls: int  # attempts handed to the voice gateway
    answered: int  # calls whose key answered the question
    keys_pressed: int  # calls in which keys were pressed (an answer, or keys outside the menu)
    cost_fen: int  # what the calls cost: as the provider said, else estimated (CUNJIANG_VOICE_FEN_PER_MINUTE)
    cost_estimated_fen: int  # the part of cost_fen we estimated (minutes started × the price a minute)


class CallUsage(Wire):
    months: list[CallMonth]


class StatusCounts(Wire):
    """Messages by where they stand now (``held``: pending, held back by the budget)."""

    pending: int
    held: int
    sending: int
    unconfirmed: int
    sent: int
    delivered: int
    undelivered: int
    failed: int
    suppressed: int
    merged: int


class DayUsage(Wire):
    day: str  # 2026-11-30, China time
    messages: int  # handed to the provider that day (sent, delivered, undelivered, unconfirmed)
    segments: int  # their segments: what the provider charges
    # Every message of the day (sent that day, or queued that day and never sent), by status.
    by_status: StatusCounts


class SmsDailyUsage(Wire):
    days: list[DayUsage]
