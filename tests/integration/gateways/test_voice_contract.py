"""The contract every voice gateway keeps (``backend.gateways.calls``), one suite run against
each: it places one call and says the provider's id for it, and fails only with SendError,
``permanent`` when a retry cannot help. Aliyun is its official SDK talking HTTP to a local
server that speaks its voice API; Twilio is its official client talking to a local server that
speaks its Calls API; the console writes the server log. A new gateway joins
``CALLERS``."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from backend.core.phones import mask_phone
from backend.gateways import Call, CallGateway, ConsoleCaller, SendError
from backend.gateways.aliyun_voice import AliyunVoiceGateway
from backend.gateways.registry import VOICE_PROVIDERS
from backend.gateways.twilio_voice import TwilioVoiceGateway
from backend.messages import registered
from backend.messages.prompts import ANSWERED, REPEAT_KEY, render_prompt
from tests import support
from tests.fakes.aliyun_server import FakeAliyun, fake_aliyun
from tests.fakes.twilio_server import FakeTwilio, fake_twilio
from tests.integration.gateways.twilio_setup import SID, TOKEN
from tests.integration.voice.conftest import filled_voice_sheet

CALLERS = ("console", "aliyun", "twilio")
SHOW = "057188880000"
CALLER = "+15005550006"
PUBLIC = "https://cunjiang.example"
Server = FakeAliyun | FakeTwilio | None


def _twilio(server: FakeTwilio) -> TwilioVoiceGateway:
    return TwilioVoiceGateway(SID, TOKEN, CALLER, api_base=server.url, public_url=PUBLIC, timeout_s=1.0)


@pytest.fixture(params=CALLERS)
def caller(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[CallGateway, Server]]:
    if request.param == "console":
        yield ConsoleCaller(), None
        return
    if request.param == "twilio":
        with fake_twilio() as twilio:
            yield _twilio(twilio), twilio
        return
    with fake_aliyun() as server:
        codes = registered.codes(filled_voice_sheet(tmp_path))
        yield (
            AliyunVoiceGateway("ak", "secret", SHOW, endpoint=server.url, codes=codes, timeout_s=1.0),
            server,
        )


def _call(phone: str, locale: str = "zh_Hans") -> Call:
    values = {"code": "K7", "quantity": 10, "title": "苗绣围巾", "price": 4500, "due": dt.date(2026, 12, 31)}
    spoken = render_prompt("offer_call", locale, values)
    return Call(
        id=7,
        to_phone=phone,
        locale=locale,
        prompt="offer_call",
        words=spoken.body,
        variables=spoken.variables,
        keys=("1", "2"),
        repeat_key=REPEAT_KEY,
        answered=ANSWERED,
        answered_words=render_prompt(ANSWERED, locale, {}).body,
        reference="7",
    )


def test_every_configurable_voice_provider_is_under_contract() -> None:
    assert set(VOICE_PROVIDERS) == set(CALLERS)


async def test_a_call_is_placed_and_named_by_the_provider(
    caller: tuple[CallGateway, Server], caplog: pytest.LogCaptureFixture
) -> None:
    gateway, server = caller
    phone = support.new_phone()

    with caplog.at_level(logging.INFO, logger="cunjiang.sms"):
        placed = await gateway.call(_call(phone))

    assert placed.provider_call_id
    if server is None:
        assert f"Call to {mask_phone(phone)}: 这里是村匠。新任务K7" in caplog.text
    elif isinstance(server, FakeTwilio):
        [made] = server.calls
        assert (made["To"], made["From"], made["Sid"]) == (phone, CALLER, placed.provider_call_id)
        assert made["Url"] == f"{PUBLIC}/voice/twilio/prompt?call=7"
        assert made["StatusCallback"] == f"{PUBLIC}/voice/twilio/status?call=7"
    else:
        [made] = server.placed
        assert (made.phone, made.call_id, made.out_id, made.play_times) == (
            phone[3:],
            placed.provider_call_id,
            "7",
            "2",
        )
        assert made.params["title"] == "苗绣围巾"


async def test_a_refusal_for_good_is_permanent(tmp_path: Path) -> None:
    with fake_aliyun() as server:
        codes = registered.codes(filled_voice_sheet(tmp_path))
        gateway = AliyunVoiceGateway("ak", "secret", SHOW, endpoint=server.url, codes=codes, timeout_s=1.0)
        server.fail_with = "isv.MOBILE_NUMBER_ILLEGAL"
        with pytest.raises(SendError) as refused:
            await gateway.call(_call(support.new_phone()))
        server.fail_with = "isv.BUSINESS_LIMIT_CONTROL"
        with pytest.raises(SendError) as limited:
            await gateway.call(_call(support.new_phone()))
    assert (refused.value.permanent, limited.value.permanent) == (True, False)


async def test_a_prompt_without_a_registered_code_is_refused_for_good() -> None:
    gateway = AliyunVoiceGateway("ak", "secret", SHOW, endpoint="http://127.0.0.1:9", codes={})
    with pytest.raises(SendError) as refused:
        await gateway.call(_call(support.new_phone()))
    assert refused.value.permanent


async def test_a_twilio_refusal_for_good_is_permanent_and_an_outage_is_not() -> None:
    with fake_twilio() as server:
        gateway = _twilio(server)
        server.fail_with = (400, 21211)  # an invalid number
        with pytest.raises(SendError) as refused:
            await gateway.call(_call(support.new_phone()))
        server.fail_with = (503, 20503)
        with pytest.raises(SendError) as down:
            await gateway.call(_call(support.new_phone()))
    assert (refused.value.permanent, down.value.permanent) == (True, False)
    assert server.calls == []
