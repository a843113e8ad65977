"""Villagers texting Cunjiang through Twilio's signed webhook, as Twilio would send it (the token is the
one the fixture ``twilio_token`` configures)."""

from __future__ import annotations

import uuid

import httpx
from twilio.request_validator import RequestValidator

from backend.core.settings import get_settings

TOKEN = "inbound-test-token"
INBOUND = "/sms/twilio/inbound"
OUR_NUMBER = "+15005550006"


def signed(path: str, form: dict[str, str]) -> dict[str, str]:
    """Headers of a request Twilio would sign (the real ``RequestValidator``)."""
    url = get_settings().public_url + path
    return {"X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(url, form)}


def inbound_form(phone: str, body: str, sid: str | None = None) -> dict[str, str]:
    sid = f"SM{uuid.uuid4().hex}" if sid is None else sid
    return {"MessageSid": sid, "From": phone, "To": OUR_NUMBER, "Body": body}


async def text(client: httpx.AsyncClient, phone: str, body: str, sid: str | None = None) -> httpx.Response:
    """A villager's SMS as Twilio delivers it; the conversation answers before this returns."""
    form = inbound_form(phone, body, sid)
    response = await client.post(INBOUND, data=form, headers=signed(INBOUND, form))
    assert response.status_code == 200, response.text
    return response
