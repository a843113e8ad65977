"""Acting in the artisan's app: every action queued with its Idempotency-Key, sent once when
the signal returns, and a refusal explained in the artisan's language."""

from __future__ import annotations

import asyncio

import httpx
from playwright.async_api import Page, Route, expect

from backend.db.session import run
from tests import support
from tests.e2e.pages import AppPage


async def _accepts(job_id: int) -> int:
    rows = await run(
        "SELECT COUNT(*) AS n FROM audit_event WHERE entity = 'job' AND entity_id = {} AND action = 'accept'", job_id
    )
    return int(rows[0]["n"])


async def test_accepting_part_of_an_offer_online(page: Page, client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    work = await support.job_in_state(client, brand, artisan, "offered", quantity=10)
    app = AppPage(page)
    await app.sign_in(artisan.phone)

    await app.card(work.job_id).accept(6)

    await expect(app.job(work.job_id)).to_have_attribute("data-status", "accepted")
    await expect(app.pending).to_have_attribute("data-pending", "0")
    rows = await run("SELECT status, quantity_accepted FROM job WHERE id = {}", work.job_id)
    assert rows == [{"status": "accepted", "quantity_accepted": 6}]


async def test_two_offers_accepted_offline_one_goes_through_once_and_the_other_is_explained(
    page: Page, client: httpx.AsyncClient
) -> None:
    brand = await support.brand()
    artisan, rival = await support.artisan(brand), await support.artisan(brand)
    roomy = await support.open_order(client, brand, quantity=20)
    tight = await support.open_order(client, brand, quantity=5)
    [mine_roomy] = await support.offer(client, brand, roomy["id"], (artisan, 5))
    [mine_tight] = await support.offer(client, brand, tight["id"], (artisan, 5))
    [rivals] = await support.offer(client, brand, tight["id"], (rival, 5))
    app = AppPage(page)
    await app.sign_in(artisan.phone)
    await expect(app.job(mine_tight["id"])).to_be_visible()

    await page.context.set_offline(True)
    await app.card(mine_roomy["id"]).accept()
    await app.card(mine_tight["id"]).accept()
    await expect(app.pending).to_have_attribute("data-pending", "2")
    # Meanwhile a neighbour with a signal takes the whole of the tight order.
    await support.ok(await client.post(f"/api/v1/jobs/{rivals['id']}/accept", json={}, headers=rival.auth))
    await page.context.set_offline(False)  # the browser fires "online": the outbox replays

    await expect(app.pending).to_have_attribute("data-pending", "0")
    await expect(app.job(mine_roomy["id"])).to_have_attribute("data-status", "accepted")
    await expect(app.notice).to_contain_text("可以少接几件，或者等新活。")
    assert await _accepts(mine_roomy["id"]) == 1
    assert await _accepts(mine_tight["id"]) == 0


async def test_an_answer_lost_after_the_server_acted_is_replayed_not_repeated(
    page: Page, client: httpx.AsyncClient
) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    work = await support.job_in_state(client, brand, artisan, "offered", quantity=4)
    app = AppPage(page)
    await app.sign_in(artisan.phone)
    keys: list[str] = []
    lost = asyncio.Event()

    async def lose_the_first_answer(route: Route) -> None:
        keys.append(route.request.headers.get("idempotency-key", ""))
        if len(keys) == 1:
            await route.fetch()  # the server accepts...
            await route.abort("connectionreset")  # ...and the answer never arrives
            lost.set()
        else:
            await route.continue_()

    await page.route("**/api/v1/jobs/*/accept", lose_the_first_answer)
    await app.card(work.job_id).accept()
    await expect(app.pending).to_have_attribute("data-pending", "1")
    await asyncio.wait_for(lost.wait(), 10)
    await page.evaluate("window.dispatchEvent(new Event('online'))")  # the signal comes back

    await expect(app.job(work.job_id)).to_have_attribute("data-status", "accepted")
    await expect(app.pending).to_have_attribute("data-pending", "0")
    assert len(keys) == 2
    assert keys[0] == keys[1] != ""
    assert await _accepts(work.job_id) == 1


async def test_a_payment_is_confirmed_or_disputed_from_the_app(page: Page, client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    first = await support.job_in_state(client, brand, artisan, "paid", quantity=2)
    second = await support.job_in_state(client, brand, artisan, "paid", quantity=3)
    app = AppPage(page)
    await app.sign_in(artisan.phone)
    confirm_me = page.locator(f"[data-payout-id='{first.payout_id}']")
    dispute_me = page.locator(f"[data-payout-id='{second.payout_id}']")

    await confirm_me.locator("[data-action=confirm]").click()
    await dispute_me.locator("textarea[name=reason]").fill("只收到一半")
    await dispute_me.locator("[data-action=dispute]").click()

    await expect(confirm_me).to_have_attribute("data-status", "confirmed")
    await expect(dispute_me).to_have_attribute("data-status", "disputed")
    await expect(app.pending).to_have_attribute("data-pending", "0")
    rows = await run("SELECT status, dispute_reason FROM payout WHERE id = {}", second.payout_id)
    assert rows == [{"status": "disputed", "dispute_reason": "只收到一半"}]


async def test_a_double_tap_queues_one_action(page: Page, client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    work = await support.job_in_state(client, brand, artisan, "offered", quantity=4)
    app = AppPage(page)
    await app.sign_in(artisan.phone)
    await expect(app.job(work.job_id)).to_be_visible()
    await page.context.set_offline(True)

    await app.job(work.job_id).locator("[data-action=accept]").dblclick()

    await expect(app.pending).to_have_attribute("data-pending", "1")
    await page.context.set_offline(False)
    await expect(app.pending).to_have_attribute("data-pending", "0")
    await expect(app.job(work.job_id)).to_have_attribute("data-status", "accepted")
    await expect(app.notice).to_be_hidden()  # no second accept refused
    assert await _accepts(work.job_id) == 1


async def test_a_confirmation_made_offline_waits_and_is_not_asked_again_after_a_reload(
    page: Page, client: httpx.AsyncClient
) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    paid = await support.job_in_state(client, brand, artisan, "paid", quantity=2)
    app = AppPage(page)
    await app.sign_in(artisan.phone)
    await app.worker_ready()
    payout = page.locator(f"[data-payout-id='{paid.payout_id}']")
    await expect(payout.locator("[data-action=confirm]")).to_be_visible()  # fetched through the worker: kept
    await page.context.set_offline(True)

    await payout.locator("[data-action=confirm]").click()
    await expect(payout.locator(".hint")).to_be_visible()  # waiting to send
    await page.reload()
    await expect(payout.locator(".hint")).to_be_visible()
    await expect(payout.locator("[data-action=confirm]")).to_have_count(0)  # not asked twice

    await page.context.set_offline(False)
    await expect(payout).to_have_attribute("data-status", "confirmed")
    await expect(app.pending).to_have_attribute("data-pending", "0")
    [row] = await run("SELECT status FROM payout WHERE id = {}", paid.payout_id)
    assert row["status"] == "confirmed"
