"""The SMS simulator's API: a coordinator texts as a villager and reads the answers."""

from __future__ import annotations

import json

import httpx
import pytest

from backend.audit.service import history
from backend.core.settings import get_settings
from backend.core.types import Role
from backend.db.session import run
from backend.gateways import ConsoleGateway
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


# Security review (issue 22), findings 1, 2 and 8.


async def _queued_code(phone: str) -> str:
    """The digits of the code queued for ``phone`` (the test reads the table, as only the
    sender may): what no answer may show."""
    rows = await run("SELECT variables FROM outbox_message WHERE to_phone = {} AND kind = 'otp'", phone)
    return str(json.loads(rows[-1]["variables"])["code"])


async def test_a_coordinator_cannot_read_anyones_sign_in_code_in_the_simulator(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    admin = await support.person(brand.id, Role.ADMIN)
    await support.ok(await client.post("/api/v1/auth/otp", json={"phone": admin.phone}), 202)
    code = await _queued_code(admin.phone)

    before = await client.get(URL, params={"phone": admin.phone}, headers=brand.coordinator.auth)
    await support.drain(ConsoleGateway())
    after = await client.get(URL, params={"phone": admin.phone}, headers=brand.coordinator.auth)

    for answer in (before, after):
        [shown] = (await support.ok(answer))["messages"]
        assert (shown["kind"], shown["body"]) == ("otp", "验证码已发送（数字不向任何人显示）")
        assert code not in answer.text
    stolen = await client.post("/api/v1/auth/token", json={"phone": admin.phone, "code": "0" * 6})
    support.refused(stolen, 401, "invalid_code")
    [row] = await run("SELECT body, variables, status FROM outbox_message WHERE to_phone = {}", admin.phone)
    assert row["status"] == "sent"
    assert code not in row["body"] + row["variables"]  # sent: the digits are gone from the table too


async def test_with_a_real_gateway_reading_the_simulator_is_off_too(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True)
    monkeypatch.setenv("CUNJIANG_SMS_PROVIDER", "twilio")
    get_settings.cache_clear()
    try:
        response = await client.get(URL, params={"phone": villager.phone}, headers=brand.coordinator.auth)
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    support.refused(response, 409, "simulator_off")


async def test_a_payout_confirmed_in_the_simulator_is_the_coordinators_act_not_hers(
    client: httpx.AsyncClient,
) -> None:
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True)
    work = await support.job_in_state(client, brand, villager, "paid")

    await support.ok(
        await client.post(URL, json={"phone": villager.phone, "body": "收到"}, headers=brand.coordinator.auth), 201
    )

    [payout] = (await support.ok(await client.get("/api/v1/payouts", headers=villager.auth)))["payouts"]
    assert (payout["id"], payout["status"], payout["confirmed_via"]) == (work.payout_id, "confirmed", "simulator")
    [event] = [e for e in await history("payout", work.payout_id) if e["action"] == "confirm"]
    assert (event["actor"], event["on_behalf_of"], event["channel"]) == (
        brand.coordinator.id,
        villager.id,
        "simulator",
    )
    [job_event] = [e for e in await history("job", work.job_id) if e["to_status"] == "confirmed"]
    assert (job_event["actor"], job_event["on_behalf_of"], job_event["channel"]) == (
        brand.coordinator.id,
        villager.id,
        "simulator",
    )


async def test_a_payout_she_confirms_in_the_app_says_so(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    work = await support.job_in_state(client, brand, artisan, "confirmed")

    [payout] = (await support.ok(await client.get("/api/v1/payouts", headers=artisan.auth)))["payouts"]

    assert (payout["id"], payout["confirmed_via"]) == (work.payout_id, "app")
    [event] = [e for e in await history("payout", work.payout_id) if e["action"] == "confirm"]
    assert (event["actor"], event["on_behalf_of"], event["channel"]) == (artisan.id, None, "app")


async def test_another_brands_simulated_conversation_with_a_stranger_stays_its_own(client: httpx.AsyncClient) -> None:
    brand, other = await support.brand(), await support.brand()
    stranger = support.new_phone()
    await support.ok(
        await client.post(URL, json={"phone": stranger, "body": "我是王"}, headers=brand.coordinator.auth), 201
    )

    seen = await support.ok(await client.get(URL, params={"phone": stranger}, headers=other.coordinator.auth))
    own = await support.ok(
        await client.post(URL, json={"phone": stranger, "body": "你好"}, headers=other.coordinator.auth), 201
    )

    assert seen["messages"] == []
    assert [(m["direction"], m["body"][:2]) for m in own["messages"]] == [("in", "你好"), ("out", "此号")]
    first = await support.ok(await client.get(URL, params={"phone": stranger}, headers=brand.coordinator.auth))
    assert [m["body"][:2] for m in first["messages"]] == ["我是", "此号"]


async def test_the_same_message_id_from_two_coordinators_is_two_messages(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    second = await support.person(brand.id, Role.COORDINATOR)
    villager = await support.artisan(brand, sms_only=True)
    body = {"phone": villager.phone, "body": "0", "id": "page-message-0001"}

    await support.ok(await client.post(URL, json=body, headers=brand.coordinator.auth), 201)
    answer = await support.ok(await client.post(URL, json=body, headers=second.auth), 201)

    assert [m["direction"] for m in answer["messages"]] == ["in", "out", "in", "out"]


async def test_staff_typing_as_her_cannot_choose_what_buyers_see_of_her(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True)
    story = {"text": "我十岁跟奶奶学蜡染。"}
    await support.ok(
        await client.post(f"/api/v1/members/{villager.id}/story", json=story, headers=brand.coordinator.auth), 201
    )

    for body in ("1", "公开", "不公开"):
        await support.ok(
            await client.post(URL, json={"phone": villager.phone, "body": body}, headers=brand.coordinator.auth), 201
        )

    [row] = await run(
        "SELECT name, story, story_text, story_proposed FROM consent WHERE person = {}",
        await support.person_of(villager.id),
    )
    assert (bool(row["name"]), bool(row["story"]), row["story_text"], row["story_proposed"]) == (
        False,
        False,
        None,
        story["text"],
    )
    outcomes = await run("SELECT outcome FROM sms_inbox WHERE from_phone = {} ORDER BY id", villager.phone)
    assert [o["outcome"] for o in outcomes] == [
        "story.approve: forbidden",
        "consent.name",  # the question is asked (nothing changes by asking)
        "consent.hide_all: forbidden",
    ]
