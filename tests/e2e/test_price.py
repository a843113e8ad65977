"""A say on price in the browser: the artisan's offer shows the hourly rate beside the piece
rate and takes "price too low" through the outbox, offline too; the coordinator's order shows
the answers before its controls."""

from __future__ import annotations

import httpx
from playwright.async_api import Page, expect

from backend.db.session import run
from tests import support
from tests.e2e.console_pages import OrdersPage
from tests.e2e.pages import AppPage


async def test_an_offer_shows_its_hourly_rate_and_price_too_low_is_sent_once_the_signal_returns(
    page: Page, client: httpx.AsyncClient
) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    order = await support.open_order(client, brand, title="苗绣围巾", unit_price_fen=4500, hours_per_piece=3)
    [job] = await support.offer(client, brand, order["id"], (artisan, 10))
    app = AppPage(page)
    await app.sign_in(artisan.phone)
    card = app.card(job["id"])

    await expect(card.hourly).to_have_text("约 ¥15.00/小时")
    await page.context.set_offline(True)
    await card.price_too_low("60")
    await expect(app.pending).to_have_attribute("data-pending", "1")
    await page.context.set_offline(False)  # the browser fires "online": the outbox replays

    sent = app.job(job["id"]).locator("[data-price-feedback=sent]")
    await expect(sent).to_contain_text("¥60.00")
    await expect(app.pending).to_have_attribute("data-pending", "0")
    await expect(app.job(job["id"])).to_have_attribute("data-status", "offered")  # the offer stays open
    await app.screenshot("app-price")
    rows = await run("SELECT price_fen, channel FROM price_feedback WHERE job = {}", job["id"])
    assert rows == [{"price_fen": 6000, "channel": "app"}]


async def test_the_coordinators_order_shows_what_artisans_said_of_its_price(
    page: Page, client: httpx.AsyncClient
) -> None:
    brand = await support.brand()
    artisans = [await support.artisan(brand) for _ in range(3)]
    order = await support.open_order(client, brand, title="蜡染靠垫", unit_price_fen=4500, hours_per_piece=2.5)
    jobs = await support.offer(client, brand, order["id"], *((a, 5) for a in artisans))
    for job, who, price in zip(jobs[:2], artisans[:2], ({"price_fen": 5500}, {}), strict=True):
        await support.ok(await client.post(f"/api/v1/jobs/{job['id']}/price-feedback", json=price, headers=who.auth))
    orders = OrdersPage(page)
    await orders.sign_in(brand.coordinator.phone, "/console/orders")

    card = orders.order(order["id"])
    said = card.locator("[data-price-feedback='2']")
    await expect(said).to_contain_text("价低反馈：2")
    await expect(said.locator("[data-prices]")).to_contain_text("¥55.00")
    await expect(said).to_contain_text("未说价格")
    await expect(said.locator("li").first).to_contain_text("应用")  # where it came from, in her reader's words
    await expect(card).to_contain_text("约 ¥18.00/小时")
    await orders.screenshot("console-price")
