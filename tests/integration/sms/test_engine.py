"""The conversation engine: each stored SMS answered once, whoever picks it up, whenever."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from backend.core.types import Role
from backend.db.session import run
from backend.sms import engine, inbox
from tests import support
from tests.integration.sms.webhook import text


async def _store(phone: str, body: str) -> int:
    """A message stored by the webhook whose answer never came (the process stopped)."""
    received = await inbox.receive("twilio", f"SM{uuid.uuid4().hex}", phone, "+15005550006", body)
    assert received.inbox_id is not None
    return received.inbox_id


async def _answers_to(phone: str) -> list[str]:
    return [
        row["body"]
        for row in await run(
            "SELECT body FROM outbox_message WHERE to_phone = {} AND kind != 'offer' ORDER BY id", phone
        )
    ]


async def test_the_worker_answers_a_message_the_webhook_left_unanswered(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True)
    work = await support.job_in_state(client, brand, villager, "offered", quantity=3)
    inbox_id = await _store(villager.phone, "1")

    answered = await engine.process_pending()

    assert answered >= 1
    assert await engine.process(inbox_id) is None  # answered once
    jobs = await run("SELECT status, quantity_accepted FROM job WHERE id = {}", work.job_id)
    assert jobs == [{"status": "accepted", "quantity_accepted": 3}]
    assert await _answers_to(villager.phone) == ["K1：已接3件苗绣围巾。做好后回复如：完成15"]


async def test_one_message_picked_up_by_many_at_once_has_one_effect_and_one_answer(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True)
    work = await support.job_in_state(client, brand, villager, "offered", quantity=3)
    inbox_id = await _store(villager.phone, "接")

    outcomes = await asyncio.gather(*[engine.process(inbox_id) for _ in range(6)])

    assert [o for o in outcomes if o is not None] == ["offer.accept"]
    assert len(await _answers_to(villager.phone)) == 1
    events = await run(
        "SELECT action, channel FROM audit_event WHERE entity = 'job' AND entity_id = {} ORDER BY id", work.job_id
    )
    assert events == [{"action": "offer", "channel": "console"}, {"action": "accept", "channel": "sms"}]


async def test_a_refusal_answered_by_many_at_once_is_answered_once(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True)
    await support.job_in_state(client, brand, villager, "offered", quantity=3)
    inbox_id = await _store(villager.phone, "接 9")  # more than offered: refused

    outcomes = await asyncio.gather(*[engine.process(inbox_id) for _ in range(6)])

    assert [o for o in outcomes if o is not None] == ["offer.accept: above_offer"]
    assert await _answers_to(villager.phone) == ["K1：最多能接3件。"]


async def test_pieces_reported_by_sms_wait_in_the_leaders_feed_until_submitted(
    client: httpx.AsyncClient, twilio_token: str
) -> None:
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True)
    leader = await support.person(brand.id, Role.LEADER, village_id=brand.villages[0])
    work = await support.job_in_state(client, brand, villager, "accepted", quantity=5)
    start = (await support.ok(await client.get("/api/v1/jobs", headers=leader.auth)))["cursor"]

    await text(client, villager.phone, "做好了4")

    feed = await support.ok(await client.get(f"/api/v1/jobs?since={start}", headers=leader.auth))
    [job] = [j for j in feed["jobs"] if j["id"] == work.job_id]
    assert (job["status"], job["quantity_reported"]) == ("accepted", 4)  # not submitted: review still comes
    photo = await support.upload_photo(client, leader)
    body = {"quantity": 4, "photo_ids": [photo]}
    url = f"/api/v1/jobs/{work.job_id}/submissions"
    await support.ok(await client.post(url, json=body, headers=leader.auth), 201)
    after = await support.ok(await client.get(f"/api/v1/jobs?since={feed['cursor']}", headers=leader.auth))
    [job] = [j for j in after["jobs"] if j["id"] == work.job_id]
    assert (job["status"], job["quantity_reported"], job["quantity_submitted"]) == ("submitted", 0, 4)


async def test_two_advance_requests_by_sms_at_once_make_one_request_and_the_other_is_told_it_waits(
    client: httpx.AsyncClient,
) -> None:
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True)
    work = await support.job_in_state(client, brand, villager, "accepted", quantity=5)
    first, second = await _store(villager.phone, "预支 30"), await _store(villager.phone, "预支20元")

    outcomes = await asyncio.gather(*[engine.process(inbox_id) for inbox_id in (first, second, first, second)])

    assert sorted(o for o in outcomes if o is not None) == ["advance.request", "advance.request: advance_open"]
    rows = await run("SELECT amount_fen, status, requested_via FROM advance WHERE job = {}", work.job_id)
    assert len(rows) == 1
    assert (rows[0]["status"], rows[0]["requested_via"]) == ("requested", "sms")
    assert rows[0]["amount_fen"] in (3000, 2000)
    answers = await _answers_to(villager.phone)
    assert sorted(answers) == sorted(
        [f"K1：已申请预支¥{rows[0]['amount_fen'] // 100}.00，请等协调员答复。", "K1：已有一笔预支申请在等协调员处理。"]
    )
