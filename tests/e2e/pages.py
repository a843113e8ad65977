"""Page objects: what a person does on a page, through the hooks of CONTRACT.md only."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.async_api import Locator, Page, expect

from backend.db.session import run

SCREENSHOTS = Path(__file__).parent / "screenshots"


async def latest_code(phone: str) -> str:
    """The sign-in code the console gateway 'sent' (the test reads the outbox, as an operator
    would read the server log)."""
    rows = await run(
        "SELECT variables FROM outbox_message WHERE to_phone = {} AND kind = 'otp' ORDER BY id DESC LIMIT 1", phone
    )
    assert rows, f"no sign-in code for {phone}"
    return str(json.loads(rows[0]["variables"])["code"])


class ConsolePage:
    def __init__(self, page: Page) -> None:
        self.page = page

    async def sign_in(self, phone: str, path: str = "/console/") -> None:
        await self.page.goto(path)
        await self.page.fill("input[name=phone]", phone)
        await self.page.click("[data-action=request-code]")
        await expect(self.page.locator("input[name=code]")).to_be_focused()
        await self.page.fill("input[name=code]", await latest_code(phone))
        await self.page.click("[data-action=sign-in]")
        await expect(self.page.locator("[data-nav]").first).to_be_visible()

    async def screenshot(self, name: str) -> None:
        SCREENSHOTS.mkdir(exist_ok=True)
        await self.page.screenshot(path=SCREENSHOTS / f"{name}.png")


class SmsSimulatorPage(ConsolePage):
    async def open(self) -> None:
        await self.page.click("[data-nav=sms]")
        await expect(self.page.locator("[data-action=send]")).to_be_visible()

    async def text_as(self, phone: str, body: str) -> None:
        """Type ``body`` as the villager ``phone``, and wait for Cunjiang's answer to show."""
        await self.page.fill("input[name=phone]", phone)
        await self.page.dispatch_event("input[name=phone]", "change")
        await expect(self.page.locator(f'[data-phone="{phone}"]')).to_be_attached()  # its messages so far
        answers = await self.messages("out").count()
        await self.page.fill("[name=body]", body)
        await self.page.click("[data-action=send]")
        await expect(self.messages("out")).to_have_count(answers + 1)

    def messages(self, direction: str | None = None) -> Locator:
        selector = "[data-message]" + (f"[data-direction={direction}]" if direction else "")
        return self.page.locator(selector)


class AppPage:
    """The artisan's app at ``/``."""

    def __init__(self, page: Page) -> None:
        self.page = page

    async def sign_in(self, phone: str) -> None:
        await self.page.set_viewport_size({"width": 412, "height": 860})  # a phone
        await self.page.goto("/")
        await self.page.fill("input[name=phone]", phone)
        await self.page.click("[data-action=request-code]")
        await expect(self.page.locator("input[name=code]")).to_be_focused()
        await self.page.fill("input[name=code]", await latest_code(phone))
        await self.page.click("[data-action=sign-in]")

    def job(self, job_id: int) -> Locator:
        return self.page.locator(f"[data-job-id='{job_id}']")

    def card(self, job_id: int) -> JobCard:
        return JobCard(self.job(job_id))

    @property
    def pending(self) -> Locator:
        return self.page.locator("[data-sync]")

    @property
    def notice(self) -> Locator:
        return self.page.locator("[data-notice]")

    async def retry_now(self) -> None:
        """What the browser does when the signal comes back: the outbox tries again."""
        await self.page.evaluate("window.dispatchEvent(new Event('online'))")

    async def worker_ready(self) -> None:
        """The service worker is installed (its shell cached) and controls a fresh load."""
        await self.page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        await self.page.reload()
        await self.page.wait_for_function("navigator.serviceWorker.controller !== null")

    async def screenshot(self, name: str) -> None:
        SCREENSHOTS.mkdir(exist_ok=True)
        await self.page.screenshot(path=SCREENSHOTS / f"{name}.png")


class JobCard:
    """One job on the artisan's app, through its hooks."""

    def __init__(self, root: Locator) -> None:
        self.root = root

    async def accept(self, quantity: int | None = None) -> None:
        if quantity is not None:
            await self.root.locator("input[name=quantity]").fill(str(quantity))
        await self.root.locator("[data-action=accept]").click()

    async def decline(self) -> None:
        await self.root.locator("[data-action=decline]").click()

    async def submit(self, quantity: int, *photos: bytes) -> None:
        """Finished pieces with photos, chosen as files on the phone."""
        await self.root.locator("input[name=quantity]").fill(str(quantity))
        files = [{"name": f"IMG_{i}.jpg", "mimeType": "image/jpeg", "buffer": data} for i, data in enumerate(photos)]
        await self.root.locator("input[type=file]").set_input_files(files)  # type: ignore[arg-type]
        await self.root.locator("[data-action=submit]").click()

    @property
    def pattern(self) -> Locator:
        """The order's reference photo."""
        return self.root.locator("img.pattern")
