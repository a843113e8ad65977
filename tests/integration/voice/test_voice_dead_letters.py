"""Aliyun's voice pushes with bad items in them: every good item applied as usual, every item
that cannot be read or matches no call of ours set aside once as a dead letter (as the SMS
pushes' are), shown to the brand of the call it names; a later push that matches is applied."""

from __future__ import annotations

import json
from typing import Any

import httpx

from backend.db.session import run
from backend.sms.dead_letters import everything
from backend.voice import reports
from tests import support
from tests.integration.voice.conftest import china
from tests.integration.voice.test_calls import RECEIVED, Voice, _calls, _end, _job, _keys, _place, _placed_to
from tests.support import CALLBACK_TOKEN as TOKEN

REPORT = "/voice/aliyun/report"


async def _push_texts(client: httpx.AsyncClient, texts: list[str]) -> None:
    """A push of these items, each written exactly as given, and what it stored applied."""
    body = ("[" + ",".join(texts) + "]").encode()
    answer = await client.post(
        REPORT, params={"token": TOKEN}, content=body, headers={"content-type": "application/json"}
    )
    assert (answer.status_code, answer.json()) == (200, RECEIVED), answer.text
    await reports.apply_pending()


async def _set_aside(text: str) -> list[dict[str, Any]]:
    return await run("SELECT reason, brand FROM sms_dead_letter WHERE kind = 'voice_report' AND item = {}", text)


async def test_bad_voice_items_between_good_ones_cost_nothing_and_are_set_aside_once(
    client: httpx.AsyncClient, callback_token: str, aliyun_voice: Voice
) -> None:
    server, gateway, _codes = aliyun_voice
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True, takes_calls=True)
    work = await support.job_in_state(client, brand, villager, "offered", quantity=3)
    await _place(gateway, china(1, 12))
    [placed] = _placed_to(server, villager.phone)
    [call] = await _calls(villager.phone)
    unknown = _keys(placed, "1") | {"call_id": "no-such-call", "out_id": ""}
    not_ours = _end(placed, answered=True, dtmf="1") | {"call_id": "another-call"}  # out_id: our call, another id
    bad = {
        "42": "not_an_object",
        json.dumps({"status_code": "300000", "dtmf": "1"}): "missing_field",
        json.dumps(_keys(placed, "1") | {"call_id": "x" * 65}): "invalid_id",
        json.dumps(_end(placed, answered=True) | {"duration": [1]}): "invalid_field",
        json.dumps(unknown): "unknown_call",
        json.dumps(not_ours): "unknown_call",
    }
    texts = [json.dumps(_keys(placed, "1")), *bad]

    for _ in range(2):  # Aliyun repeats a push
        await _push_texts(client, texts)

    assert await _job(work.job_id) == {"status": "accepted", "quantity_accepted": 3}
    for text, reason in bad.items():
        named = f'"out_id": "{call["id"]}"' in text  # the brand of the call its out_id names
        assert await _set_aside(text) == [{"reason": reason, "brand": brand.id if named else None}], text
    assert [bool(await _set_aside(text)) for text in bad if f'"out_id": "{call["id"]}"' in text] == [True] * 3
    stored = await run("SELECT call_id FROM voice_report WHERE out_id = {} ORDER BY id", str(call["id"]))
    assert stored == [{"call_id": placed.call_id}]  # what matched no call was not stored


async def test_a_report_set_aside_for_want_of_its_call_does_not_stop_a_later_push_that_matches(
    client: httpx.AsyncClient, callback_token: str, aliyun_voice: Voice
) -> None:
    server, gateway, _codes = aliyun_voice
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True, takes_calls=True)
    work = await support.job_in_state(client, brand, villager, "offered", quantity=2)
    await _place(gateway, china(1, 12))
    [placed] = _placed_to(server, villager.phone)
    [call] = await _calls(villager.phone)
    # Aliyun's id of the call was not recorded (its answer to IvrCall got lost), and the push has no OutId.
    await run("UPDATE voice_call SET provider_call_id = {} WHERE id = {}", "lost", call["id"])
    early = json.dumps(_keys(placed, "1") | {"out_id": ""})

    await _push_texts(client, [early])

    assert await _set_aside(early) == [{"reason": "unknown_call", "brand": None}]
    assert await _job(work.job_id) == {"status": "offered", "quantity_accepted": 0}
    await run("UPDATE voice_call SET provider_call_id = {} WHERE id = {}", placed.call_id, call["id"])

    await _push_texts(client, [early])

    assert await _job(work.job_id) == {"status": "accepted", "quantity_accepted": 2}
    assert len(await _set_aside(early)) == 1


async def test_the_brand_sees_its_voice_dead_letters_and_an_operator_sees_them_all(
    client: httpx.AsyncClient, callback_token: str, aliyun_voice: Voice
) -> None:
    server, gateway, _codes = aliyun_voice
    brand, other = await support.brand(), await support.brand()
    villager = await support.artisan(brand, sms_only=True, takes_calls=True)
    await support.job_in_state(client, brand, villager, "offered", quantity=2)
    await _place(gateway, china(1, 12))
    [placed] = _placed_to(server, villager.phone)
    ours = json.dumps(_end(placed, answered=False) | {"call_id": "stale-call-id"})
    nobodys = json.dumps({"call_id": "", "status_code": "300000", "dtmf": "1"})

    await _push_texts(client, [ours, nobodys])

    seen = await support.ok(await client.get("/api/v1/sms/dead-letters", headers=brand.coordinator.auth))
    [shown] = [d for d in seen["dead_letters"] if d["kind"] == "voice_report"]
    assert (shown["reason"], shown["reason_text"]) == ("unknown_call", "这份回执对不上我们打过的任何电话。")
    assert shown["item"] == ours.replace('"200005"', '"******"')  # six digits may be a sign-in code: masked
    theirs = await support.ok(await client.get("/api/v1/sms/dead-letters", headers=other.coordinator.auth))
    assert [d for d in theirs["dead_letters"] if d["kind"] == "voice_report"] == []
    listed = {(row["kind"], row["item"]): row["brand"] for row in await everything()}
    assert listed[("voice_report", nobodys)] is None
    assert listed[("voice_report", ours)] == brand.slug
