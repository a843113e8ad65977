"""Aliyun SMS through the official SDK against a local Aliyun-speaking server: registered
templates, batches, unanswered sends looked up instead of resent, and Aliyun's pushes."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from backend.app import create_app
from backend.core.settings import get_settings
from backend.core.types import utcnow
from backend.db.session import run, write_transaction
from backend.gateways import ConsoleGateway
from backend.gateways.aliyun import AliyunGateway
from backend.messages import registered
from backend.messages.templates import registration_sheet, render
from backend.outbox import Pacing, deliver_due, enqueue
from tests import support
from tests.fakes.aliyun_server import FakeAliyun, fake_aliyun
from tests.support import CALLBACK_TOKEN as TOKEN


def filled_sheet(tmp_path: Path, *, leave_out: str | None = None) -> Path:
    """The registration sheet with every code filled in, as an operator returns it."""
    counter = iter(range(100_000, 999_999))
    sheet = re.sub(r'code = ""', lambda _m: f'code = "SMS_{next(counter)}"', registration_sheet())
    if leave_out:  # the operator has no approved code for this one yet
        sheet = re.sub(rf'(\[{re.escape(leave_out)}\]\ntext = [^\n]*\n)code = "[^"]*"', r'\1code = ""', sheet)
    path = tmp_path / "aliyun-templates.toml"
    path.write_text(sheet, encoding="utf-8")
    return path


@pytest.fixture
async def aliyun(tmp_path: Path) -> AsyncIterator[tuple[FakeAliyun, AliyunGateway]]:
    # What other tests left due would share this test's batches: it goes first, elsewhere.
    await support.drain(ConsoleGateway())
    with fake_aliyun() as server:
        codes = registered.codes(filled_sheet(tmp_path))
        gateway = AliyunGateway("ak", "secret", "村匠", endpoint=server.url, codes=codes, timeout_s=1.0)
        yield server, gateway


async def _queue_offer(phone: str, code: str) -> int:
    offer = render("offer", "zh_Hans", code=code, quantity=5, title="苗绣围巾", price=4500, due=dt.date(2026, 12, 31))
    async with write_transaction():
        return await enqueue(phone, offer)


async def _row(message_id: int) -> dict[str, object]:
    [found] = await run(
        "SELECT status, provider_sid, reference, segments FROM outbox_message WHERE id = {}", message_id
    )
    return found


def test_start_up_is_refused_while_a_template_code_is_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sheet = filled_sheet(tmp_path, leave_out="offer.en")
    for name, value in {
        "CUNJIANG_SMS_PROVIDER": "aliyun",
        "ALIBABA_CLOUD_ACCESS_KEY_ID": "ak",
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "sk",
        "ALIYUN_SMS_SIGN_NAME": "村匠",
        "ALIYUN_SMS_TEMPLATES": str(sheet),
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        with pytest.raises(RuntimeError, match=r"offer \(en\): no template code"):
            create_app(run_worker=False)
        sheet.write_text(sheet.read_text().replace("新任务", "新活"), encoding="utf-8")
        assert any("offer (zh_Hans): the text changed" in p for p in registered.problems(sheet))
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


async def test_a_message_goes_as_its_template_code_with_string_variables_and_our_out_id(
    aliyun: tuple[FakeAliyun, AliyunGateway],
) -> None:
    server, gateway = aliyun
    phone = support.new_phone()
    message_id = await _queue_offer(phone, "K7")

    await support.drain(gateway)

    [call] = [c for c in server.calls if c["query"].get("PhoneNumbers") == phone]
    assert call["action"] == "SendSms"
    assert call["query"]["SignName"] == "村匠"
    assert call["query"]["TemplateCode"] == gateway._codes[("offer", "zh_Hans")]
    assert json.loads(call["query"]["TemplateParam"]) == {
        "code": "K7",
        "quantity": "5",
        "title": "苗绣围巾",
        "price": "¥45.00",
        "due": "12月31日",
    }
    row = await _row(message_id)
    assert (row["status"], row["reference"]) == ("sent", str(message_id))
    assert row["provider_sid"] == server.to(phone)[0].biz_id


async def test_offers_sharing_a_template_go_out_in_one_batch_call(aliyun: tuple[FakeAliyun, AliyunGateway]) -> None:
    server, gateway = aliyun
    phones = [support.new_phone() for _ in range(5)]
    ids = [await _queue_offer(phone, f"K{n}") for n, phone in enumerate(phones, start=1)]

    await support.drain(gateway, batch=50)

    batches = [c for c in server.calls if c["action"] == "SendBatchSms" and phones[0] in c["form"]["PhoneNumberJson"]]
    [batch] = batches
    assert json.loads(batch["form"]["PhoneNumberJson"]) == phones
    assert [p["code"] for p in json.loads(batch["form"]["TemplateParamJson"])] == ["K1", "K2", "K3", "K4", "K5"]
    rows = [await _row(i) for i in ids]
    assert {(r["status"], r["reference"], r["provider_sid"]) for r in rows} == {
        ("sent", str(ids[0]), server.to(phones[0])[0].biz_id)
    }


async def test_a_send_that_timed_out_is_looked_up_not_sent_twice(aliyun: tuple[FakeAliyun, AliyunGateway]) -> None:
    server, gateway = aliyun
    phone = support.new_phone()
    server.delay_s = 2.0  # Aliyun takes the message, then answers after the SDK gave up
    message_id = await _queue_offer(phone, "K1")
    await deliver_due(gateway, pacing=Pacing(batch=500, per_second=1000, send_timeout_s=1.5))
    server.delay_s = 0.0
    assert (await _row(message_id))["status"] == "unconfirmed"

    later = utcnow() + dt.timedelta(minutes=3)
    await deliver_due(gateway, pacing=Pacing(batch=500, per_second=1000), clock=lambda: later)

    assert len(server.to(phone)) == 1  # found at Aliyun by its OutId: not sent again
    row = await _row(message_id)
    assert (row["status"], row["reference"]) == ("sent", str(message_id))


async def test_a_send_aliyun_never_got_is_sent_again_after_the_look_up(
    aliyun: tuple[FakeAliyun, AliyunGateway],
) -> None:
    server, gateway = aliyun
    phone = support.new_phone()
    message_id = await _queue_offer(phone, "K1")
    await run(
        "UPDATE outbox_message SET status = 'unconfirmed', reference = {} WHERE id = {}", str(message_id), message_id
    )

    await support.drain(gateway)

    assert [s.out_id for s in server.to(phone)] == [str(message_id)]
    assert [c["action"] for c in server.calls if phone in json.dumps(c["query"])] == ["QuerySendDetails", "SendSms"]
    assert (await _row(message_id))["status"] == "sent"


async def test_a_refused_number_is_not_retried_and_a_limit_is(aliyun: tuple[FakeAliyun, AliyunGateway]) -> None:
    server, gateway = aliyun
    bad, limited = support.new_phone(), support.new_phone()
    server.fail_with = "isv.MOBILE_NUMBER_ILLEGAL"
    bad_id = await _queue_offer(bad, "K1")
    await support.drain(gateway)
    server.fail_with = "isv.BUSINESS_LIMIT_CONTROL"
    limited_id = await _queue_offer(limited, "K1")
    await support.drain(gateway)
    server.fail_with = None

    assert (await _row(bad_id))["status"] == "failed"
    assert (await _row(limited_id))["status"] == "pending"


async def test_pushed_replies_are_answered_once_whatever_aliyun_repeats(
    client: httpx.AsyncClient, callback_token: str
) -> None:
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True)
    work = await support.job_in_state(client, brand, villager, "offered", quantity=4)
    local = villager.phone.removeprefix("+86")
    replies = [
        {
            "phone_number": local,
            "content": "接",
            "send_time": "2026-11-24 10:00:00",
            "dest_code": "1",
            "sequence_id": 9001,
        },
        {"phone_number": "13900000000", "content": "hi", "send_time": "2026-11-24 10:00:01", "sequence_id": 9002},
    ]

    first = await client.post("/sms/aliyun/up", params={"token": TOKEN}, json=replies)
    again = await client.post("/sms/aliyun/up", params={"token": TOKEN}, json=replies[:1])
    wrong = await client.post("/sms/aliyun/up", params={"token": "guess"}, json=replies)
    missing = await client.post("/sms/aliyun/up", json=replies)

    assert first.json() == again.json() == {"code": 0, "msg": "接收成功"}
    assert [wrong.status_code, missing.status_code] == [403, 403]
    job = await run("SELECT status, quantity_accepted FROM job WHERE id = {}", work.job_id)
    assert job == [{"status": "accepted", "quantity_accepted": 4}]
    answers = await run("SELECT kind FROM outbox_message WHERE to_phone = {} AND answers", villager.phone)
    assert answers == [{"kind": "offer_accepted"}]


async def test_delivery_reports_reach_their_messages_by_id_and_number_or_by_our_out_id(
    client: httpx.AsyncClient, callback_token: str, aliyun: tuple[FakeAliyun, AliyunGateway]
) -> None:
    server, gateway = aliyun
    phones = [support.new_phone() for _ in range(2)]
    ids = [await _queue_offer(phone, "K1") for phone in phones]
    await support.drain(gateway, batch=50)
    biz_id = server.to(phones[0])[0].biz_id
    reports = [
        {
            "phone_number": phones[0][3:],
            "success": True,
            "biz_id": biz_id,
            "out_id": str(ids[0]),
            "sms_size": "2",
            "err_code": "DELIVERED",
        },
        {
            "phone_number": phones[1][3:],
            "success": False,
            "biz_id": biz_id,
            "out_id": str(ids[0]),
            "sms_size": "1",
            "err_code": "MK:0001",
        },
    ]

    for _ in range(2):  # Aliyun may push a report twice
        answer = await client.post("/sms/aliyun/report", params={"token": TOKEN}, json=reports)
        assert answer.json() == {"code": 0, "msg": "接收成功"}

    rows = [await _row(i) for i in ids]
    assert [(r["status"], r["segments"]) for r in rows] == [("delivered", 2), ("undelivered", 1)]
