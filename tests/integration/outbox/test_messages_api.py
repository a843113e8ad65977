"""What coordinators see of their SMS: each message and why it waits, and what they cost."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from backend.core.china_time import CHINA_TZ
from backend.core.settings import get_settings
from backend.core.types import utcnow
from backend.db.session import write_transaction
from backend.gateways import ConsoleGateway
from backend.messages.templates import render
from backend.outbox import Pacing, deliver_due, enqueue
from tests import support

URL = "/api/v1/sms/messages"


async def _queue(phone: str, body: str, brand_id: int) -> int:
    async with write_transaction():
        return await enqueue(phone, support.sms(body), brand_id=brand_id)


async def test_held_merged_and_sent_messages_are_listed_with_their_reasons_and_masked_strangers(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True)
    stranger = support.new_phone()  # a number no longer (or never) one of the brand's people
    held = await _queue(villager.phone, "晚上的短信", brand.id)
    masked = await _queue(stranger, "给陌生号码", brand.id)
    async with write_transaction():
        code = await enqueue(villager.phone, render("otp", "zh_Hans", code="654321"), brand_id=brand.id)
    monkeypatch.setenv("CUNJIANG_SMS_QUIET_HOURS", "21:00-08:00")
    get_settings.cache_clear()
    night = dt.datetime.combine(
        utcnow().astimezone(CHINA_TZ).date() + dt.timedelta(days=1), dt.time(22), tzinfo=CHINA_TZ
    )
    try:
        while await deliver_due(ConsoleGateway(), pacing=Pacing(batch=500, per_second=10_000), clock=lambda: night):
            pass
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()

    everything = (await support.ok(await client.get(URL, headers=brand.coordinator.auth)))["messages"]
    waiting = (await support.ok(await client.get(URL, params={"status": "held"}, headers=brand.coordinator.auth)))[
        "messages"
    ]

    by_id = {m["id"]: m for m in everything}
    assert (by_id[held]["status"], by_id[held]["held_reason"], by_id[held]["to"]) == (
        "pending",
        "quiet_hours",
        villager.phone,
    )
    assert by_id[masked]["to"] == stranger[:-8] + "****" + stranger[-4:]
    assert (by_id[code]["status"], by_id[code]["body"]) == ("sent", "验证码已发送（数字不向任何人显示）")
    assert "654321" not in str(everything)
    assert {m["id"] for m in waiting} == {held, masked}
    mine = await support.ok(await client.get(URL, params={"phone": villager.phone[3:]}, headers=brand.coordinator.auth))
    assert {m["id"] for m in mine["messages"]} == {held, code}


async def test_usage_counts_messages_and_segments_per_month(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    phone = support.new_phone()
    await _queue(phone, "short", brand.id)
    await _queue(phone, "long " * 40, brand.id)  # 200 GSM-7 characters: two segments
    await support.drain(ConsoleGateway())

    usage = await support.ok(
        await client.get("/api/v1/sms/usage", params={"months": 3}, headers=brand.coordinator.auth)
    )

    this_month = utcnow().astimezone(CHINA_TZ).strftime("%Y-%m")
    assert [m["month"] for m in usage["months"]][-1] == this_month
    assert len(usage["months"]) == 3
    assert usage["months"][-1] == {"month": this_month, "messages": 2, "segments": 3}
