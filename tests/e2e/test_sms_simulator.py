"""A coordinator tries the SMS loop in the browser: types as a villager, reads the answers."""

from __future__ import annotations

import httpx
from playwright.async_api import Page, expect

from backend.core.types import Role
from tests import support
from tests.e2e.pages import SmsSimulatorPage, request_code


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
