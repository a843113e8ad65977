"""Fixtures of the integration tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from backend.core.settings import get_settings
from backend.core.types import Role
from backend.gateways import ConsoleGateway
from backend.gateways.aliyun import AliyunGateway
from backend.messages import registered
from tests import support
from tests.fakes.aliyun_server import FakeAliyun, fake_aliyun
from tests.fakes.twilio_server import FakeTwilio, fake_twilio
from tests.integration.gateways import twilio_setup
from tests.integration.gateways.aliyun_setup import filled_sheet
from tests.integration.hostile import Place
from tests.integration.sms.webhook import TOKEN as TWILIO_WEBHOOK_TOKEN
from tests.servers import running_servers
from tests.support import CALLBACK_TOKEN, Person, job_in_state


@pytest.fixture(scope="module")
async def place(client: httpx.AsyncClient) -> Place:
    brand = await support.brand(villages=2)
    a1 = await support.artisan(brand)
    a2 = await support.person(brand.id, Role.ARTISAN, village_id=brand.villages[1], crafts=["batik"])
    order_id = (await support.open_order(client, brand, quantity=1000))["id"]

    async def job(state: str, who: Person = a1) -> support.Work:
        return await job_in_state(client, brand, who, state, order_id=order_id)

    paid, disputed, approved = await job("paid"), await job("disputed"), await job("approved")
    submitted, accepted, offered = await job("submitted"), await job("accepted"), await job("offered")
    ids = {
        "village": brand.villages[0],
        "order": order_id,
        "a1": a1.id,
        "a2": a2.id,
        "coordinator_member": brand.coordinator.id,
        "a2_phone": a2.phone,
        "offered": offered.job_id,
        "accepted": accepted.job_id,
        "submission": submitted.submission_id,
        "approved": approved.job_id,
        "payout": paid.payout_id,
        "disputed": disputed.payout_id,
        "photo": submitted.photo_id,
        "photo_a2": await support.upload_photo(client, a2, color=(10, 200, 10)),
    }
    return Place(brand=brand, a1=a1, a2=a2, ids=ids)


@pytest.fixture(scope="module")
def two_servers() -> Iterator[list[str]]:
    """Two server processes on the test database, for one module: their workers change
    rows in the background, which other modules' "nothing changed" checks must not see."""
    with running_servers(2) as urls:
        yield urls


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
