"""Her switch for calls in the artisan's app (接电话): turned on while an offer waits, the
server takes her at her word and queues the offer's call; turned off, no more calls and the
queued one cancelled; offline, nothing moves and she is told why."""

from __future__ import annotations

import httpx
from playwright.async_api import Locator, Page, expect

from backend.db.session import run
from tests import support
from tests.e2e.pages import AppPage

API = "/api/v1"


class CallsScreen:
    """ "Take calls" (接电话) in the artisan's app."""

    def __init__(self, app: AppPage) -> None:
        self.page = app.page

    async def open(self) -> None:
        await self.page.click("[data-action=my-calls]")
        await expect(self.switch).to_be_visible()

    @property
    def switch(self) -> Locator:
        return self.page.locator("[data-calls]")

    @property
    def saved(self) -> Locator:
        return self.page.locator("[data-saved]")


async def _takes_calls(client: httpx.AsyncClient, who: support.Person) -> bool:
    return bool((await support.ok(await client.get(f"{API}/me/calls", headers=who.auth)))["takes_calls"])


async def _calls(phone: str) -> list[str]:
    return [row["status"] for row in await run("SELECT status FROM voice_call WHERE to_phone = {}", phone)]


async def test_she_turns_calls_on_and_off_and_the_server_follows(phone: Page, client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    her = await support.artisan(brand, sms_only=True)  # asked by SMS
    await support.job_in_state(client, brand, her, "offered", quantity=5)
    app = AppPage(phone)
    await app.sign_in(her.phone)
    screen = CallsScreen(app)
    await screen.open()
    await expect(screen.switch).not_to_be_checked()

    await screen.switch.check()

    await expect(screen.saved).to_have_text("已保存：短信问您的事如果没回，我们会打电话给您。")
    await expect(screen.switch).to_be_checked()
    assert await _takes_calls(client, her) is True
    assert await _calls(her.phone) == ["queued"]  # the offer waiting for her answer
    await app.screenshot("app-calls")

    await screen.switch.uncheck()

    await expect(screen.saved).to_have_text("已保存：不再打电话，只发短信。")
    await expect(screen.switch).not_to_be_checked()
    assert await _takes_calls(client, her) is False
    assert await _calls(her.phone) == ["cancelled"]


async def test_without_a_connection_the_switch_does_not_move_and_she_is_told_why(
    phone: Page, client: httpx.AsyncClient
) -> None:
    brand = await support.brand()
    her = await support.artisan(brand)
    app = AppPage(phone)
    await app.sign_in(her.phone)
    screen = CallsScreen(app)
    await screen.open()

    await phone.context.set_offline(True)
    await screen.switch.check()

    await expect(app.notice).to_have_text("这要联网。有信号时再试一次。")
    await expect(screen.switch).not_to_be_checked()
    await phone.context.set_offline(False)
    assert await _takes_calls(client, her) is False
