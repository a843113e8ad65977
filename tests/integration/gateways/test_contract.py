"""The contract every SMS gateway keeps (``backend.gateways``), one suite run against each.

A gateway sends one message and says the provider's id for it; fails only with SendError,
``permanent`` when a retry cannot help; a batch gateway sends one template to many numbers
in one call; a look-up gateway tells a message it has from one it never got. Twilio and
Aliyun are their official clients talking HTTP to local servers that speak the providers'
formats; the console gateway writes the server log. A new gateway joins ``GATEWAYS``.
"""

from __future__ import annotations

import datetime as dt
import logging
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from backend.core.china_time import china_today
from backend.core.phones import mask_phone
from backend.gateways import BatchGateway, ConsoleGateway, Found, LookupGateway, SendError, Sms, SmsGateway
from backend.gateways.aliyun import AliyunGateway
from backend.gateways.registry import GATEWAYS
from backend.gateways.twilio import TwilioGateway
from backend.messages import registered
from backend.messages.templates import render
from tests import support
from tests.fakes.aliyun_server import FakeAliyun, fake_aliyun
from tests.fakes.twilio_server import FakeTwilio, fake_twilio
from tests.integration.gateways.aliyun_setup import filled_sheet


@dataclass
class Peer:
    """A gateway with what stands at the other end: what it received, and how to make it refuse."""

    gateway: SmsGateway
    received: list[tuple[str, str]] = field(default_factory=list)  # (number, what it carried)
    fake: FakeTwilio | FakeAliyun | None = None

    def delivered(self) -> list[tuple[str, str]]:
        if isinstance(self.fake, FakeTwilio):
            return [(m["To"], m["Body"]) for m in self.fake.messages]
        if isinstance(self.fake, FakeAliyun):
            return [(s.phone, s.params["code"]) for s in self.fake.sent]
        return self.received

    def number(self, phone: str) -> str:
        """A number as the far end shows it (the console's log masks it)."""
        return mask_phone(phone) if self.fake is None else phone

    def refuse_for_good(self) -> None:
        if isinstance(self.fake, FakeTwilio):
            self.fake.fail_with = (400, 21211)  # not a valid phone number
        elif isinstance(self.fake, FakeAliyun):
            self.fake.fail_with = "isv.MOBILE_NUMBER_ILLEGAL"


class _Log(logging.Handler):
    def __init__(self, peer: Peer) -> None:
        super().__init__()
        self.peer = peer

    def emit(self, record: logging.LogRecord) -> None:
        masked, text = record.args  # type: ignore[misc]
        self.peer.received.append((str(masked), str(text)))


@contextmanager
def _console() -> Iterator[Peer]:
    peer = Peer(ConsoleGateway())
    handler, logger = _Log(peer), logging.getLogger("cunjiang.sms")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield peer
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


@contextmanager
def _twilio(tmp_path: Path) -> Iterator[Peer]:
    with fake_twilio() as server:
        gateway = TwilioGateway("AC" + "0" * 32, "token", "+15005550006", api_base=server.url, timeout_s=5)
        yield Peer(gateway, fake=server)


@contextmanager
def _aliyun(tmp_path: Path) -> Iterator[Peer]:
    with fake_aliyun() as server:
        codes = registered.codes(filled_sheet(tmp_path))
        gateway = AliyunGateway("ak", "secret", "村匠", endpoint=server.url, codes=codes, timeout_s=5)
        yield Peer(gateway, fake=server)


MAKERS = {"console": lambda _tmp: _console(), "twilio": _twilio, "aliyun": _aliyun}


def test_every_registered_gateway_is_held_to_the_contract() -> None:
    assert set(MAKERS) == set(GATEWAYS)


@pytest.fixture(params=sorted(MAKERS))
def peer(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Peer]:
    with MAKERS[request.param](tmp_path) as made:
        yield made


def _message(number: int, code: str = "123456") -> Sms:
    rendered = render("otp", "zh_Hans", code=code)
    phone = support.new_phone()
    return Sms(
        id=number,
        to_phone=phone,
        body=rendered.body,
        kind=rendered.key,
        variables=rendered.variables,
        locale="zh_Hans",
        reference=str(number),
    )


def _carried(peer: Peer, message: Sms) -> str:
    """What the far end must have received for ``message``: its text, or a template's variable."""
    return message.variables["code"] if isinstance(peer.fake, FakeAliyun) else message.body


async def test_a_sent_message_reaches_its_number_under_an_id_of_its_own(peer: Peer) -> None:
    first, second = _message(1, "111111"), _message(2, "222222")

    results = [await peer.gateway.send(first), await peer.gateway.send(second)]

    assert all(result.provider_sid for result in results)
    assert results[0].provider_sid != results[1].provider_sid
    assert peer.delivered() == [(peer.number(m.to_phone), _carried(peer, m)) for m in (first, second)]


async def test_a_refusal_for_good_is_a_permanent_send_error(peer: Peer) -> None:
    if peer.fake is None:
        pytest.skip("the console refuses nothing")
    peer.refuse_for_good()

    with pytest.raises(SendError) as refused:
        await peer.gateway.send(_message(3))

    assert refused.value.permanent


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # nobody listens there once the socket is closed


async def test_an_unreachable_provider_is_a_send_error_worth_retrying(tmp_path: Path) -> None:
    nowhere = f"http://127.0.0.1:{_closed_port()}"
    unreachable: list[SmsGateway] = [
        TwilioGateway("AC" + "0" * 32, "token", "+15005550006", api_base=nowhere, timeout_s=2),
        AliyunGateway(
            "ak", "secret", "村匠", endpoint=nowhere, codes=registered.codes(filled_sheet(tmp_path)), timeout_s=2
        ),
    ]
    for gateway in unreachable:
        with pytest.raises(SendError) as failed:
            await gateway.send(_message(4))
        assert not failed.value.permanent, gateway.name
        assert not failed.value.unknown, gateway.name  # refused before a byte was sent: nothing happened


async def test_a_batch_gateway_sends_one_template_to_many_numbers_in_one_call(peer: Peer) -> None:
    if not isinstance(peer.gateway, BatchGateway):
        pytest.skip(f"{peer.gateway.name} sends one message a call")
    batch = [_message(10 + n, f"{n}0000{n}") for n in range(3)]

    result = await peer.gateway.send_batch(batch)

    assert result.provider_sid
    assert sorted(peer.delivered()) == sorted((peer.number(m.to_phone), _carried(peer, m)) for m in batch)
    assert isinstance(peer.fake, FakeAliyun)
    assert [call["action"] for call in peer.fake.calls] == ["SendBatchSms"]


async def test_a_look_up_gateway_tells_a_message_it_has_from_one_it_never_got(peer: Peer) -> None:
    if not isinstance(peer.gateway, LookupGateway):
        pytest.skip(f"{peer.gateway.name} cannot look a message up")
    sent, never = _message(20), _message(21)
    await peer.gateway.send(sent)

    today: dt.date = china_today()
    assert (await peer.gateway.look_up(sent, today)).found == Found.SENT
    assert (await peer.gateway.look_up(never, today)).found == Found.ABSENT


def test_each_gateway_is_named_as_the_registry_names_it() -> None:
    assert ConsoleGateway.name == "console"
    assert TwilioGateway.name == "twilio"
    assert AliyunGateway.name == "aliyun"
