"""The SMS simulator's API: a coordinator texts as a villager and reads the answers."""

from __future__ import annotations

import httpx
import pytest

from backend.core.settings import get_settings
from tests import support

URL = "/api/v1/sms/simulator"


async def test_a_coordinator_texts_as_a_villager_and_reads_the_answer(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True)
    await support.job_in_state(client, brand, villager, "offered", quantity=6)
    local = villager.phone.removeprefix("+86")

    answer = await support.ok(
        await client.post(URL, json={"phone": local, "body": "1"}, headers=brand.coordinator.auth), 201
    )

    assert answer["phone"] == villager.phone
    shown = [(m["direction"], m["kind"], m["body"][:8]) for m in answer["messages"]]
    assert shown == [
        ("out", "offer", "新任务K1：苗绣"),
        ("in", "offer.accept", "1"),
        ("out", "offer_accepted", "K1：已接6件苗"),
    ]
    again = await support.ok(await client.get(URL, params={"phone": local}, headers=brand.coordinator.auth))
    assert again == answer


async def test_a_resent_message_id_has_one_effect(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True)
    body = {"phone": villager.phone, "body": "0", "id": "page-message-0001"}

    for _ in range(3):
        answer = await support.ok(await client.post(URL, json=body, headers=brand.coordinator.auth), 201)

    assert [m["direction"] for m in answer["messages"]] == ["in", "out"]


async def test_a_number_nobody_registered_can_be_tried(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    stranger = support.new_phone()

    answer = await support.ok(
        await client.post(URL, json={"phone": stranger, "body": "你好"}, headers=brand.coordinator.auth), 201
    )

    assert [m["kind"] for m in answer["messages"]] == ["unregistered number", "not_registered"]


async def test_only_staff_may_use_it_and_never_as_another_brands_villager(client: httpx.AsyncClient) -> None:
    brand, other = await support.brand(), await support.brand()
    villager = await support.artisan(brand, sms_only=True)
    await support.job_in_state(client, brand, villager, "offered")
    body = {"phone": villager.phone, "body": "1"}

    support.refused(await client.post(URL, json=body, headers=villager.auth), 403, "forbidden")
    support.refused(await client.post(URL, json=body, headers=other.coordinator.auth), 404, "not_found")
    support.refused(await client.get(URL, params={"phone": villager.phone}, headers=other.coordinator.auth), 404)
    assert (await client.get(URL, params={"phone": villager.phone}, headers=brand.coordinator.auth)).json()["messages"][
        -1
    ]["kind"] == "offer"


async def test_bad_input_is_refused_clearly(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    staff = brand.coordinator.auth
    support.refused(await client.post(URL, json={"phone": "12", "body": "1"}, headers=staff), 400)
    support.refused(await client.post(URL, json={"phone": "not a phone", "body": "1"}, headers=staff), 422, "invalid")
    support.refused(await client.post(URL, json={"phone": "13800138000", "body": "x" * 1601}, headers=staff), 400)
    support.refused(
        await client.post(URL, json={"phone": "13800138000", "body": "1", "id": "../x"}, headers=staff), 400
    )


async def test_with_a_real_gateway_the_simulator_is_off(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    brand = await support.brand()
    monkeypatch.setenv("CUNJIANG_SMS_PROVIDER", "twilio")
    get_settings.cache_clear()
    try:
        response = await client.post(
            URL, json={"phone": support.new_phone(), "body": "1"}, headers=brand.coordinator.auth
        )
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    support.refused(response, 409, "simulator_off")
