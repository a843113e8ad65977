"""The SMS gateway port and its console implementation (no credentials needed)."""

from __future__ import annotations

import logging
import uuid
from typing import Protocol

import msgspec

from backend.core.phones import mask_phone

log = logging.getLogger("cunjiang.sms")


class SendResult(msgspec.Struct, frozen=True):
    provider_sid: str


class SendError(Exception):
    """Delivery failed; ``permanent`` means retrying cannot help (a bad number), and
    ``unsubscribed`` that the number opted out at the gateway (Twilio's error 21610)."""

    def __init__(self, message: str, *, permanent: bool = False, unsubscribed: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent or unsubscribed
        self.unsubscribed = unsubscribed


class SmsGateway(Protocol):
    name: str

    async def send(self, to_phone: str, body: str) -> SendResult: ...


class ConsoleGateway:
    """Writes messages to the server log; the SMS simulator page reads them from the outbox."""

    name = "console"

    async def send(self, to_phone: str, body: str) -> SendResult:
        log.info("SMS to %s: %s", mask_phone(to_phone), body)
        return SendResult(provider_sid=f"console-{uuid.uuid4().hex[:24]}")
