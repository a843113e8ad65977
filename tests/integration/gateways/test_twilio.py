"""Delivery through the real twilio client to a local Twilio-speaking server; status callbacks."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from twilio.request_validator import RequestValidator

from backend.core.settings import get_settings
from backend.db.session import write_transaction
from backend.gateways import SendError, Sms
from backend.gateways.registry import configured as default_gateway
from backend.gateways.twilio import TwilioGateway
from backend.outbox import enqueue
from backend.outbox.tables import OutboxMessage
from tests import support
from tests.fakes.twilio_server import FakeTwilio, fake_twilio

SID, TOKEN = "AC" + "0" * 32, "test-auth-token"


def _sms(phone: str, body: str) -> Sms:
    return Sms(id=1, to_phone=phone, body=body, kind="test", variables={}, locale="zh_Hans", reference="m1")


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    with fake_twilio() as server:
        yield server


@pytest.fixture
def twilio_env(monkeypatch: pytest.MonkeyPatch, twilio: FakeTwilio) -> Iterator[FakeTwilio]:
    for name, value in {
        "TWILIO_ACCOUNT_SID": SID,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "TWILIO_FROM": "MG" + "1" * 32,
        "TWILIO_API_BASE": twilio.url,
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield twilio
    monkeypatch.undo()
    get_settings.cache_clear()


async def test_the_twilio_client_sends_chinese_text_intact(twilio_env: FakeTwilio) -> None:
    gateway = default_gateway()
    assert isinstance(gateway, TwilioGateway)
    result = await gateway.send(_sms("+8613800138000", "新任务K7：苗绣围巾，20件。回1接单"))
    [sent] = twilio_env.messages
    assert sent["To"] == "+8613800138000"
    assert sent["Body"] == "新任务K7：苗绣围巾，20件。回1接单"
    assert sent["MessagingServiceSid"] == "MG" + "1" * 32
    assert sent["StatusCallback"].endswith("/sms/twilio/status")
    assert result.provider_sid.startswith("SM")


async def test_an_invalid_number_is_a_permanent_failure(twilio: FakeTwilio) -> None:
    twilio.fail_with = (400, 21211)
    gateway = TwilioGateway(SID, TOKEN, "+15005550006", api_base=twilio.url)
    with pytest.raises(SendError) as refused:
        await gateway.send(_sms("+861", "x"))
    assert refused.value.permanent


async def test_a_twilio_outage_is_retried(twilio: FakeTwilio) -> None:
    twilio.fail_with = (503, 20503)
    gateway = TwilioGateway(SID, TOKEN, "+15005550006", api_base=twilio.url)
    with pytest.raises(SendError) as refused:
        await gateway.send(_sms("+8613800138000", "x"))
    assert not refused.value.permanent


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
