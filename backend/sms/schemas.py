"""Wire types of the SMS simulator."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

import msgspec

from backend.core.types import PhoneText, Wire

SmsText = Annotated[str, msgspec.Meta(max_length=1600, description="What the villager types (any text).")]
MessageId = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[A-Za-z0-9_-]{8,64}$",
        description="Made by the page for each message: a resent message has one effect, as a MessageSid.",
    ),
]


class Direction(StrEnum):
    IN = "in"  # the villager's
    OUT = "out"  # Cunjiang's


class SimulatedSms(Wire):
    phone: PhoneText
    body: SmsText
    id: MessageId | None = None


class SmsMessageRead(Wire):
    direction: Direction
    body: str
    at: dt.datetime
    kind: str  # the template key (out) or what the conversation did with it (in)
    status: str  # out: pending, sent, delivered, suppressed…; in: answered or waiting


class SmsConversation(Wire):
    phone: str
    messages: list[SmsMessageRead]
