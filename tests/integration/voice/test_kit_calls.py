"""A call follows materials handed out and left unanswered by SMS ("did you receive them?"), as
it follows offers, payments and advances: spoken with the kit question's prompt, a key pressed
taken once as her answer (1 received, 2 something missing), on channel ``voice``; never for
someone who does not take calls, and not once she answered by SMS."""

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
from tests.integration.sms.webhook import text
from tests.integration.voice.conftest import china

API = "/api/v1"
LINES = [{"material": "银片", "quantity": 3, "unit": "张", "lot": "S7"}]


async def _kit_handed_out(client: httpx.AsyncClient, takes_calls: bool = True) -> tuple[Any, int]:
    """An SMS-only villager with materials handed out for her accepted job (the SMS asked)."""
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True, takes_calls=takes_calls)
    work = await support.job_in_state(client, brand, villager, "accepted", quantity=5)
    kit = await support.ok(
        await client.post(f"{API}/jobs/{work.job_id}/kits", json={"lines": LINES}, headers=brand.coordinator.auth),
        201,
    )
    return villager, int(kit["id"])


async def _kit_calls(phone: str) -> list[dict[str, Any]]:
    return await run(
        "SELECT id, status, key_pressed, item_id FROM voice_call WHERE to_phone = {} AND flow = 'kit'", phone
    )


async def _kit(kit_id: int) -> dict[str, Any]:
    [row] = await run("SELECT status, note FROM kit WHERE id = {}", kit_id)
    return row


async def test_an_unanswered_kit_question_is_followed_by_a_call_whose_2_reports_a_shortage_once(
    client: httpx.AsyncClient,
) -> None:
    villager, kit_id = await _kit_handed_out(client)
    [queued] = await _kit_calls(villager.phone)
    assert (queued["status"], queued["item_id"]) == ("queued", kit_id)

    await call_due(ConsoleCaller(), now=china(1, 12), limit=1000)
    [call] = await _kit_calls(villager.phone)
    assert call["status"] == "calling"
    outcomes = await asyncio.gather(*(take_keys(call["id"], "2") for _ in range(3)))  # reported thrice at once
    assert sorted(o or "" for o in outcomes) == ["", "", "kit.short"]
    assert (await _kit(kit_id))["status"] == "short"
    [event] = [e for e in await history("kit", kit_id) if e["action"] == "short"]
    assert (event["actor"], event["channel"]) == (villager.id, "voice")
    [after] = await _kit_calls(villager.phone)
    assert (after["status"], after["key_pressed"]) == ("answered", "2")


async def test_a_kit_answered_by_sms_is_not_called_and_no_call_for_who_takes_none(
    client: httpx.AsyncClient, twilio_token: str
) -> None:
    villager, kit_id = await _kit_handed_out(client)
    await text(client, villager.phone, "收到")
    assert (await _kit(kit_id))["status"] == "received"
    await call_due(ConsoleCaller(), now=china(1, 12), limit=1000)
    assert [c["status"] for c in await _kit_calls(villager.phone)] == ["cancelled"]

    quiet, _ = await _kit_handed_out(client, takes_calls=False)
    assert await _kit_calls(quiet.phone) == []
