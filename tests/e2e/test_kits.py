"""Material kits (发料) in the browser: the coordinator records materials handed out in an order,
the artisan confirms one kit and reports another short from her job cards, the coordinator
decides the shortage (deduct, with a reason) and sees what is out per village."""

from __future__ import annotations

import httpx
from playwright.async_api import Locator, Page, expect

from backend.materials.tables import Kit, KitDecision
from tests import support
from tests.e2e.console_pages import OrdersPage
from tests.e2e.pages import AppPage, StatementPage


async def open_kits(orders: OrdersPage, order_id: int) -> Locator:
    await orders.order(order_id).locator("[data-action=kits]").click()
    panel = orders.order(order_id).locator(".kits-panel")
    await expect(panel.locator("[data-form=hand-out]").first).to_be_visible()
    return panel


async def test_a_kit_handed_out_in_the_console_confirmed_in_the_app_and_a_shortage_decided(
    page: Page, phone: Page, client: httpx.AsyncClient
) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    work = await support.job_in_state(client, brand, artisan, "accepted", quantity=5)
    other = await support.job_in_state(client, brand, artisan, "accepted", quantity=5)

    orders = OrdersPage(page)
    await orders.sign_in(brand.coordinator.phone, "/console/orders")
    panel = await open_kits(orders, work.order_id)
    form = panel.locator("[data-form=hand-out]")
    await form.locator("input[name=material]").fill("丝线")
    await form.locator("input[name=quantity]").fill("2.5")
    await form.locator("input[name=unit]").fill("把")
    await form.locator("input[name=lot]").fill("A12")
    await form.locator("[data-action=add-line]").click()
    await form.locator("input[name=material]").nth(1).fill("靛蓝")
    await form.locator("input[name=quantity]").nth(1).fill("300")
    await form.locator("input[name=unit]").nth(1).fill("克")
    await form.locator("input[name=lot]").nth(1).fill("D-2026-11")
    await form.locator("[data-action=hand-out]").click()
    await expect(panel.locator("[data-kit-id][data-status=handed_out]")).to_contain_text("丝线 2.5 把")
    [kit] = await Kit.select().where(Kit.job == work.job_id)
    body = {"lines": [{"material": "银片", "quantity": 3, "unit": "张", "lot": "S7"}]}
    url = f"/api/v1/jobs/{other.job_id}/kits"
    shorted = await support.ok(await client.post(url, json=body, headers=brand.coordinator.auth), 201)

    app = AppPage(phone)
    await app.sign_in(artisan.phone)
    mine = app.job(work.job_id).locator(f"[data-kit-id='{kit['id']}']")
    await expect(mine).to_contain_text("批号 A12")
    await mine.locator("[data-action=kit-received]").click()
    await expect(mine).to_have_attribute("data-status", "received")
    missing = app.job(other.job_id).locator(f"[data-kit-id='{shorted['id']}']")
    await missing.scroll_into_view_if_needed()
    await app.screenshot("app-kit")
    await missing.locator("textarea[name=kit-note]").fill("银片只收到2张")
    await missing.locator("[data-action=kit-short]").click()
    await expect(missing).to_have_attribute("data-status", "short")
    [row] = await Kit.select().where(Kit.id == shorted["id"])
    assert (row["status"], row["note"], row["confirmed_via"]) == ("short", "银片只收到2张", "app")
    assert await KitDecision.count().where(KitDecision.kit == shorted["id"]) == 0  # nothing deducted yet

    await page.reload()
    panel = await open_kits(orders, other.order_id)
    short = panel.locator(f"[data-kit-id='{shorted['id']}']")
    await expect(short).to_contain_text("银片只收到2张")
    decide = short.locator("[data-form=decide]")
    await decide.locator("select[name=decision]").select_option("deduct")
    await decide.locator("input[name=amount]").fill("12.50")
    await decide.locator("input[name=reason]").fill("少的一张已另发，按价扣")
    await orders.screenshot("console-kits")
    await decide.locator("[data-action=decide]").click()
    await expect(panel.locator(f"[data-kit-id='{shorted['id']}']")).to_have_attribute("data-status", "deducted")
    [decision] = await KitDecision.select().where(KitDecision.kit == shorted["id"])
    reason = "少的一张已另发，按价扣"
    assert (decision["decision"], decision["amount_fen"], decision["reason"]) == ("deduct", 1250, reason)

    await page.click("[data-nav=materials]")
    await expect(page.locator("[data-kit-out]")).to_have_count(3)
    await expect(page.locator("[data-kit-out='村0|丝线|A12']")).to_contain_text("2.5 把")

    for step in ("submit", "approve", "pay"):  # the deduction comes off that job's payment only
        await support._take_step(client, brand, artisan, other, step, 5)
    statement = StatementPage(app)
    await statement.open()
    await expect(statement.lines("kit")).to_have_count(1)
    await expect(statement.lines("kit")).to_contain_text("−¥12.50")
    await expect(statement.total("kit", str(brand.id))).to_have_text("¥12.50")
