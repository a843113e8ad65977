"""Wire types of the SMS simulator and of pushed items set aside (dead letters)."""

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


class ConversationLine(Wire):
    """One message of a simulated conversation, either way."""

    direction: Direction
    body: str
    at: dt.datetime
    kind: str  # the template key (out) or what the conversation did with it (in)
    status: str  # out: pending, sent, delivered, suppressed…; in: answered or waiting


class SmsConversation(Wire):
    phone: str
    messages: list[ConversationLine]


class PushKind(StrEnum):
    """What a provider pushes us."""

    UP = "up"  # villagers' replies (Aliyun's 上行, SmsUp)
    REPORT = "report"  # delivery reports (SmsReport)
    VOICE_REPORT = "voice_report"  # what calls did (VoiceCallReport, VoiceReport)


class DeadLetterReason(StrEnum):
    """Why an item of a push could not be used (a stable code; ``detail`` says more)."""

    NOT_AN_OBJECT = "not_an_object"  # a number, a string, an array… where a message was due
    UNREADABLE_JSON = "unreadable_json"  # text that is not UTF-8, a lone surrogate, nested too deep
    MISSING_FIELD = "missing_field"
    INVALID_FIELD = "invalid_field"  # a value of the wrong type
    INVALID_ID = "invalid_id"  # an id that cannot be stored: blank, too long, control characters
    UNREADABLE_PHONE = "unreadable_phone"
    TOO_LONG = "too_long"  # a text longer than we keep
    INVALID_TEXT = "invalid_text"  # a character no database column takes (NUL)
    DUPLICATE_ID = "duplicate_id"  # the provider's id names another message already stored
    UNKNOWN_MESSAGE = "unknown_message"  # a report that matches no message of ours
    UNKNOWN_CALL = "unknown_call"  # a voice report that matches no call of ours


class DeadLetterRead(Wire):
    id: int
    provider: str
    kind: PushKind
    reason: DeadLetterReason
    reason_text: str  # the reason in the reader's language
    detail: str  # a few English words, for an operator
    item: str  # the item as it came (JSON text), numbers of 6+ digits masked unless one of the brand's phones
    received_at: dt.datetime


class DeadLetterList(Wire):
    dead_letters: list[DeadLetterRead]
    unattributed: int  # set aside without a brand (they are not shown to brands): `cunjiang sms dead-letters`
    cursor: str | None = None
