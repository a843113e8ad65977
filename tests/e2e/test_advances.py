"""Advances (预付款) in the browser: the artisan asks on a job in hand from its card, the
coordinator approves and pays it in the console, and her income shows the advance and its
deduction from that job's payment."""

from __future__ import annotations

import httpx
from playwright.async_api import Page, expect

from backend.payouts.tables import Advance
from tests import support
from tests.e2e.console_pages import PayoutsPage
from tests.e2e.pages import SCREENSHOTS, AppPage, StatementPage


async def test_an_advance_asked_in_the_app_approved_and_paid_in_the_console_then_deducted(
    page: Page, phone: Page, client: httpx.AsyncClient
) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    work = await support.job_in_state(client, brand, artisan, "accepted", quantity=5)  # 5 × ¥45.00
    offered = await support.job_in_state(client, brand, artisan, "offered", quantity=5)
    app = AppPage(phone)
    await app.sign_in(artisan.phone)

    await expect(app.job(offered.job_id).locator("[data-action=advance]")).to_have_count(0)  # not hers yet
    await app.job(work.job_id).locator("[data-action=advance]").click()
    await expect(app.notice).to_contain_text("预支¥67.50")  # 30% of ¥225.00
    [asked] = await Advance.select().where(Advance.job == work.job_id)
    assert (asked["status"], asked["amount_fen"], asked["requested_via"]) == ("requested", 6750, "app")
    await app.screenshot("app-advance")

    payouts = PayoutsPage(page)
    await payouts.sign_in(brand.coordinator.phone, "/console/payouts")
    row = page.locator(f"[data-advance-id='{asked['id']}']")
    await expect(row).to_have_attribute("data-status", "requested")
    await row.locator("[data-action=approve-advance]").click()
    await expect(row).to_have_attribute("data-status", "approved")
    await row.locator("input[name=reference]").fill("WX-778899")
    await payouts.screenshot("console-advances")
    await row.locator("[data-action=pay-advance]").click()
    await expect(row).to_have_count(0)  # paid: nothing left to decide
    [paid] = await Advance.select().where(Advance.id == asked["id"])
    assert (paid["status"], paid["reference"]) == ("paid", "WX-778899")

    for step in ("submit", "approve"):
        await support._take_step(client, brand, artisan, work, step, 5)
    await page.reload()
    await expect(payouts.due(work.job_id)).to_contain_text("¥157.50")  # the net, with the gross and the advance
    await payouts.due(work.job_id).locator("[data-action=pay]").click()
    await expect(payouts.due(work.job_id)).to_have_count(0)

    statement = StatementPage(app)
    await statement.open()
    mine = str(brand.id)
    await expect(statement.lines("advanced")).to_have_count(1)
    await expect(statement.lines("deducted")).to_contain_text("−¥67.50")
    await expect(statement.lines("paid")).to_contain_text("¥157.50")
    await expect(statement.total("advanced", mine)).to_have_text("¥67.50")
    await expect(statement.total("deducted", mine)).to_have_text("¥67.50")
    await expect(statement.total("earned", mine)).to_have_text("¥225.00")
    await app.screenshot("app-statement-advance")


async def test_the_console_resolves_a_disputed_advance_with_a_note_she_then_sees(
    page: Page, phone: Page, client: httpx.AsyncClient
) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    work = await support.job_in_state(client, brand, artisan, "accepted", quantity=5)
    api = "/api/v1"
    asked = await support.ok(
        await client.post(f"{api}/jobs/{work.job_id}/advance", json={"amount_fen": 4000}, headers=artisan.auth), 201
    )
    for action, body in (("approve", None), ("pay", {"method": "wechat", "reference": "WX-5566"})):
        await support.ok(
            await client.post(f"{api}/advances/{asked['id']}/{action}", json=body, headers=brand.coordinator.auth)
        )
    await support.ok(
        await client.post(f"{api}/advances/{asked['id']}/dispute", json={"reason": "没收到"}, headers=artisan.auth)
    )

    payouts = PayoutsPage(page)
    await payouts.sign_in(brand.coordinator.phone, "/console/payouts")
    row = page.locator(f"[data-advance-id='{asked['id']}']")
    await expect(row).to_have_attribute("data-status", "disputed")
    await expect(row).to_contain_text("没收到")
    await row.locator("[data-action=resolve-advance]").click()  # no note yet: refused on the page
    await expect(page.locator("[data-notice]")).to_contain_text("请写明处理情况")
    [still] = await Advance.select().where(Advance.id == asked["id"])
    assert still["status"] == "disputed"
    await row.locator("select[name=resolution]").select_option("confirmed")
    await row.locator("input[name=note]").fill("微信转账记录已核对，已到账")
    await page.locator("[data-part=advances]").screenshot(path=SCREENSHOTS / "console-advance-dispute.png")
    await row.locator("[data-action=resolve-advance]").click()
    await expect(row).to_have_count(0)  # settled: nothing left to decide
    [settled] = await Advance.select().where(Advance.id == asked["id"])
    assert (settled["status"], settled["resolution_note"], settled["confirmed_via"]) == (
        "confirmed", "微信转账记录已核对，已到账", "console",
    )  # fmt: skip

    app = AppPage(phone)
    await app.sign_in(artisan.phone)
    statement = StatementPage(app)
    await statement.open()
    await expect(statement.lines("advanced")).to_contain_text("微信转账记录已核对，已到账")
