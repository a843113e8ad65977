"""Delivery through the real twilio client to a local Twilio-speaking server (its status callbacks:
sms/test_twilio_status.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from backend.gateways import SendError, Sms
from backend.gateways.registry import configured as default_gateway
from backend.gateways.twilio import TwilioGateway
from tests.fakes.twilio_server import FakeTwilio, fake_twilio
from tests.integration.gateways.twilio_setup import MESSAGING_SERVICE, SID, TOKEN


def _sms(phone: str, body: str) -> Sms:
    return Sms(id=1, to_phone=phone, body=body, kind="test", variables={}, locale="zh_Hans", reference="m1")


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    with fake_twilio() as server:
        yield server


async def test_the_twilio_client_sends_chinese_text_intact(twilio_env: FakeTwilio) -> None:
    gateway = default_gateway()
    assert isinstance(gateway, TwilioGateway)
    result = await gateway.send(_sms("+8613800138000", "新任务K7：苗绣围巾，20件。回1接单"))
    [sent] = twilio_env.messages
    assert sent["To"] == "+8613800138000"
    assert sent["Body"] == "新任务K7：苗绣围巾，20件。回1接单"
    assert sent["MessagingServiceSid"] == MESSAGING_SERVICE
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
