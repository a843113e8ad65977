"""Twilio's webhooks: delivery status callbacks (inbound conversations come with the SMS flows)."""

from __future__ import annotations

from typing import Any

from litestar import Request, post
from litestar.params import URLEncodedBody

from backend.outbox import record_status
from backend.sms.signatures import verify_twilio

STATUS_PATH = "/sms/twilio/status"


@post(STATUS_PATH, status_code=204, include_in_schema=False)
async def twilio_status(
    request: Request[Any, Any, Any],
    data: URLEncodedBody[dict[str, str]],
) -> None:
    """Twilio reports a message's delivery (queued, sent, delivered, undelivered, failed)."""
    verify_twilio(STATUS_PATH, data, request.headers.get("x-twilio-signature"))
    sid, status = data.get("MessageSid", ""), data.get("MessageStatus", "")
    if sid and status:
        await record_status(sid, status)
