"""Page objects of the console's working sections (orders, review, payouts, dashboard)."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Download, Locator, expect

from tests.e2e.pages import ConsolePage


class OrdersPage(ConsolePage):
    async def open(self) -> None:
        await self.page.click("[data-nav=orders]")
        await expect(self.page.locator("[data-action=new-order]")).to_be_visible()

    def order(self, order_id: int) -> Locator:
        return self.page.locator(f"[data-order-id='{order_id}']")

    async def create(self, title: str, quantity: int, rate: str, due: str, notes: str, photo: Path) -> None:
        await self.page.click("[data-action=new-order]")
        form = self.page.locator("[data-form=new-order]")
        await form.locator("input[name=title]").fill(title)
        await form.locator("input[name=order_quantity]").fill(str(quantity))
        await form.locator("input[name=unit_price]").fill(rate)
        await form.locator("input[name=due_date]").fill(due)
        await form.locator("textarea[name=quality_notes]").fill(notes)
        await form.locator("input[name=reference_photos]").set_input_files(photo)
        await expect(form.locator(".thumbs img[src^='blob:']")).to_have_count(1)  # uploaded
        await form.locator("[data-action=save-order]").click()
        await expect(form).to_have_count(0)

    async def open_dispatch(self, order_id: int) -> Locator:
        await self.order(order_id).locator("[data-action=dispatch]").click()
        panel = self.order(order_id).locator(".dispatch")
        await expect(panel.locator("[data-offer-artisan-id]").first).to_be_visible()
        return panel


class ReviewPage(ConsolePage):
    async def open(self) -> None:
        await self.page.click("[data-nav=review]")
        await expect(self.page.locator("[data-queue]")).to_be_visible()

    def submission(self, submission_id: int) -> Locator:
        return self.page.locator(f"[data-submission-id='{submission_id}']")

    async def press(self, key: str) -> None:
        await self.page.keyboard.press(key)


class PayoutsPage(ConsolePage):
    async def open(self) -> None:
        await self.page.click("[data-nav=payouts]")
        await expect(self.page.locator("[data-part=due] h2")).to_be_visible()

    def due(self, job_id: int) -> Locator:
        return self.page.locator(f"[data-due-job-id='{job_id}']")

    async def export_csv(self, start: str, end: str) -> Download:
        await self.page.fill("input[name=from]", start)
        await self.page.fill("input[name=to]", end)
        async with self.page.expect_download() as download:
            await self.page.click("[data-action=export-csv]")
        return await download.value


class DashboardPage(ConsolePage):
    async def open(self) -> None:
        await self.page.click("[data-nav=dashboard]")
        await expect(self.page.locator("[data-chart]").first).to_be_visible()

    def chart(self, name: str) -> Locator:
        return self.page.locator(f"[data-chart={name}]")
