"""Aliyun SMS through the official SDK against a local Aliyun-speaking server: registered
templates, batches, unanswered sends looked up instead of resent (its pushes: sms/test_aliyun_pushes.py)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from backend.app import create_app
from backend.core.settings import get_settings
from backend.core.types import utcnow
from backend.db.session import run
from backend.gateways.aliyun import AliyunGateway
from backend.messages import registered
from backend.outbox import Pacing, deliver_due
from tests import support
from tests.fakes.aliyun_server import FakeAliyun
from tests.integration.gateways.aliyun_setup import filled_sheet, outbox_row, queue_offer


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
    message_id = await queue_offer(phone, "K7")

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
    row = await outbox_row(message_id)
    assert (row["status"], row["reference"]) == ("sent", str(message_id))
    assert row["provider_sid"] == server.to(phone)[0].biz_id


async def test_offers_sharing_a_template_go_out_in_one_batch_call(aliyun: tuple[FakeAliyun, AliyunGateway]) -> None:
    server, gateway = aliyun
    phones = [support.new_phone() for _ in range(5)]
    ids = [await queue_offer(phone, f"K{n}") for n, phone in enumerate(phones, start=1)]

    await support.drain(gateway, batch=50)

    batches = [c for c in server.calls if c["action"] == "SendBatchSms" and phones[0] in c["form"]["PhoneNumberJson"]]
    [batch] = batches
    assert json.loads(batch["form"]["PhoneNumberJson"]) == phones
    assert [p["code"] for p in json.loads(batch["form"]["TemplateParamJson"])] == ["K1", "K2", "K3", "K4", "K5"]
    rows = [await outbox_row(i) for i in ids]
    assert {(r["status"], r["reference"], r["provider_sid"]) for r in rows} == {
        ("sent", str(ids[0]), server.to(phones[0])[0].biz_id)
    }


async def test_a_send_that_timed_out_is_looked_up_not_sent_twice(aliyun: tuple[FakeAliyun, AliyunGateway]) -> None:
    server, gateway = aliyun
    phone = support.new_phone()
    server.delay_s = 2.0  # Aliyun takes the message, then answers after the SDK gave up
    message_id = await queue_offer(phone, "K1")
    await deliver_due(gateway, pacing=Pacing(batch=500, per_second=1000, send_timeout_s=1.5))
    server.delay_s = 0.0
    assert (await outbox_row(message_id))["status"] == "unconfirmed"

    later = utcnow() + dt.timedelta(minutes=3)
    await deliver_due(gateway, pacing=Pacing(batch=500, per_second=1000), clock=lambda: later)

    assert len(server.to(phone)) == 1  # found at Aliyun by its OutId: not sent again
    row = await outbox_row(message_id)
    assert (row["status"], row["reference"]) == ("sent", str(message_id))


async def test_a_send_aliyun_never_got_is_sent_again_after_the_look_up(
    aliyun: tuple[FakeAliyun, AliyunGateway],
) -> None:
    server, gateway = aliyun
    phone = support.new_phone()
    message_id = await queue_offer(phone, "K1")
    await run(
        "UPDATE outbox_message SET status = 'unconfirmed', reference = {} WHERE id = {}", str(message_id), message_id
    )

    await support.drain(gateway)

    assert [s.out_id for s in server.to(phone)] == [str(message_id)]
    assert [c["action"] for c in server.calls if phone in json.dumps(c["query"])] == ["QuerySendDetails", "SendSms"]
    assert (await outbox_row(message_id))["status"] == "sent"


async def test_a_refused_number_is_not_retried_and_a_limit_is(aliyun: tuple[FakeAliyun, AliyunGateway]) -> None:
    server, gateway = aliyun
    bad, limited = support.new_phone(), support.new_phone()
    server.fail_with = "isv.MOBILE_NUMBER_ILLEGAL"
    bad_id = await queue_offer(bad, "K1")
    await support.drain(gateway)
    server.fail_with = "isv.BUSINESS_LIMIT_CONTROL"
    limited_id = await queue_offer(limited, "K1")
    await support.drain(gateway)
    server.fail_with = None

    assert (await outbox_row(bad_id))["status"] == "failed"
    assert (await outbox_row(limited_id))["status"] == "pending"
