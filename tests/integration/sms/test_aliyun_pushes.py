"""Aliyun's pushes to its callback routes: villagers' replies and delivery reports, each taken
once however often Aliyun repeats it (sending through Aliyun: gateways/test_aliyun.py)."""

from __future__ import annotations

import httpx

from backend.db.session import run
from backend.gateways.aliyun import AliyunGateway
from tests import support
from tests.fakes.aliyun_server import FakeAliyun
from tests.integration.gateways.aliyun_setup import outbox_row, queue_offer
from tests.support import CALLBACK_TOKEN as TOKEN


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
    ids = [await queue_offer(phone, "K1") for phone in phones]
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

    rows = [await outbox_row(i) for i in ids]
    assert [(r["status"], r["segments"]) for r in rows] == [("delivered", 2), ("undelivered", 1)]
