"""The demo brand `make demo` seeds: once, through the services, with work in several states."""

from __future__ import annotations

import httpx

from backend.accounts.tables import Brand
from backend.auth.service import token_for_phone
from backend.demo import ARTISAN_PHONE, COORDINATOR_PHONE, SLUG, demo_passport, seed_demo
from tests.support import ok


async def test_the_demo_is_seeded_once_with_orders_in_several_states(client: httpx.AsyncClient) -> None:
    await seed_demo()  # now, or already by an earlier test of this database (the backup drill's)
    assert await seed_demo() is False
    assert await Brand.count().where(Brand.slug == SLUG) == 1

    coordinator = {"Authorization": f"Bearer {await token_for_phone(COORDINATOR_PHONE)}"}
    orders = (await ok(await client.get("/api/v1/orders", headers=coordinator)))["orders"]
    assert len(orders) == 3
    progress = {o["title"]: o["progress"] for o in orders}
    assert progress["苗绣蝴蝶纹围巾"]["paid"] == 20
    assert progress["蜡染靠垫套"]["submitted"] == 10
    queue = (await ok(await client.get("/api/v1/submissions", headers=coordinator)))["submissions"]
    assert len(queue) == 1

    artisan = {"Authorization": f"Bearer {await token_for_phone(ARTISAN_PHONE)}"}
    payouts = (await ok(await client.get("/api/v1/payouts", headers=artisan)))["payouts"]
    assert [(p["status"], p["amount_fen"]) for p in payouts] == [("paid", 20 * 4500)]

    passport = await demo_passport()
    assert passport is not None
    page = await client.get(f"/p/{passport}")
    assert page.status_code == 200
    assert "苗绣蝴蝶纹围巾" in page.text
    assert "制作者选择不公开姓名" not in page.text  # the demo's maker lets her name be shown
