"""The console's call view: staff see the calls placed to the villager they simulate (the
prompt as spoken to her) and press keys for her; the keys go through the same answers path as
a provider's, and the SMS simulator's rules hold (their act, on her behalf; their brand only)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from backend.audit.service import history
from backend.core.settings import get_settings
from backend.db.session import run
from backend.gateways import ConsoleCaller
from backend.voice.dispatch import call_due
from tests import support
from tests.integration.voice.conftest import china

URL = "/api/v1/sms/simulator/calls"


async def _offered_and_called(client: httpx.AsyncClient, quantity: int = 4) -> tuple[Any, Any, Any]:
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True, takes_calls=True)
    work = await support.job_in_state(client, brand, villager, "offered", quantity=quantity)
    await call_due(ConsoleCaller(), now=china(1, 12), limit=1000)
    return brand, villager, work


async def _shown(client: httpx.AsyncClient, brand: Any, phone: str) -> dict[str, Any]:
    return await support.ok(await client.get(URL, params={"phone": phone}, headers=brand.coordinator.auth))


async def _press(client: httpx.AsyncClient, brand: Any, call_id: int, keys: str) -> httpx.Response:
    return await client.post(f"{URL}/{call_id}/keys", json={"keys": keys}, headers=brand.coordinator.auth)


async def _job(job_id: int) -> dict[str, Any]:
    [row] = await run("SELECT status, quantity_accepted FROM job WHERE id = {}", job_id)
    return row


async def test_a_coordinator_hears_the_call_and_presses_1_for_the_villager_once(client: httpx.AsyncClient) -> None:
    brand, villager, work = await _offered_and_called(client)

    [call] = (await _shown(client, brand, villager.phone.removeprefix("+86")))["calls"]
    assert (call["status"], call["flow"], call["language"], call["keys_pressed"]) == ("calling", "offer", "zh_Hans", "")
    assert "新任务K1" in call["words"]
    assert "按1" in call["words"]

    answers = [await support.ok(await _press(client, brand, call["id"], "1")) for _ in range(3)]

    assert answers[0]["ended"] is True
    assert answers[0]["heard"]  # the thanks, before the call hangs up
    assert [c["status"] for c in answers[-1]["calls"]] == ["answered"]
    assert await _job(work.job_id) == {"status": "accepted", "quantity_accepted": 4}
    texts = await run("SELECT kind FROM outbox_message WHERE to_phone = {} AND answers", villager.phone)
    assert texts == [{"kind": "offer_accepted"}]
    [event] = [e for e in await history("job", work.job_id) if e["action"] == "accept"]
    assert (event["actor"], event["on_behalf_of"], event["channel"]) == (brand.coordinator.id, villager.id, "simulator")


async def test_a_key_outside_the_menu_repeats_the_prompt_once_then_hangs_up(client: httpx.AsyncClient) -> None:
    brand, villager, work = await _offered_and_called(client)
    [call] = (await _shown(client, brand, villager.phone))["calls"]

    again = await support.ok(await _press(client, brand, call["id"], "5"))
    assert (again["ended"], again["heard"]) == (False, call["words"])
    ended = await support.ok(await _press(client, brand, call["id"], "56"))

    assert (ended["ended"], ended["heard"]) == (True, "")
    [after] = ended["calls"]
    assert (after["status"], after["attempts"], after["keys_pressed"]) == ("queued", 1, "56")  # tried again tomorrow
    assert await _job(work.job_id) == {"status": "offered", "quantity_accepted": 0}
    support.refused(await _press(client, brand, call["id"], "1"), 409, "call_not_ringing")


async def test_another_brands_calls_do_not_exist_here(client: httpx.AsyncClient) -> None:
    brand, villager, work = await _offered_and_called(client)
    other = await support.brand()
    [call] = (await _shown(client, brand, villager.phone))["calls"]

    support.refused(await client.get(URL, params={"phone": villager.phone}, headers=other.coordinator.auth), 404)
    support.refused(await _press(client, other, call["id"], "1"), 404)
    support.refused(await client.post(f"{URL}/{call['id']}/keys", json={"keys": "1"}, headers=villager.auth), 403)
    support.refused(await _press(client, brand, call["id"], "1x"), 400)
    assert await _job(work.job_id) == {"status": "offered", "quantity_accepted": 0}


async def test_with_a_real_voice_gateway_the_call_view_is_off(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    brand, villager, _work = await _offered_and_called(client)
    monkeypatch.setenv("CUNJIANG_VOICE_PROVIDER", "aliyun")
    get_settings.cache_clear()
    try:
        response = await client.get(URL, params={"phone": villager.phone}, headers=brand.coordinator.auth)
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    support.refused(response, 409, "call_view_off")
