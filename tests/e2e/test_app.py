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
    paid = await support.job_in_state(client, brand, artisan, "paid", quantity=2)  # nothing to do on it
    app = AppPage(page)

    await app.sign_in(artisan.phone)

    await expect(app.job(offered.job_id)).to_have_attribute("data-status", "offered")
    await expect(app.job(accepted.job_id)).to_have_attribute("data-status", "accepted")
    await expect(page.locator("[data-job-id]").first).to_have_attribute("data-job-id", str(offered.job_id))
    await expect(app.job(offered.job_id)).to_contain_text("可挣 ¥540.00")  # 12 × ¥45.00
    await expect(app.job(paid.job_id)).to_have_attribute("data-status", "paid")
    await expect(page.locator("[data-job-id]", has_text="undefined")).to_have_count(0)  # no missing part printed
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


async def test_a_later_visit_asks_only_for_what_changed_since_its_cursor(page: Page, client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    kept = await support.job_in_state(client, brand, artisan, "offered", quantity=3)
    taken_back = await support.job_in_state(client, brand, artisan, "offered", quantity=2)
    app = AppPage(page)
    await app.sign_in(artisan.phone)
    await expect(app.job(taken_back.job_id)).to_have_attribute("data-status", "offered")

    async def reload_and_note_the_feed() -> tuple[str, int, str | None]:
        """(cursor, body bytes on the wire, If-None-Match) of the job feed the reloaded app asks for."""
        async with page.expect_response(lambda answer: "/api/v1/jobs?" in answer.url) as feed:
            await page.reload()
        response = await feed.value
        await response.finished()  # its size is known once its body is in
        headers = await response.request.all_headers()
        sizes = await response.request.sizes()
        return response.url.split("since=")[1], sizes["responseBodySize"], headers.get("if-none-match")

    feeds: list[tuple[str, int, str | None]] = []
    for _ in range(2):  # nothing changed: the saved jobs show, the feed has nothing new
        feeds.append(await reload_and_note_the_feed())
        await expect(app.job(kept.job_id)).to_be_visible()
    await support.ok(await client.post(f"/api/v1/jobs/{taken_back.job_id}/withdraw", headers=brand.coordinator.auth))
    feeds.append(await reload_and_note_the_feed())

    await expect(app.job(taken_back.job_id)).to_have_attribute("data-status", "withdrawn")
    await expect(app.job(kept.job_id)).to_have_attribute("data-status", "offered")  # saved, not sent again
    cursor = feeds[0][0]
    assert cursor != "0"  # from the saved cursor, not from the beginning
    # The same question again is answered "not modified" (no body); then the change comes.
    [(_, empty, asked), (_, not_modified, again), (_, changed, _)] = feeds
    nothing_new = len(f'{{"jobs":[],"cursor":"{cursor}"}}')
    assert (empty, not_modified, changed > nothing_new) == (nothing_new, 0, True), feeds
    assert asked is None, feeds  # a new question: nothing to compare with
    assert str(again).startswith('"'), feeds  # the ETag of the answer the browser keeps
    assert {feed[0] for feed in feeds} == {cursor}


async def test_a_new_offer_shows_while_the_app_is_open_and_what_was_typed_stays(
    page: Page, client: httpx.AsyncClient
) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    first = await support.job_in_state(client, brand, artisan, "offered", quantity=8)
    app = AppPage(page)
    await app.sign_in(artisan.phone)
    typed = app.job(first.job_id).locator("input[name=quantity]")
    await typed.fill("3")
    second = await support.job_in_state(client, brand, artisan, "offered", quantity=5)

    await app.seen_again()

    await expect(app.job(second.job_id)).to_have_attribute("data-status", "offered")
    await expect(typed).to_have_value("3")
