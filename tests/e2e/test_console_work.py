"""The coordinator's daily work in the console: reviewing photos fast, paying, settling
disputes, exporting for the accountant, and the dashboard."""

from __future__ import annotations

import csv
import io
import json

import httpx
from playwright.async_api import Page, expect

from backend.core.china_time import china_today
from backend.db.session import run
from tests import support
from tests.e2e.console_pages import DashboardPage, PayoutsPage, ReviewPage


async def test_review_with_the_keyboard_approves_one_and_sends_one_back_with_a_reason(
    page: Page, client: httpx.AsyncClient
) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    first = await support.job_in_state(client, brand, artisan, "submitted", quantity=3)
    second = await support.job_in_state(client, brand, artisan, "submitted", quantity=2)
    review = ReviewPage(page)
    await review.sign_in(brand.coordinator.phone, "/console/review")
    await review.open()
    one, two = review.submission(first.submission_id or 0), review.submission(second.submission_id or 0)
    await expect(one.locator("img.work[src^='blob:']")).to_have_count(1)  # the photo, large
    await expect(one).to_have_class("submission card current")
    await review.screenshot("console-review")

    await review.press("f")  # the photo at full size, over the page
    await expect(page.locator("[data-viewer] img[src^='blob:']")).to_be_visible()
    await review.press("Escape")
    await expect(page.locator("[data-viewer]")).to_have_count(0)
    await review.press("a")  # approve the first
    await expect(one).to_have_count(0)
    await expect(two).to_have_class("submission card current")
    await review.press("r")  # rework the second: the reason box opens, focused
    await expect(two.locator("textarea[name=reason]")).to_be_focused()
    await page.keyboard.type("边缘线头太多")
    await two.locator("[data-action=send-rework]").click()

    await expect(two).to_have_count(0)
    await expect(page.locator(".queue .empty")).to_be_visible()
    rows = await run(
        "SELECT status, review_reason FROM submission WHERE id IN ({}, {}) ORDER BY id",
        first.submission_id,
        second.submission_id,
    )
    assert rows == [{"status": "approved", "review_reason": ""}, {"status": "rework", "review_reason": "边缘线头太多"}]
    sms = await run("SELECT body FROM outbox_message WHERE to_phone = {} AND kind = 'rework'", artisan.phone)
    assert [row["body"] for row in sms] == ["K2需返工：边缘线头太多。改好后请重新提交。"]


async def test_payouts_are_recorded_for_a_selection_exported_as_csv_and_a_dispute_resolved(
    page: Page, client: httpx.AsyncClient
) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    approved = [await support.job_in_state(client, brand, artisan, "approved", quantity=q) for q in (2, 3)]
    disputed = await support.job_in_state(client, brand, artisan, "disputed", quantity=1)
    payouts = PayoutsPage(page)
    await payouts.sign_in(brand.coordinator.phone, "/console/payouts")
    for work in approved:
        await payouts.due(work.job_id).locator("input[name=pick]").check()
    await page.select_option("select[name=method]", "alipay")
    await page.fill("input[name=reference]", "ALI-2026-11")
    await payouts.screenshot("console-payouts")
    await page.click("[data-action=pay-selected]")
    await expect(payouts.due(approved[0].job_id)).to_have_count(0)
    await expect(payouts.due(approved[1].job_id)).to_have_count(0)
    await page.wait_for_load_state("networkidle")  # every part drawn again after the payment (disputes too)

    row = page.locator(f"[data-part=disputes] [data-payout-id='{disputed.payout_id}']")
    await row.locator("select[name=resolution]").select_option("confirmed")
    await row.locator("input[name=note]").fill("已电话核实，钱已到")
    await row.locator("[data-action=resolve]").click()
    await expect(page.locator(f"[data-part=disputes] [data-payout-id='{disputed.payout_id}']")).to_have_count(0)
    today = china_today().isoformat()
    download = await payouts.export_csv(today, today)

    paid = await run(
        "SELECT method, reference, amount_fen FROM payout WHERE job IN ({}, {}) ORDER BY job",
        approved[0].job_id,
        approved[1].job_id,
    )
    assert paid == [
        {"method": "alipay", "reference": "ALI-2026-11", "amount_fen": 2 * 4500},
        {"method": "alipay", "reference": "ALI-2026-11", "amount_fen": 3 * 4500},
    ]
    [settled] = await run("SELECT status FROM payout WHERE id = {}", disputed.payout_id)
    assert settled["status"] == "confirmed"
    data = (await download.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # Excel on Chinese Windows reads it as UTF-8
    assert download.suggested_filename == f"payouts-{today}-{today}.csv"
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(table) == 1 + 3  # the header, the two payouts of today and the one disputed then settled
    assert "ALI-2026-11" in {cell for row in table for cell in row}


async def test_the_dashboard_draws_its_charts_from_the_brands_numbers(page: Page, client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    await support.job_in_state(client, brand, artisan, "accepted", quantity=4)
    await support.job_in_state(client, brand, artisan, "paid", quantity=2)
    dashboard = DashboardPage(page)
    await dashboard.sign_in(brand.coordinator.phone, "/console/dashboard")

    for name in ("orders", "on-time", "earnings", "sms", "calls"):
        await expect(dashboard.chart(name).locator("svg")).to_be_visible()
    await expect(dashboard.chart("orders").locator("svg rect[fill]")).not_to_have_count(0)
    await expect(dashboard.chart("earnings")).to_contain_text("¥90")  # 2 × ¥45.00 paid this month
    await dashboard.screenshot("console-dashboard")
    figures = json.loads(
        await page.evaluate("JSON.stringify([...document.querySelectorAll('[data-chart]')].map(c => c.dataset.chart))")
    )
    assert figures == ["orders", "on-time", "earnings", "sms", "calls"]
