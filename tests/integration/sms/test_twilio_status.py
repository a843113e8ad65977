"""Twilio's signed status callbacks update the messages they report on (sending through Twilio:
gateways/test_twilio.py)."""

from __future__ import annotations

import httpx
from twilio.request_validator import RequestValidator

from backend.core.settings import get_settings
from backend.db.session import write_transaction
from backend.outbox import enqueue
from backend.outbox.tables import OutboxMessage
from tests import support
from tests.fakes.twilio_server import FakeTwilio
from tests.integration.gateways.twilio_setup import SID, TOKEN


async def test_a_signed_status_callback_updates_the_message(client: httpx.AsyncClient, twilio_env: FakeTwilio) -> None:
    async with write_transaction():
        message_id = await enqueue(support.new_phone(), support.sms("hi"))
    await OutboxMessage.update({OutboxMessage.provider_sid: "SMdelivered1", OutboxMessage.status: "sent"}).where(
        OutboxMessage.id == message_id
    )
    form = {"MessageSid": "SMdelivered1", "MessageStatus": "delivered", "AccountSid": SID}
    url = get_settings().public_url + "/sms/twilio/status"
    signature = RequestValidator(TOKEN).compute_signature(url, form)

    forged = await client.post("/sms/twilio/status", data=form, headers={"X-Twilio-Signature": "forged"})
    assert forged.status_code == 403
    response = await client.post("/sms/twilio/status", data=form, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 204
    row = await OutboxMessage.select(OutboxMessage.status).where(OutboxMessage.id == message_id).first()
    assert row == {"status": "delivered"}


async def test_a_late_sent_report_does_not_undo_delivered(client: httpx.AsyncClient, twilio_env: FakeTwilio) -> None:
    async with write_transaction():
        message_id = await enqueue(support.new_phone(), support.sms("hi"))
    await OutboxMessage.update({OutboxMessage.provider_sid: "SMlate1", OutboxMessage.status: "sent"}).where(
        OutboxMessage.id == message_id
    )
    url = get_settings().public_url + "/sms/twilio/status"
    for status in ("delivered", "sent"):
        form = {"MessageSid": "SMlate1", "MessageStatus": status, "AccountSid": SID}
        signature = RequestValidator(TOKEN).compute_signature(url, form)
        response = await client.post("/sms/twilio/status", data=form, headers={"X-Twilio-Signature": signature})
        assert response.status_code == 204
    row = await OutboxMessage.select(OutboxMessage.status).where(OutboxMessage.id == message_id).first()
    assert row == {"status": "delivered"}
