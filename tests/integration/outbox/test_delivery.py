"""Answers leave through the outbox and the real twilio client; opting out stops them."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from backend.db.session import run, write_transaction
from backend.gateways.twilio import TwilioGateway
from backend.messages.templates import render
from backend.outbox import Pacing, enqueue
from tests import support
from tests.fakes.twilio_server import FakeTwilio, fake_twilio
from tests.integration.sms.webhook import signed, text

FAST = Pacing(per_second=1000)
STATUS = "/sms/twilio/status"


@pytest.fixture
def twilio() -> Iterator[tuple[FakeTwilio, TwilioGateway]]:
    with fake_twilio() as server:
        yield server, TwilioGateway("AC" + "0" * 32, "gateway-token", "+15005550006", api_base=server.url)


async def _deliver(gateway: TwilioGateway) -> None:
    await support.drain(gateway)


async def _status_of(phone: str) -> list[str]:
    return [
        row["status"] for row in await run("SELECT status FROM outbox_message WHERE to_phone = {} ORDER BY id", phone)
    ]


async def _queue(phone: str) -> None:
    async with write_transaction():
        await enqueue(phone, render("nothing_open", "zh_Hans"))


async def test_an_answer_reaches_the_villager_through_the_twilio_client(
    client: httpx.AsyncClient, twilio_token: str, twilio: tuple[FakeTwilio, TwilioGateway]
) -> None:
    server, gateway = twilio
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True)
    await support.job_in_state(client, brand, villager, "offered", quantity=8)

    await text(client, villager.phone, "接")
    await _deliver(gateway)

    bodies = sorted(m["Body"] for m in server.messages if m["To"] == villager.phone)
    assert bodies[0] == "K1：已接8件苗绣围巾。做好后回复如：完成15"
    assert bodies[1].startswith("新任务K1：苗绣围巾，8件")  # the offer itself, sent the same way


async def test_twilio_error_21610_opts_the_number_out_and_nothing_more_is_sent(
    twilio: tuple[FakeTwilio, TwilioGateway],
) -> None:
    server, gateway = twilio
    phone = support.new_phone()
    server.fail_with = (400, 21610)  # the person replied STOP to Twilio directly
    await _queue(phone)
    await _deliver(gateway)
    server.fail_with = None
    await _queue(phone)
    await _deliver(gateway)

    assert await _status_of(phone) == ["suppressed", "suppressed"]
    assert [m for m in server.messages if m["To"] == phone] == []
    assert await run("SELECT source FROM sms_opt_out WHERE phone = {}", phone) == [{"source": "gateway: unsubscribed"}]


async def test_a_status_callback_with_error_21610_opts_the_number_out(
    client: httpx.AsyncClient, twilio_token: str, twilio: tuple[FakeTwilio, TwilioGateway]
) -> None:
    server, gateway = twilio
    phone = support.new_phone()
    await _queue(phone)
    await _deliver(gateway)
    [sent] = [m for m in server.messages if m["To"] == phone]
    sid = (await run("SELECT provider_sid FROM outbox_message WHERE to_phone = {}", phone))[0]["provider_sid"]
    form = {"MessageSid": sid, "MessageStatus": "undelivered", "ErrorCode": "21610", "To": sent["To"]}

    response = await client.post(STATUS, data=form, headers=signed(STATUS, form))

    assert response.status_code == 204
    assert await _status_of(phone) == ["undelivered"]
    assert len(await run("SELECT 1 AS x FROM sms_opt_out WHERE phone = {}", phone)) == 1


async def test_a_villager_who_opted_out_still_gets_the_sign_in_code_they_ask_for(
    client: httpx.AsyncClient, twilio_token: str, twilio: tuple[FakeTwilio, TwilioGateway]
) -> None:
    _server, gateway = twilio
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True)
    await text(client, villager.phone, "退订")
    await _queue(villager.phone)  # anything else: held back
    async with support.client_from(client, "198.51.100.23") as other:
        await support.ok(await other.post("/api/v1/auth/otp", json={"phone": villager.phone}), 202)

    await _deliver(gateway)

    kinds = await run("SELECT kind, status FROM outbox_message WHERE to_phone = {} ORDER BY id", villager.phone)
    assert kinds == [
        {"kind": "opted_out", "status": "sent"},
        {"kind": "nothing_open", "status": "suppressed"},
        {"kind": "otp", "status": "sent"},
    ]
