"""Piece passports in the console and on a phone: the order's passports with their scans and
the copy flag, a withdrawal with its reason, the label sheet printed to PDF, and the public
page a buyer opens by scanning a label."""

from __future__ import annotations

import httpx
from playwright.async_api import Page, expect

from backend.core.china_time import china_today
from backend.db.session import run
from backend.passports.service import as_day
from tests import support
from tests.e2e.console_pages import OrdersPage
from tests.integration.passports.helpers import consent, passport_of


async def test_passports_are_listed_withdrawn_printed_as_labels_and_read_on_a_phone(
    page: Page, client: httpx.AsyncClient
) -> None:
    brand = await support.brand()
    maker = await support.artisan(brand)
    await consent(client, maker, name=True, display_name="绣娘阿花", village=True, photo=True)
    pattern = await support.upload_photo(client, brand.coordinator, color=(20, 90, 160))
    order = await support.open_order(
        client, brand, title="蝴蝶纹围巾", description="蝴蝶妈妈是苗族古歌里万物的母亲。", photo_ids=[pattern]
    )
    kept = await support.job_in_state(client, brand, maker, "confirmed", order_id=order["id"], quantity=3)
    faulty = await support.job_in_state(client, brand, maker, "approved", order_id=order["id"], quantity=2)
    kept_id, faulty_id = await passport_of(kept.submission_id), await passport_of(faulty.submission_id)
    await run(
        "INSERT INTO passport_scan (passport, day, scans) VALUES ({}, {}, 64)", kept_id, as_day(china_today())
    )  # far more than 3 pieces explain

    orders = OrdersPage(page)
    await orders.sign_in(brand.coordinator.phone, "/console/orders")
    await orders.order(order["id"]).locator("[data-action=passports]").click()
    panel = orders.order(order["id"]).locator("[data-passports]")
    kept_row = panel.locator(f"[data-passport-id='{kept_id}']")
    faulty_row = panel.locator(f"[data-passport-id='{faulty_id}']")
    await expect(kept_row.locator("[data-flagged]")).to_be_visible()
    await expect(faulty_row.locator("[data-flagged]")).to_have_count(0)
    await expect(panel.locator("[data-scans]")).to_have_attribute("data-scans", "64")

    await faulty_row.locator("[data-action=withdraw-passport]").click()
    await faulty_row.locator("input[name=withdraw_reason]").fill("颜色洗后褪了")
    await faulty_row.locator("[data-action=send-withdraw]").click()
    await expect(panel.locator(f"[data-passport-id='{faulty_id}']")).to_have_attribute("data-status", "withdrawn")
    await orders.screenshot("console-passports")
    [row] = await run("SELECT withdrawn_reason FROM passport WHERE id = {}", faulty_id)
    assert row["withdrawn_reason"] == "颜色洗后褪了"

    await panel.locator("[data-action=label-sheet]").click()
    sheet = page.locator("[data-label-sheet]")
    await expect(sheet.locator(f"[data-label='{kept_id}'] img[src^='blob:']")).to_have_count(1)
    await expect(sheet.locator("[data-label]")).to_have_count(1)  # a withdrawn passport gets no label
    await expect(sheet.locator("[data-action=print]")).to_be_visible()
    await orders.screenshot("console-label-sheet")
    await page.emulate_media(media="print")
    await expect(page.locator("header.bar")).to_be_hidden()
    await expect(sheet.locator("[data-action=print]")).to_be_hidden()
    await expect(sheet.locator(f"[data-label='{kept_id}'] img")).to_be_visible()
    pdf = await page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    await page.emulate_media(media="screen")

    await page.set_viewport_size({"width": 390, "height": 844})  # a phone, as WeChat's browser opens a scan
    await page.goto(f"/p/{kept_id}")
    await expect(page.locator("h1")).to_have_text("蝴蝶纹围巾")
    await expect(page.locator("body")).to_contain_text("绣娘阿花")
    await expect(page.locator("body")).to_contain_text("制作者确认已收到工钱")
    await expect(page.locator(f"img[src='/p/{kept_id}/pattern']")).to_be_visible()
    await orders.screenshot("passport-page")
    await page.goto(f"/p/{faulty_id}")
    await expect(page.locator("h1")).to_have_text("这张作品身份证已撤回")
