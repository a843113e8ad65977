"""The artisan's app in headless Chromium: first visit, my jobs, starting without a network."""

from __future__ import annotations

import httpx
from playwright.async_api import Page, expect

from tests import support
from tests.e2e.pages import AppPage


async def test_first_visit_signs_in_and_shows_the_offer_first_with_what_it_earns(
    page: Page, client: httpx.AsyncClient
) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    accepted = await support.job_in_state(client, brand, artisan, "accepted", quantity=4)
    offered = await support.job_in_state(client, brand, artisan, "offered", quantity=12)
    app = AppPage(page)

    await app.sign_in(artisan.phone)

    await expect(app.job(offered.job_id)).to_have_attribute("data-status", "offered")
    await expect(app.job(accepted.job_id)).to_have_attribute("data-status", "accepted")
    await expect(page.locator("[data-job-id]").first).to_have_attribute("data-job-id", str(offered.job_id))
    await expect(app.job(offered.job_id)).to_contain_text("可挣 ¥540.00")  # 12 × ¥45.00
    await expect(page.locator("link[rel=manifest]")).to_have_attribute("href", "/manifest.webmanifest")
    await app.screenshot("app-jobs")


async def test_a_second_visit_starts_without_a_network(page: Page, client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    offered = await support.job_in_state(client, brand, artisan, "offered", quantity=3)
    app = AppPage(page)
    await app.sign_in(artisan.phone)
    await expect(app.job(offered.job_id)).to_be_visible()
    await app.worker_ready()
    await expect(app.job(offered.job_id)).to_be_visible()  # fetched through the worker: kept

    await page.context.set_offline(True)
    await page.reload()

    await expect(app.job(offered.job_id)).to_have_attribute("data-status", "offered")
    await page.context.set_offline(False)


async def test_the_app_speaks_english_when_asked(page: Page) -> None:
    artisan = await support.artisan(await support.brand())
    app = AppPage(page)
    await app.sign_in(artisan.phone)

    await page.select_option("select[name=locale]", "en")

    await expect(page.locator("h1")).to_have_text("My jobs")
    await expect(page.locator(".jobs .empty")).to_have_text("No jobs yet. New offers will show here.")
    await expect(page.locator(".payouts .empty")).to_have_text("No payments yet.")
