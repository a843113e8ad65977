"""A coordinator tries the SMS loop in the browser: types as a villager, reads the answers;
hears the calls placed to her and presses keys for her (the call view); and sees what the SMS
provider pushed that could not be read."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from playwright.async_api import Page, expect

from backend.core.types import Role
from backend.db.session import run
from backend.gateways import ConsoleCaller
from backend.voice.dispatch import call_due
from tests import support
from tests.e2e.pages import SmsSimulatorPage, request_code
from tests.integration.voice.conftest import china
from tests.servers import running_servers
from tests.support import CALLBACK_TOKEN


@pytest.fixture(scope="module")
def server(database: None) -> Iterator[str]:
    """A server that takes Aliyun's pushes too (the token configured), with its worker."""
    with running_servers(1, CUNJIANG_SMS_CALLBACK_TOKEN=CALLBACK_TOKEN) as [url]:
        yield url


async def test_a_coordinator_accepts_an_offer_as_a_villager_and_sees_the_answer(
    page: Page, client: httpx.AsyncClient
) -> None:
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True)
    await support.job_in_state(client, brand, villager, "offered", quantity=12)
    simulator = SmsSimulatorPage(page)

    await simulator.sign_in(brand.coordinator.phone, "/console/sms")
    await simulator.open()
    await simulator.text_as(villager.phone, "接 10")

    await expect(simulator.messages("in").last).to_contain_text("接 10")
    await expect(simulator.messages("out").last).to_contain_text("K1：已接10件苗绣围巾")
    await expect(simulator.messages("out").first).to_contain_text("新任务K1")
    await simulator.text_as(villager.phone, "0")
    await expect(simulator.messages("out").last).to_contain_text("待办：K1 在做")
    await simulator.screenshot("console-sms")


async def test_a_coordinator_presses_1_in_a_call_placed_to_a_villager_and_the_offer_is_accepted(
    page: Page, client: httpx.AsyncClient
) -> None:
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True, takes_calls=True)
    work = await support.job_in_state(client, brand, villager, "offered", quantity=8)
    await call_due(ConsoleCaller(), now=china(1, 12), limit=1000)  # the console gateway places it
    [call] = await run("SELECT id FROM voice_call WHERE to_phone = {}", villager.phone)
    simulator = SmsSimulatorPage(page)

    await simulator.sign_in(brand.coordinator.phone, "/console/sms")
    await simulator.open()
    await simulator.text_as(villager.phone, "0")
    ringing = simulator.call(call["id"])
    await expect(ringing).to_have_attribute("data-status", "calling")
    await expect(ringing.locator("[data-words]")).to_contain_text("新任务K1")
    await expect(ringing.locator("[data-key]")).to_have_count(9)
    await page.locator("[data-calls]").scroll_into_view_if_needed()
    await simulator.screenshot("console-call")
    await simulator.press(call["id"], "1")

    await expect(ringing).to_have_attribute("data-status", "answered")
    await expect(ringing.locator("[data-heard]")).not_to_be_empty()
    await expect(ringing.locator("[data-key]")).to_have_count(0)
    await simulator.seen_again()
    await expect(simulator.messages("out").last).to_contain_text("K1：已接8件苗绣围巾")
    [job] = await run("SELECT status, quantity_accepted FROM job WHERE id = {}", work.job_id)
    assert job == {"status": "accepted", "quantity_accepted": 8}


async def test_the_simulator_speaks_english_when_asked(page: Page, client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True)
    simulator = SmsSimulatorPage(page)

    await simulator.sign_in(brand.coordinator.phone, "/console/sms")
    await page.select_option("select[name=locale]", "en")
    await expect(page.locator("[data-nav=sms]")).to_have_text("SMS simulator")
    await simulator.text_as(villager.phone, "EN")

    await expect(simulator.messages("out").last).to_contain_text("From now on your SMS will be in English.")


async def test_an_artisan_cannot_use_the_console(page: Page) -> None:
    brand = await support.brand()
    artisan = await support.person(brand.id, Role.ARTISAN, village_id=brand.villages[0])
    simulator = SmsSimulatorPage(page)

    await page.goto("/console/sms")
    await page.fill("input[name=code]", await request_code(page, artisan.phone))  # the code is sent: it can be read
    await page.click("[data-action=sign-in]")

    await expect(page.locator("[data-notice]")).to_have_text("控制台只供品牌协调员使用。")
    await expect(simulator.messages()).to_have_count(0)


async def test_a_pushed_item_that_could_not_be_read_shows_below_the_simulator(page: Page, server: str) -> None:
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True)
    local = villager.phone.removeprefix("+86")
    good = {"phone_number": local, "content": "0", "sequence_id": 10**14 + int(local[-8:])}
    bad = {"phone_number": local, "content": "接", "sequence_id": "x" * 65}  # no id can be that long
    items = [json.dumps(item, ensure_ascii=False) for item in (good, bad)]
    async with httpx.AsyncClient(base_url=server) as aliyun:
        pushed = await aliyun.post(
            "/sms/aliyun/up",
            params={"token": CALLBACK_TOKEN},
            content="[" + ",".join(items) + "]",
            headers={"content-type": "application/json"},
        )
    assert pushed.json() == {"code": 0, "msg": "接收成功"}
    simulator = SmsSimulatorPage(page)

    await simulator.sign_in(brand.coordinator.phone, "/console/sms")
    await simulator.open()

    await expect(simulator.dead_letters()).to_have_count(1)
    shown = simulator.dead_letters().first
    await expect(shown).to_have_attribute("data-reason", "invalid_id")
    await expect(shown).to_contain_text("村民回复 · 这条推送的编号无法保存。")
    await expect(shown.locator("code")).to_have_text(items[1])  # her own number: not masked
    await expect(page.get_by_role("heading", name="未能读取的推送")).to_be_visible()
    pushes = page.locator("section", has=page.get_by_role("heading", name="未能读取的推送"))
    await expect(pushes).not_to_contain_text("false")  # none without a brand: nothing said of them
