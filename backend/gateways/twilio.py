"""Twilio: delivery through its REST API with the official client (any base URL, for tests),
and what its webhooks carry: the signature checked against the public address, the inbound
message and the status report read from the form."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import msgspec
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from backend.core.errors import Forbidden
from backend.core.i18n import N_
from backend.core.settings import get_settings
from backend.gateways.base import SEND_TIMEOUT_S, SendError, SendResult, Sms

DEFAULT_CONCURRENCY = 20  # threads: one per message of the outbox's batch

# Twilio answers 4xx for numbers that can never work (invalid, unsubscribed): no retry.
RETRYABLE_STATUS = {408, 409, 429}
UNSUBSCRIBED = 21610  # "Attempt to send to unsubscribed recipient": the person replied STOP


class TwilioGateway:
    name = "twilio"

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        sender: str,
        *,
        api_base: str,
        status_callback: str | None = None,
        timeout_s: float = SEND_TIMEOUT_S,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> None:
        # The client has no timeout of its own: a slow Twilio would hold a sender past its lease.
        self._client = Client(account_sid, auth_token, http_client=TwilioHttpClient(timeout=timeout_s))
        self._client.api.base_url = api_base.rstrip("/")
        # A batch is sent at once: a thread each, so that no call waits for a thread and
        # spends its timeout in a queue (the default pool has cores + 4 threads).
        self._threads = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="twilio")
        self._sender = sender
        self._status_callback = status_callback

    def _create(self, to_phone: str, body: str) -> Any:
        sender = {"messaging_service_sid": self._sender} if self._sender.startswith("MG") else {"from_": self._sender}
        extra = {"status_callback": self._status_callback} if self._status_callback else {}
        return self._client.messages.create(to=to_phone, body=body, **sender, **extra)

    async def send(self, message: Sms) -> SendResult:
        try:
            # The client is blocking (requests): keep it off the event loop.
            created = await asyncio.get_running_loop().run_in_executor(
                self._threads, self._create, message.to_phone, message.body
            )
        except TwilioRestException as error:
            permanent = 400 <= error.status < 500 and error.status not in RETRYABLE_STATUS
            raise SendError(
                f"twilio {error.status} {error.code}: {error.msg}",
                permanent=permanent,
                unsubscribed=error.code == UNSUBSCRIBED,
            ) from error
        except (TwilioException, OSError) as error:
            raise SendError(f"twilio unreachable: {error}") from error
        return SendResult(provider_sid=str(created.sid))


def verify_signature(path: str, form: Mapping[str, str], signature: str | None) -> None:
    """Refuse a webhook whose ``X-Twilio-Signature`` does not match (or when no token is set)."""
    settings = get_settings()
    token = settings.twilio_auth_token
    url = settings.public_url + path
    if not token or not signature or not RequestValidator(token).validate(url, dict(form), signature):
        raise Forbidden(N_("The webhook signature is not valid."))


class Inbound(msgspec.Struct, frozen=True):
    """A villager's SMS as Twilio posts it."""

    sid: str
    from_phone: str
    to_phone: str
    body: str


def inbound(form: Mapping[str, str]) -> Inbound:
    return Inbound(form.get("MessageSid", ""), form.get("From", ""), form.get("To", ""), form.get("Body", ""))


class StatusReport(msgspec.Struct, frozen=True):
    """A delivery report (Twilio's status callback); ``error_code`` 21610: the number unsubscribed."""

    sid: str
    status: str
    error_code: str


def status_report(form: Mapping[str, str]) -> StatusReport | None:
    """The report, or None when the form lacks the message or its status."""
    sid, status = form.get("MessageSid", ""), form.get("MessageStatus", "")
    return StatusReport(sid, status, form.get("ErrorCode", "")) if sid and status else None
