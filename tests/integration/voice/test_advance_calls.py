"""A call follows an advance paid and left unanswered by SMS ("did you receive the advance?"), as
it follows offers and payouts: spoken with the ask step's prompt, a key pressed taken once as her
answer (1 received, 2 not), through the same conversation, on channel ``voice``; the console's
call view presses keys for her as staff, on her behalf."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from backend.audit.service import history
from backend.db.session import run
from backend.gateways import ConsoleCaller
from backend.voice.answers import take_keys
from backend.voice.dispatch import call_due
from tests import support
from tests.integration.voice.conftest import china
from tests.integration.voice.test_calls import Voice, _keys, _placed_to, _push

API = "/api/v1"
VIEW = "/api/v1/sms/simulator/calls"


async def _advance_paid(client: httpx.AsyncClient, takes_calls: bool = True) -> tuple[Any, Any, int]:
    """An SMS-only villager with an advance of ¥30.00 paid on her accepted job (the SMS asked)."""
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True, takes_calls=takes_calls)
    work = await support.job_in_state(client, brand, villager, "accepted", quantity=5)
    body = {"amount_fen": 3000}
    asked = await support.ok(
        await client.post(f"{API}/jobs/{work.job_id}/advance", json=body, headers=villager.auth), 201
    )
    for action, data in (("approve", None), ("pay", {"method": "wechat", "reference": "WX-1"})):
        url = f"{API}/advances/{asked['id']}/{action}"
        await support.ok(await client.post(url, json=data, headers=brand.coordinator.auth))
    return brand, villager, int(asked["id"])


async def _advance_calls(phone: str) -> list[dict[str, Any]]:
    return await run(
        "SELECT id, status, key_pressed, item_id FROM voice_call WHERE to_phone = {} AND flow = 'advance_paid'",
        phone,
    )


async def _advance(advance_id: int) -> dict[str, Any]:
    [row] = await run("SELECT status, confirmed_via, reason FROM advance WHERE id = {}", advance_id)
    return row


async def _answers(phone: str) -> list[str]:
    rows = await run("SELECT kind FROM outbox_message WHERE to_phone = {} AND answers ORDER BY id", phone)
    return [row["kind"] for row in rows]


async def test_an_unanswered_advance_question_is_followed_by_a_call_whose_2_disputes_it_once(
    client: httpx.AsyncClient,
) -> None:
    brand, villager, advance_id = await _advance_paid(client)
    [queued] = await _advance_calls(villager.phone)
    assert (queued["status"], queued["item_id"]) == ("queued", advance_id)

    await call_due(ConsoleCaller(), now=china(1, 12), limit=1000)  # the console voice gateway places it

    [call] = await _advance_calls(villager.phone)
    assert call["status"] == "calling"
    # The keys reported by three deliveries at once (a provider repeats itself): one answer.
    outcomes = await asyncio.gather(*(take_keys(call["id"], "2") for _ in range(3)))
    assert sorted(o or "" for o in outcomes) == ["", "", "advance_paid.dispute"]
    assert await _advance(advance_id) == {"status": "disputed", "confirmed_via": "", "reason": "voice: 2"}
    assert await _answers(villager.phone) == ["advance_disputed"]
    [event] = [e for e in await history("advance", advance_id) if e["action"] == "dispute"]
    assert (event["actor"], event["channel"]) == (villager.id, "voice")
    [after] = await _advance_calls(villager.phone)
    assert (after["status"], after["key_pressed"]) == ("answered", "2")
    await call_due(ConsoleCaller(), now=china(2, 12), limit=1000)
    assert [c["status"] for c in await _advance_calls(villager.phone)] == ["answered"]  # never again

    resolved = {"resolution": "confirmed", "note": "转账记录已核对"}  # the dispute, closed in the console
    url = f"{API}/advances/{advance_id}/resolve"
    settled = await support.ok(await client.post(url, json=resolved, headers=brand.coordinator.auth))
    assert (settled["status"], settled["resolution_note"]) == ("confirmed", "转账记录已核对")


async def test_the_call_view_hears_the_advance_prompt_and_1_confirms_it_for_her(client: httpx.AsyncClient) -> None:
    brand, villager, advance_id = await _advance_paid(client)
    await call_due(ConsoleCaller(), now=china(1, 12), limit=1000)
    shown = await support.ok(await client.get(VIEW, params={"phone": villager.phone}, headers=brand.coordinator.auth))
    [call] = [c for c in shown["calls"] if c["flow"] == "advance_paid"]
    assert call["status"] == "calling"
    assert "预支款¥30.00" in call["words"]
    assert "按1" in call["words"]

    url = f"{VIEW}/{call['id']}/keys"
    pressed = [await client.post(url, json={"keys": "1"}, headers=brand.coordinator.auth) for _ in range(2)]

    assert (await support.ok(pressed[0]))["ended"] is True
    assert await _advance(advance_id) == {"status": "confirmed", "confirmed_via": "simulator", "reason": ""}
    assert await _answers(villager.phone) == ["advance_confirmed"]
    [event] = [e for e in await history("advance", advance_id) if e["action"] == "confirm"]
    assert (event["actor"], event["on_behalf_of"], event["channel"]) == (brand.coordinator.id, villager.id, "simulator")


async def test_an_advance_call_through_aliyun_is_confirmed_by_pressing_1(
    client: httpx.AsyncClient, callback_token: str, aliyun_voice: Voice
) -> None:
    server, gateway, codes = aliyun_voice
    _brand, villager, advance_id = await _advance_paid(client)
    await call_due(gateway, now=china(1, 12), limit=1000)
    [placed] = [
        p for p in _placed_to(server, villager.phone) if p.start_code == codes[("advance_paid_call", "zh_Hans")]
    ]
    assert placed.params["amount"] == "¥30.00"

    await _push(client, [_keys(placed, "1")])
    await _push(client, [_keys(placed, "1")])  # pushed again: nothing more

    assert await _advance(advance_id) == {"status": "confirmed", "confirmed_via": "voice", "reason": ""}
    assert await _answers(villager.phone) == ["advance_confirmed"]


async def test_an_advance_answered_meanwhile_or_to_someone_who_takes_no_calls_is_not_called(
    client: httpx.AsyncClient,
) -> None:
    _brand, answered, advance_id = await _advance_paid(client)
    await support.ok(await client.post(f"{API}/advances/{advance_id}/confirm", headers=answered.auth))
    _other, reader, _ = await _advance_paid(client, takes_calls=False)

    await call_due(ConsoleCaller(), now=china(1, 12), limit=1000)

    [call] = await _advance_calls(answered.phone)
    assert call["status"] == "cancelled"
    assert await _advance_calls(reader.phone) == []
