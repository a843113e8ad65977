"""A coordinator turns an order into offers: creates it with its pattern photo, dispatches it
with the suggested split (edited), and sees acceptances and declines come in without reloading."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page, expect

from backend.core.china_time import china_today
from backend.core.types import Role
from backend.db.session import run
from tests import support
from tests.e2e.console_pages import OrdersPage


@pytest.fixture
def pattern_photo(tmp_path: Path) -> Path:
    path = tmp_path / "苗绣样式.jpg"
    path.write_bytes(support.jpeg_bytes(900, 600, (20, 40, 120)))
    return path


async def test_an_order_is_created_with_its_pattern_and_dispatched_with_an_edited_suggestion(
    page: Page, client: httpx.AsyncClient, pattern_photo: Path
) -> None:
    brand = await support.brand()
    artisans = [await support.artisan(brand) for _ in range(3)]
    orders = OrdersPage(page)
    await orders.sign_in(brand.coordinator.phone, "/console/orders")
    due = (china_today() + dt.timedelta(days=30)).isoformat()

    await orders.create("苗绣围巾（品牌样式）", 30, "45.50", due, "针脚细密，不露线头", pattern_photo)

    [order] = await run(
        "SELECT id, unit_price_fen, photo_ids, quality_notes FROM production_order WHERE brand = {}", brand.id
    )
    assert (order["unit_price_fen"], order["quality_notes"]) == (4550, "针脚细密，不露线头")
    assert len(json.loads(str(order["photo_ids"]))) == 1
    card = orders.order(int(order["id"]))
    panel = await orders.open_dispatch(int(order["id"]))
    rows = panel.locator("[data-offer-artisan-id]")
    suggested = await rows.count()
    assert suggested >= 2  # 30 pieces for three newcomers: more than one of them
    await rows.first.locator("input[name=offer_quantity]").fill("12")
    for _ in range(2, suggested):
        await rows.last.locator("[data-action=remove-offer]").click()
    kept = [int(await rows.nth(i).get_attribute("data-offer-artisan-id") or 0) for i in range(2)]
    await expect(panel.locator(".total")).to_contain_text("2 个派单")
    await orders.screenshot("console-dispatch")
    await panel.locator("[data-action=send-offers]").click()

    live = card.locator("[data-jobs-of] [data-job-id]")
    await expect(live).to_have_count(2)
    jobs = await run('SELECT id, artisan, quantity_offered FROM job WHERE "order" = {} ORDER BY id', order["id"])
    assert {row["artisan"] for row in jobs} == set(kept)
    assert next(row["quantity_offered"] for row in jobs if row["artisan"] == kept[0]) == 12
    by_artisan = {a.id: a for a in artisans}
    taker, decliner = (by_artisan[kept[0]], by_artisan[kept[1]])
    taken = next(row["id"] for row in jobs if row["artisan"] == taker.id)
    declined = next(row["id"] for row in jobs if row["artisan"] == decliner.id)
    await support.ok(await client.post(f"/api/v1/jobs/{taken}/accept", json={}, headers=taker.auth))
    await support.ok(await client.post(f"/api/v1/jobs/{declined}/decline", json={}, headers=decliner.auth))
    await orders.seen_again()  # the coordinator looks again: no waiting for the panel's timer
    await expect(card.locator(f"[data-job-id='{taken}']")).to_have_attribute("data-status", "accepted")
    await expect(card.locator(f"[data-job-id='{declined}']")).to_have_attribute("data-status", "declined")
    await expect(card.locator(".progress small")).to_contain_text("已接 12/30")


async def test_an_order_is_changed_before_dispatch_and_cancelled(page: Page, client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    order = await support.open_order(client, brand, title="蜡染桌旗", quantity=10)
    orders = OrdersPage(page)
    await orders.sign_in(brand.coordinator.phone, "/console/orders")
    card = orders.order(order["id"])

    await card.locator("[data-action=edit-order]").click()
    form = card.locator("[data-form=edit-order]")
    await form.locator("input[name=order_quantity]").fill("25")
    await form.locator("[data-action=save-order]").click()
    await expect(card.locator(".progress small")).to_contain_text("/25")
    page.once("dialog", lambda dialog: dialog.accept())
    await orders.order(order["id"]).locator("[data-action=cancel-order]").click()

    await expect(page.locator(f"[data-order-id='{order['id']}']")).to_have_count(0)  # the list shows open orders
    [row] = await run("SELECT quantity, status FROM production_order WHERE id = {}", order["id"])
    assert row == {"quantity": 25, "status": "cancelled"}


async def test_artisans_the_suggestion_left_out_are_added_from_the_list_or_by_phone(
    page: Page, client: httpx.AsyncClient
) -> None:
    brand = await support.brand(villages=2)
    first, second = await support.artisan(brand), await support.artisan(brand)
    far = await support.person(brand.id, Role.ARTISAN, village_id=brand.villages[1], crafts=["embroidery"])
    order = await support.open_order(client, brand, quantity=5)
    orders = OrdersPage(page)
    await orders.sign_in(brand.coordinator.phone, "/console/orders")
    panel = await orders.open_dispatch(order["id"])
    await panel.locator(f"input[name=village][value='{brand.villages[0]}']").check()
    await panel.locator("[data-action=suggest]").click()
    rows = panel.locator("[data-offer-artisan-id]")
    await expect(rows).to_have_count(1)  # five pieces: one can make them all
    suggested = int(await rows.first.get_attribute("data-offer-artisan-id") or 0)
    other = second.id if suggested == first.id else first.id
    await panel.locator("details.more summary").click()  # the others who could do it
    await panel.locator(f"[data-candidate-artisan-id='{other}'] [data-action=add-candidate]").click()
    await panel.locator(f"[data-offer-artisan-id='{other}'] input[name=offer_quantity]").fill("2")
    await expect(panel.locator("[data-candidate-artisan-id]")).to_have_count(0)  # now an offer
    await expect(panel).not_to_contain_text("null")  # no candidate left: nothing drawn in their place

    await panel.locator("input[name=add_artisan]").fill(far.phone)  # from the village left out
    await panel.locator("[data-action=add-artisan]").click()
    await expect(panel.locator(f"[data-offer-artisan-id='{far.id}'] input[name=offer_quantity]")).to_be_visible()
    await panel.locator("[data-action=send-offers]").click()

    await expect(orders.order(order["id"]).locator("[data-jobs-of] [data-job-id]")).to_have_count(3)
    jobs = await run('SELECT artisan, quantity_offered FROM job WHERE "order" = {} ORDER BY artisan', order["id"])
    offered = {row["artisan"]: row["quantity_offered"] for row in jobs}
    assert set(offered) == {first.id, second.id, far.id}
    assert offered[other] == 2
