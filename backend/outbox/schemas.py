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


class SmsMessageRead(Wire):
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
    messages: list[SmsMessageRead]
    cursor: str | None = None


class MonthUsage(Wire):
    month: str  # 2026-11, China time
    messages: int  # sent to the provider (merged offers count once)
    segments: int  # what the provider charges


class SmsUsage(Wire):
    months: list[MonthUsage]
