"""What buyers may see of a maker, in the browser: her coordinator writes down her words in
the console; she approves them in the app and turns her name on there; the API says so, and
the console shows her choice, read-only. Turning a switch off holds at once."""

from __future__ import annotations

import httpx
from playwright.async_api import Locator, Page, expect

from tests import support
from tests.e2e.pages import AppPage, PeoplePage

API = "/api/v1"
WORDS = "我十岁跟奶奶学蜡染，每块布都染着我们村河水的蓝。"


class ConsentScreen:
    """ "What buyers may see" in the artisan's app (买家能看到我什么)."""

    def __init__(self, app: AppPage) -> None:
        self.page = app.page

    async def open(self) -> None:
        await self.page.click("[data-action=my-consent]")
        await expect(self.page.locator("[data-consent=name]")).to_be_visible()

    def switch(self, item: str) -> Locator:
        return self.page.locator(f"[data-consent={item}]")

    @property
    def saved(self) -> Locator:
        return self.page.locator("[data-saved]")


async def test_coordinator_proposes_her_words_she_approves_them_and_turns_her_name_on(
    page: Page, phone: Page, client: httpx.AsyncClient
) -> None:
    brand = await support.brand()
    her = await support.artisan(brand)
    people = PeoplePage(page)
    await people.sign_in(brand.coordinator.phone)
    await people.open()
    await people.change("artisan", her.id)
    panel = page.locator(f"[data-consent-of='{her.id}']")
    await expect(panel.locator("[data-consent-item=name]")).to_have_attribute("data-on", "false")

    # A phone number in her words is refused, with the reason next to the field.
    await panel.locator("textarea[name=text]").fill("有事打 13800138000")
    await panel.locator("[data-action=propose-story]").click()
    await expect(panel.locator("[data-error-for=text]")).to_have_text("故事里不能有电话号码。")
    await panel.locator("textarea[name=text]").fill(WORDS)
    await panel.locator("[data-action=propose-story]").click()
    await expect(panel.locator("[data-story=proposed]")).to_contain_text(WORDS)
    await people.screenshot("console-consent")

    app = AppPage(phone)
    await app.sign_in(her.phone)
    screen = ConsentScreen(app)
    await screen.open()
    await expect(phone.locator("[data-story=proposed]")).to_have_text(WORDS)
    for item in ("name", "photo", "village", "story"):
        await expect(screen.switch(item)).not_to_be_checked()  # all off until she says
    await app.screenshot("app-consent")
    await phone.click("[data-action=approve-story]")
    await expect(screen.saved).to_have_text("已同意：这些就是您的话了。")
    await expect(phone.locator("[data-story=proposed]")).to_have_count(0)
    await screen.switch("name").check()
    await expect(screen.saved).to_have_text("已保存。从现在起买家看到的就是这样。")

    mine = await support.ok(await client.get(f"{API}/me/consent", headers=her.auth))
    assert (mine["name"], mine["story_text"], mine["story_proposed"]) == (True, WORDS, None)
    assert (mine["photo"], mine["village"], mine["story"]) == (False, False, False)

    # The console shows her choice as it is now, and cannot change it.
    await people.change("artisan", her.id)
    await expect(panel.locator("[data-consent-item=name]")).to_have_attribute("data-on", "true")
    await expect(panel.locator("[data-story=approved]")).to_contain_text(WORDS)
    assert await panel.locator("input[type=checkbox]").count() == 0

    # She turns her name off again: at once.
    await screen.switch("name").uncheck()
    await expect(screen.switch("name")).not_to_be_checked()
    await expect(screen.saved).to_be_visible()
    assert (await support.ok(await client.get(f"{API}/me/consent", headers=her.auth)))["name"] is False


async def test_without_a_connection_nothing_moves_and_she_is_told_why(phone: Page) -> None:
    brand = await support.brand()
    her = await support.artisan(brand)
    app = AppPage(phone)
    await app.sign_in(her.phone)
    screen = ConsentScreen(app)
    await screen.open()

    await phone.context.set_offline(True)
    await screen.switch("name").check()

    await expect(app.notice).to_have_text("这要联网。有信号时再试一次。")
    await expect(screen.switch("name")).not_to_be_checked()
    await phone.context.set_offline(False)
