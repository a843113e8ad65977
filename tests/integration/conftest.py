"""Fixtures more than one folder of the integration tests uses: the SMS providers, configured
and faked locally (fixtures of one folder live in its own conftest)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from backend.core.settings import get_settings
from backend.gateways import ConsoleGateway
from backend.gateways.aliyun import AliyunGateway
from backend.messages import registered
from tests import support
from tests.fakes.aliyun_server import FakeAliyun, fake_aliyun
from tests.fakes.twilio_server import FakeTwilio, fake_twilio
from tests.integration.gateways import twilio_setup
from tests.integration.gateways.aliyun_setup import filled_sheet
from tests.integration.sms.webhook import TOKEN as TWILIO_WEBHOOK_TOKEN
from tests.support import CALLBACK_TOKEN


@pytest.fixture
def callback_token(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The secret Aliyun's pushes carry, configured (``?token=``)."""
    monkeypatch.setenv("CUNJIANG_SMS_CALLBACK_TOKEN", CALLBACK_TOKEN)
    get_settings.cache_clear()
    yield CALLBACK_TOKEN
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def twilio_token(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Twilio credentials set, so that webhooks are checked against this token (``sms/webhook.py``)."""
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC" + "0" * 32)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TWILIO_WEBHOOK_TOKEN)
    get_settings.cache_clear()
    yield TWILIO_WEBHOOK_TOKEN
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
async def aliyun(tmp_path: Path) -> AsyncIterator[tuple[FakeAliyun, AliyunGateway]]:
    """A local Aliyun-speaking server, and a gateway to it with every template code registered."""
    # What other tests left due would share this test's batches: it goes first, elsewhere.
    await support.drain(ConsoleGateway())
    with fake_aliyun() as server:
        codes = registered.codes(filled_sheet(tmp_path))
        gateway = AliyunGateway("ak", "secret", "村匠", endpoint=server.url, codes=codes, timeout_s=1.0)
        yield server, gateway


@pytest.fixture
def twilio_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTwilio]:
    """Twilio configured as the SMS provider (``gateways/twilio_setup.py``), its API a local
    Twilio-speaking server."""
    with fake_twilio() as twilio:
        for name, value in {
            "TWILIO_ACCOUNT_SID": twilio_setup.SID,
            "TWILIO_AUTH_TOKEN": twilio_setup.TOKEN,
            "TWILIO_FROM": twilio_setup.MESSAGING_SERVICE,
            "TWILIO_API_BASE": twilio.url,
        }.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        yield twilio
        monkeypatch.undo()
        get_settings.cache_clear()
