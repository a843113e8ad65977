"""Calls that follow questions left unanswered: placed through Aliyun's voice API (the real SDK
against a local server), a key pressed taken once as the flow's answer, and the budget held."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import httpx

from backend.db.session import run
from backend.gateways import ConsoleCaller
from backend.gateways.aliyun_voice import AliyunVoiceGateway
from backend.messages.registered import Codes
from backend.voice import reports
from backend.voice.dispatch import call_due
from tests import support
from tests.fakes.aliyun_server import FakeAliyun, Placed
from tests.integration.voice.conftest import SHOW_NUMBER, china
from tests.support import CALLBACK_TOKEN as TOKEN

Voice = tuple[FakeAliyun, AliyunVoiceGateway, Codes]
RECEIVED = {"code": 0, "msg": "接收成功"}


async def _place(gateway: Any, now: dt.datetime) -> None:
    """Place every call due at ``now`` (other tests' due calls among them)."""
    await call_due(gateway, now=now, limit=1000)


async def _calls(phone: str) -> list[dict[str, Any]]:
    return await run(
        "SELECT id, status, attempts, key_pressed, provider, provider_call_id, duration_s, flow, step, due_at "
        "FROM voice_call WHERE to_phone = {} ORDER BY id",
        phone,
    )


def _placed_to(server: FakeAliyun, phone: str) -> list[Placed]:
    return [p for p in server.placed if p.phone == phone.removeprefix("+86")]


def _keys(placed: Placed, dtmf: str) -> dict[str, str]:
    return {
        "call_id": placed.call_id,
        "status_code": "300000",
        "dtmf": dtmf,
        "status_time": "2026-12-07 12:00:20",
        "out_id": placed.out_id,
    }


def _end(placed: Placed, *, answered: bool, dtmf: str = "", duration: str = "0") -> dict[str, str]:
    return {
        "call_id": placed.call_id,
        "status_code": "200000" if answered else "200005",
        "status_msg": "用户听音挂断" if answered else "用户未接听",
        "start_time": "2026-12-07 12:00:05" if answered else "",
        "end_time": "2026-12-07 12:00:30" if answered else "",
        "duration": duration,
        "dtmf": dtmf,
        "out_id": placed.out_id,
        "hangup_direction": "用户",
    }


async def _push(client: httpx.AsyncClient, items: list[dict[str, str]]) -> None:
    answer = await client.post("/voice/aliyun/report", params={"token": TOKEN}, json=items)
    assert answer.status_code == 200, answer.text
    assert answer.json() == RECEIVED
    await reports.apply_pending()  # what the response's background task did already, if it ran


async def _job(job_id: int) -> dict[str, Any]:
    [row] = await run("SELECT status, quantity_accepted FROM job WHERE id = {}", job_id)
    return row


async def _texts(phone: str) -> list[str]:
    rows = await run("SELECT kind FROM outbox_message WHERE to_phone = {} AND answers ORDER BY id", phone)
    return [row["kind"] for row in rows]


async def test_a_call_answered_with_1_accepts_the_offer_once_however_often_the_report_comes(
    client: httpx.AsyncClient, callback_token: str, aliyun_voice: Voice
) -> None:
    server, gateway, codes = aliyun_voice
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True, takes_calls=True)
    work = await support.job_in_state(client, brand, villager, "offered", quantity=4)

    await _place(gateway, china(1, 12))

    [placed] = _placed_to(server, villager.phone)
    [call] = await _calls(villager.phone)
    assert (placed.show_number, placed.start_code) == (SHOW_NUMBER, codes[("offer_call", "zh_Hans")])
    assert placed.params["code"] == "K1"
    assert placed.params["quantity"] == "4"
    assert placed.out_id == str(call["id"])
    thanks = codes[("call_answered", "zh_Hans")]
    assert placed.menu == {"1": (thanks, ""), "2": (thanks, ""), "9": (placed.start_code, placed.menu["9"][1])}
    assert call["status"] == "calling"
    assert (call["provider"], call["provider_call_id"], call["step"]) == ("aliyun", placed.call_id, "ask")

    # Aliyun repeats its pushes: the same item three times at once, and again beside the call's end.
    await asyncio.gather(*(_push(client, [_keys(placed, "1")]) for _ in range(3)))
    await _push(client, [_keys(placed, "1"), _end(placed, answered=True, dtmf="1", duration="25")])

    assert await _job(work.job_id) == {"status": "accepted", "quantity_accepted": 4}
    [call] = await _calls(villager.phone)
    assert (call["status"], call["key_pressed"], call["duration_s"]) == ("answered", "1", 25)
    assert await _texts(villager.phone) == ["offer_accepted"]
    events = await run(
        "SELECT action, channel FROM audit_event WHERE entity = 'job' AND entity_id = {} AND action = 'accept'",
        work.job_id,
    )
    assert events == [{"action": "accept", "channel": "voice"}]
    await _place(gateway, china(2, 12))
    assert len(_placed_to(server, villager.phone)) == 1  # answered: never called again


async def test_the_same_report_applied_by_many_workers_at_once_has_one_effect(
    client: httpx.AsyncClient, aliyun_voice: Voice
) -> None:
    server, gateway, _codes = aliyun_voice
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True, takes_calls=True)
    work = await support.job_in_state(client, brand, villager, "offered", quantity=2)
    await _place(gateway, china(1, 12))
    [placed] = _placed_to(server, villager.phone)
    report = reports.Report(provider="aliyun", call_id=placed.call_id, kind=reports.ReportKind.KEYS, keys="1")

    stored = [await reports.receive(report) for _ in range(3)]
    outcomes = await asyncio.gather(*(reports.apply(stored[0]) for _ in range(6)))

    assert stored[0] is not None
    assert stored[1:] == [None, None]  # one row per provider, call and kind
    assert [o for o in outcomes if o not in (None, "keys taken already")] == ["offer.accept"]
    assert await _job(work.job_id) == {"status": "accepted", "quantity_accepted": 2}
    assert await _texts(villager.phone) == ["offer_accepted"]


async def test_a_call_not_answered_changes_nothing_and_one_more_attempt_follows_the_next_day(
    client: httpx.AsyncClient, callback_token: str, aliyun_voice: Voice
) -> None:
    server, gateway, _codes = aliyun_voice
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True, takes_calls=True)
    work = await support.job_in_state(client, brand, villager, "offered", quantity=3)

    await _place(gateway, china(1, 12))
    [first] = _placed_to(server, villager.phone)
    await _push(client, [_end(first, answered=False)])
    [call] = await _calls(villager.phone)
    assert (call["status"], call["attempts"]) == ("queued", 1)
    await _place(gateway, china(1, 15))  # one call a number a day: not again today
    assert len(_placed_to(server, villager.phone)) == 1

    await _place(gateway, china(2, 10))
    [_, second] = _placed_to(server, villager.phone)
    await _push(client, [_end(second, answered=True, duration="31")])  # a machine answered: no key
    await _place(gateway, china(3, 10))

    [call] = await _calls(villager.phone)
    assert (call["status"], call["attempts"]) == ("no_answer", 2)
    assert len(_placed_to(server, villager.phone)) == 2  # at most 2 attempts
    assert await _job(work.job_id) == {"status": "offered", "quantity_accepted": 0}
    assert await _texts(villager.phone) == []


async def test_a_key_outside_the_menu_repeats_the_prompt_once_then_ends_without_an_answer(
    client: httpx.AsyncClient, callback_token: str, aliyun_voice: Voice
) -> None:
    server, gateway, _codes = aliyun_voice
    brand = await support.brand()
    patient = await support.artisan(brand, sms_only=True, takes_calls=True)
    hasty = await support.artisan(brand, sms_only=True, takes_calls=True)
    works = [await support.job_in_state(client, brand, who, "offered", quantity=3) for who in (patient, hasty)]
    await _place(gateway, china(1, 12))
    [to_patient], [to_hasty] = _placed_to(server, patient.phone), _placed_to(server, hasty.phone)

    await _push(client, [_end(to_patient, answered=True, dtmf="52", duration="40")])  # wrong, repeated, then 2
    await _push(client, [_end(to_hasty, answered=True, dtmf="561", duration="40")])  # wrong twice: ended

    assert await _job(works[0].job_id) == {"status": "declined", "quantity_accepted": 0}
    assert await _job(works[1].job_id) == {"status": "offered", "quantity_accepted": 0}
    [declined], [unanswered] = await _calls(patient.phone), await _calls(hasty.phone)
    assert (declined["status"], declined["key_pressed"]) == ("answered", "52")
    assert (unanswered["status"], unanswered["attempts"]) == ("queued", 1)


async def test_a_payout_question_is_confirmed_by_pressing_1(
    client: httpx.AsyncClient, callback_token: str, aliyun_voice: Voice
) -> None:
    server, gateway, codes = aliyun_voice
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True, takes_calls=True)
    work = await support.job_in_state(client, brand, villager, "paid", quantity=2)
    await _place(gateway, china(1, 12))
    placed = [p for p in _placed_to(server, villager.phone) if p.start_code == codes[("payout_call", "zh_Hans")]]

    await _push(client, [_keys(placed[0], "1")])

    [payout] = await run("SELECT status, confirmed_via FROM payout WHERE id = {}", work.payout_id)
    assert payout == {"status": "confirmed", "confirmed_via": "voice"}


async def test_no_call_in_quiet_hours_and_one_call_a_number_a_day(client: httpx.AsyncClient, quiet_hours: None) -> None:
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True, takes_calls=True)
    for _ in range(2):  # two offers, two questions: one call each, at most one a day
        await support.job_in_state(client, brand, villager, "offered", quantity=2)
    caller = ConsoleCaller()

    await _place(caller, china(1, 22, 30))  # quiet hours: 21:00-08:00
    assert [c["status"] for c in await _calls(villager.phone)] == ["queued", "queued"]
    assert all(support.as_moment(c["due_at"]) == china(2, 8) for c in await _calls(villager.phone))

    await _place(caller, china(2, 8, 30))
    await _place(caller, china(2, 18))
    first, second = await _calls(villager.phone)
    assert (first["status"], second["status"]) == ("calling", "queued")
    assert support.as_moment(second["due_at"]) == china(3, 8)  # the next morning

    # She answers the first call (the console's keys come as any provider's report).
    keys = reports.Report(provider="console", call_id=first["provider_call_id"], kind=reports.ReportKind.KEYS, keys="1")
    await reports.apply(await reports.receive(keys) or 0)
    await _place(caller, china(3, 9))
    assert [c["status"] for c in await _calls(villager.phone)] == ["answered", "calling"]


async def test_a_person_who_does_not_take_calls_is_never_called(client: httpx.AsyncClient, aliyun_voice: Voice) -> None:
    server, gateway, _codes = aliyun_voice
    brand = await support.brand()
    reader = await support.artisan(brand, sms_only=True)
    await support.job_in_state(client, brand, reader, "offered", quantity=2)

    await _place(gateway, china(1, 12))

    assert await _calls(reader.phone) == []
    assert _placed_to(server, reader.phone) == []


async def test_a_question_answered_meanwhile_by_sms_is_not_followed_by_a_call(
    client: httpx.AsyncClient, aliyun_voice: Voice
) -> None:
    server, gateway, _codes = aliyun_voice
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True, takes_calls=True)
    work = await support.job_in_state(client, brand, villager, "offered", quantity=2)
    await support.ok(await client.post(f"/api/v1/jobs/{work.job_id}/accept", json={}, headers=villager.auth))

    await _place(gateway, china(1, 12))

    [call] = await _calls(villager.phone)
    assert call["status"] == "cancelled"
    assert _placed_to(server, villager.phone) == []


async def test_a_call_whose_end_is_never_reported_counts_as_unanswered(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True, takes_calls=True)
    work = await support.job_in_state(client, brand, villager, "offered", quantity=2)
    caller = ConsoleCaller()

    await _place(caller, china(1, 12))
    await _place(caller, china(1, 14))  # no report for an hour: again, but not today
    [call] = await _calls(villager.phone)
    assert (call["status"], call["attempts"]) == ("calling", 1)
    await _place(caller, china(2, 10))
    [call] = await _calls(villager.phone)
    assert (call["status"], call["attempts"]) == ("calling", 2)
    await _place(caller, china(3, 10))

    [call] = await _calls(villager.phone)
    assert (call["status"], call["attempts"]) == ("no_answer", 2)
    assert await _job(work.job_id) == {"status": "offered", "quantity_accepted": 0}


async def test_a_push_without_the_token_or_not_a_json_array_is_refused_and_stores_nothing(
    client: httpx.AsyncClient, callback_token: str
) -> None:
    [before] = await run("SELECT COUNT(*) AS n FROM voice_report")
    item = [{"call_id": "1^2", "status_code": "300000", "dtmf": "1", "out_id": "1"}]

    wrong = await client.post("/voice/aliyun/report", params={"token": "guess"}, json=item)
    missing = await client.post("/voice/aliyun/report", json=item)
    garbled = await client.post("/voice/aliyun/report", params={"token": TOKEN}, content=b"[1,")
    odd = await client.post("/voice/aliyun/report", params={"token": TOKEN}, json=[1, "x", {"dtmf": "1"}, None])

    assert [wrong.status_code, missing.status_code, garbled.status_code] == [403, 403, 400]
    assert (odd.status_code, odd.json()) == (200, RECEIVED)  # unreadable items: skipped, the push still succeeds
    assert await run("SELECT COUNT(*) AS n FROM voice_report") == [before]


async def test_a_key_the_order_can_no_longer_honour_is_answered_by_the_flows_refusal(
    client: httpx.AsyncClient, callback_token: str, aliyun_voice: Voice
) -> None:
    server, gateway, _codes = aliyun_voice
    brand = await support.brand()
    caller = await support.artisan(brand, sms_only=True, takes_calls=True)
    quicker = await support.artisan(brand, sms_only=True, takes_calls=True)
    order = await support.open_order(client, brand, quantity=3)
    jobs = await support.offer(client, brand, order["id"], (caller, 3), (quicker, 3))
    await _place(gateway, china(1, 12))
    [to_caller] = _placed_to(server, caller.phone)
    await support.ok(await client.post(f"/api/v1/jobs/{jobs[1]['id']}/accept", json={}, headers=quicker.auth))

    await _push(client, [_keys(to_caller, "1")])

    assert await _job(jobs[0]["id"]) == {"status": "offered", "quantity_accepted": 0}
    assert await _texts(caller.phone) == ["offer_closed"]
    [call] = await _calls(caller.phone)
    assert call["status"] == "answered"
    [outcome] = await run("SELECT outcome FROM voice_call WHERE id = {}", call["id"])
    assert outcome == {"outcome": "offer.accept: order_taken"}


async def test_workers_placing_calls_at_once_place_each_call_once(
    client: httpx.AsyncClient, aliyun_voice: Voice
) -> None:
    server, gateway, _codes = aliyun_voice
    brand = await support.brand()
    villagers = [await support.artisan(brand, sms_only=True, takes_calls=True) for _ in range(4)]
    for villager in villagers:
        await support.job_in_state(client, brand, villager, "offered", quantity=2)

    await asyncio.gather(*(call_due(gateway, owner=f"worker-{n}", now=china(1, 12), limit=2) for n in range(4)))
    await _place(gateway, china(1, 12))  # what the four rounds left (each takes two)

    for villager in villagers:
        assert len(_placed_to(server, villager.phone)) == 1
        [call] = await _calls(villager.phone)
        assert (call["status"], call["attempts"]) == ("calling", 1)


async def _cost(phone: str) -> tuple[int | None, bool]:
    [row] = await run("SELECT cost_fen, cost_estimated FROM voice_call WHERE to_phone = {}", phone)
    return row["cost_fen"], bool(row["cost_estimated"])


async def test_each_attempt_picked_up_costs_its_minutes_started_once_estimated_when_aliyun_says_no_cost(
    client: httpx.AsyncClient, callback_token: str, aliyun_voice: Voice
) -> None:
    server, gateway, _codes = aliyun_voice
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True, takes_calls=True)
    await support.job_in_state(client, brand, villager, "offered", quantity=3)
    await _place(gateway, china(1, 12))
    [first] = _placed_to(server, villager.phone)

    await _push(client, [_end(first, answered=True, duration="61")])  # a machine: 2 minutes started, 10 fen each
    await _push(client, [_end(first, answered=True, duration="61")])  # Aliyun repeats its push
    await run("UPDATE voice_report SET processed_at = NULL WHERE call_id = {}", first.call_id)
    await reports.apply_pending()  # applied again, as after a crash before it was marked

    assert await _cost(villager.phone) == (20, True)
    await _place(gateway, china(2, 10))
    [_, second] = _placed_to(server, villager.phone)
    end = reports.Report(
        provider="aliyun", call_id=second.call_id, kind=reports.ReportKind.END, answered=True, duration_s=30, cost_fen=7
    )
    stored = await reports.receive(end)
    assert stored is not None
    await reports.apply(stored)

    assert await _cost(villager.phone) == (27, True)  # the provider's 7 fen, beside our estimate


async def test_a_call_never_picked_up_costs_nothing(
    client: httpx.AsyncClient, callback_token: str, aliyun_voice: Voice
) -> None:
    server, gateway, _codes = aliyun_voice
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True, takes_calls=True)
    await support.job_in_state(client, brand, villager, "offered", quantity=3)
    await _place(gateway, china(1, 12))
    [first] = _placed_to(server, villager.phone)

    await _push(client, [_end(first, answered=False)])

    assert await _cost(villager.phone) == (None, False)
