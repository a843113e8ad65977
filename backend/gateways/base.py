"""The SMS gateway port: what every provider (``console``, ``twilio``, ``aliyun``) offers.

A gateway gets the whole message: the text (for gateways that send text: Twilio, the
console) and the template key with its formatted variables (for gateways that send
registered templates: Aliyun). A gateway that can send one template to many numbers in one
call offers ``send_batch``; one whose sends are not idempotent offers ``look_up``, so that a
send whose answer never came is reconciled instead of sent twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum
from typing import Protocol, runtime_checkable

import msgspec

# A provider call gives up after this: shorter than any lease the outbox puts on a message.
SEND_TIMEOUT_S = 15.0


class Sms(msgspec.Struct, frozen=True, kw_only=True):
    """One message on its way: ``reference`` is what the provider keeps as our id (Aliyun's
    OutId): the outbox id, or for a batch call the id of its first message."""

    id: int
    to_phone: str
    body: str
    kind: str
    variables: dict[str, str]
    locale: str
    reference: str


class SendResult(msgspec.Struct, frozen=True):
    provider_sid: str


class SendError(Exception):
    """Delivery failed. ``permanent``: retrying cannot help (a bad number). ``unsubscribed``:
    the number opted out at the gateway (Twilio's 21610). ``unknown``: the provider may have
    sent it (the call timed out), so it is looked up, not sent again blindly."""

    def __init__(
        self, message: str, *, permanent: bool = False, unsubscribed: bool = False, unknown: bool = False
    ) -> None:
        super().__init__(message)
        self.permanent = permanent or unsubscribed
        self.unsubscribed = unsubscribed
        self.unknown = unknown and not self.permanent


class Found(StrEnum):
    """What a provider knows of a message whose send went unanswered."""

    SENT = "sent"  # it has it (sent or delivered): nothing to do again
    FAILED = "failed"  # it has it, and it failed
    ABSENT = "absent"  # it never got it: send again
    UNKNOWN = "unknown"  # not yet known: ask again later


class Lookup(msgspec.Struct, frozen=True):
    found: Found
    provider_sid: str | None = None
    detail: str = ""


class SmsGateway(Protocol):
    """Sends one message; raises :class:`SendError`, and nothing else, when it cannot."""

    name: str

    async def send(self, message: Sms) -> SendResult: ...


@runtime_checkable
class BatchGateway(Protocol):
    """Sends one template to many numbers in one call (Aliyun's SendBatchSms)."""

    max_batch: int

    async def send_batch(self, messages: Sequence[Sms]) -> SendResult: ...


@runtime_checkable
class LookupGateway(Protocol):
    """Finds out whether a message whose send went unanswered reached the provider."""

    async def look_up(self, message: Sms, sent_on: dt.date) -> Lookup: ...
