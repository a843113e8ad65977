"""The console gateway: no provider, no credentials. Messages go to the server log (how a
demo's operator reads a sign-in code) and the SMS simulator page reads them from the outbox."""

from __future__ import annotations

import logging
import uuid

from backend.core.phones import mask_phone
from backend.gateways.base import SendResult, Sms
from backend.gateways.calls import Call, Placed

log = logging.getLogger("cunjiang.sms")


class ConsoleGateway:
    """Writes messages to the server log; the SMS simulator page reads them from the outbox."""

    name = "console"

    async def send(self, message: Sms) -> SendResult:
        log.info("SMS to %s: %s", mask_phone(message.to_phone), message.body)
        return SendResult(provider_sid=f"console-{uuid.uuid4().hex[:24]}")


class ConsoleCaller:
    """Places no call: the prompt goes to the server log. Keys are pressed for it through
    ``backend.voice.reports`` (the console's call view, ``backend.voice.simulator``, which lists
    the calls it placed; and the tests)."""

    name = "console"

    async def call(self, call: Call) -> Placed:
        log.info("Call to %s: %s", mask_phone(call.to_phone), call.words)
        return Placed(provider_call_id=f"console-{uuid.uuid4().hex[:24]}")
