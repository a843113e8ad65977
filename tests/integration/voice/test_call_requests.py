"""Asking for calls while a question waits (the app's switch, or 电话 by SMS): the open
question's call queued once, due when the usual delay after the question has passed; no more
calls cancels the queued ones at once, and asking again resumes the same call."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import httpx

from backend.core.types import as_datetime, utcnow
from backend.db.session import run, write_transaction
from backend.gateways import ConsoleCaller
from backend.outbox.calls import follow_up
from backend.voice.dispatch import call_due
from tests import support
from tests.integration.voice.conftest import china

CALLS = "/api/v1/me/calls"


async def _calls(phone: str) -> list[dict[str, Any]]:
    return await run(
        "SELECT id, flow, item_id, status, attempts, due_at, outcome FROM voice_call WHERE to_phone = {} ORDER BY id",
        phone,
    )


async def _asked_at(phone: str) -> dt.datetime:
    [row] = await run("SELECT asked_at FROM sms_conversation WHERE phone = {}", phone)
    return as_datetime(row["asked_at"])


async def _take_calls(client: httpx.AsyncClient, who: support.Person, wanted: bool) -> None:
    answer = await client.put(CALLS, json={"takes_calls": wanted}, headers=who.auth)
    assert answer.json() == {"takes_calls": wanted}, answer.text


async def test_asking_for_calls_while_an_offer_waits_queues_its_call_after_the_usual_delay(
    client: httpx.AsyncClient,
) -> None:
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True)
    work = await support.job_in_state(client, brand, villager, "offered", quantity=3)
    assert await _calls(villager.phone) == []  # she took no calls when she was asked

    await _take_calls(client, villager, True)

    [call] = await _calls(villager.phone)
    assert (call["flow"], call["item_id"], call["status"], call["attempts"]) == ("offer", work.job_id, "queued", 0)
    assert as_datetime(call["due_at"]) == await _asked_at(villager.phone) + dt.timedelta(hours=4)


async def test_asking_for_calls_long_after_the_question_makes_the_call_due_at_once(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True)
    await support.job_in_state(client, brand, villager, "offered", quantity=3)
    long_ago = utcnow() - dt.timedelta(hours=30)
    await run("UPDATE sms_conversation SET asked_at = {} WHERE phone = {}", long_ago, villager.phone)

    before = utcnow()
    await _take_calls(client, villager, True)

    [call] = await _calls(villager.phone)
    assert before <= as_datetime(call["due_at"]) <= utcnow()


async def test_asking_again_and_again_at_once_beside_the_questions_own_follow_up_queues_one_call(
    client: httpx.AsyncClient,
) -> None:
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True)
    work = await support.job_in_state(client, brand, villager, "offered", quantity=3)
    await run("UPDATE person SET takes_calls = {} WHERE phone = {}", True, villager.phone)
    asked = (villager.phone, "offer", work.job_id, "K1", "zh_Hans", villager.id, brand.id)

    async def follow() -> None:
        async with write_transaction():
            await follow_up([asked], utcnow())

    await asyncio.gather(follow(), *(_take_calls(client, villager, True) for _ in range(4)), follow())
    await _take_calls(client, villager, True)

    assert [call["status"] for call in await _calls(villager.phone)] == ["queued"]


async def test_no_more_calls_cancels_the_queued_call_at_once_and_asking_again_resumes_it(
    client: httpx.AsyncClient,
) -> None:
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True, takes_calls=True)
    await support.job_in_state(client, brand, villager, "offered", quantity=3)
    [queued] = await _calls(villager.phone)

    await _take_calls(client, villager, False)

    [cancelled] = await _calls(villager.phone)
    assert (cancelled["id"], cancelled["status"]) == (queued["id"], "cancelled")
    assert cancelled["outcome"] == "she no longer takes calls"
    caller = ConsoleCaller()
    await call_due(caller, now=china(1, 12), limit=1000)
    assert [call["status"] for call in await _calls(villager.phone)] == ["cancelled"]

    await _take_calls(client, villager, True)

    [resumed] = await _calls(villager.phone)
    assert (resumed["id"], resumed["status"], resumed["outcome"]) == (queued["id"], "queued", "")
    await call_due(caller, now=china(1, 12), limit=1000)
    [placed] = await _calls(villager.phone)
    assert (placed["status"], placed["attempts"]) == ("calling", 1)


async def test_asking_for_calls_after_answering_or_about_an_item_of_no_question_queues_nothing(
    client: httpx.AsyncClient,
) -> None:
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True)
    work = await support.job_in_state(client, brand, villager, "offered", quantity=3)
    await support.ok(await client.post(f"/api/v1/jobs/{work.job_id}/accept", json={}, headers=villager.auth))
    app_user = await support.artisan(brand)  # never asked by SMS

    await _take_calls(client, villager, True)
    await _take_calls(client, app_user, True)

    assert await _calls(villager.phone) == []
    assert await _calls(app_user.phone) == []
