"""Finished work with photos from the artisan's app: made small on the phone, queued while
offline, sent with tus (resuming after a drop), and submitted exactly once."""

from __future__ import annotations

import asyncio
import io
import json
import os

import httpx
from PIL import Image
from playwright.async_api import Page, Route, expect

from backend.accounts.service import principal_for
from backend.core.types import Channel, Role
from backend.db.session import run
from backend.jobs.submissions import report_done
from tests import support
from tests.e2e.pages import AppPage


def camera_photo(width: int = 4000, height: int = 3000) -> bytes:
    """A phone camera's JPEG: big, and noisy enough that its smaller copy still needs chunks."""
    noise = Image.frombytes("RGB", (width // 8, height // 8), os.urandom(width // 8 * height // 8 * 3))
    picture = noise.resize((width, height), Image.Resampling.NEAREST)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=90)
    return out.getvalue()


async def _accepted_job_with_pattern(client: httpx.AsyncClient) -> tuple[support.Person, int, int]:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    pattern = await support.upload_photo(client, brand.coordinator, color=(30, 60, 160))
    order = await support.open_order(client, brand, quantity=20, photo_ids=[pattern], quality_notes="针脚细密")
    work = await support.job_in_state(client, brand, artisan, "accepted", order_id=order["id"], quantity=8)
    return artisan, work.job_id, pattern


async def _submissions(job_id: int) -> list[dict[str, object]]:
    return await run("SELECT quantity, photo_ids FROM submission WHERE job = {}", job_id)


async def test_a_submission_made_offline_waits_for_its_photos_and_goes_once(
    page: Page, client: httpx.AsyncClient
) -> None:
    artisan, job_id, _pattern = await _accepted_job_with_pattern(client)
    app = AppPage(page)
    await app.sign_in(artisan.phone)
    card = app.card(job_id)
    await expect(card.pattern).to_have_js_property("complete", True)
    assert await card.pattern.evaluate("image => image.naturalWidth") == 64  # the pattern photo itself
    await app.screenshot("app-submit")

    await page.context.set_offline(True)
    await card.submit(8, camera_photo(), camera_photo(3000, 4000))
    await expect(app.pending).to_have_attribute("data-pending", "1")
    assert await _submissions(job_id) == []
    await page.context.set_offline(False)

    await expect(app.pending).to_have_attribute("data-pending", "0")
    await expect(app.job(job_id)).to_have_attribute("data-status", "submitted")
    [submission] = await _submissions(job_id)
    photo_ids = json.loads(str(submission["photo_ids"]))
    photos = await run("SELECT width, height FROM photo WHERE owner = {} ORDER BY id", artisan.id)
    assert submission["quantity"] == 8
    assert len(photo_ids) == 2
    # Made small on the phone: 1600 px on the long side, both ways up.
    assert [(p["width"], p["height"]) for p in photos] == [(1600, 1200), (1200, 1600)]
    assert await run("SELECT id FROM upload WHERE owner = {}", artisan.id) == []  # none left behind


async def test_a_dropped_upload_resumes_from_the_servers_offset(page: Page, client: httpx.AsyncClient) -> None:
    artisan, job_id, _pattern = await _accepted_job_with_pattern(client)
    app = AppPage(page)
    await app.sign_in(artisan.phone)
    await expect(app.job(job_id)).to_be_visible()
    offsets: list[str] = []
    creations: list[str] = []
    dropped = asyncio.Event()

    async def drop_the_second_chunk(route: Route) -> None:
        request = route.request
        if request.method == "POST":
            creations.append(request.url)
        if request.method == "PATCH":
            offsets.append(request.headers["upload-offset"])
            if len(offsets) == 2:
                await route.abort("connectionreset")
                dropped.set()
                return
        await route.continue_()

    await page.route("**/api/v1/uploads**", drop_the_second_chunk)
    await app.card(job_id).submit(5, camera_photo())
    await asyncio.wait_for(dropped.wait(), timeout=30)
    await expect(app.pending).to_have_attribute("data-pending", "1")
    await app.retry_now()

    await expect(app.pending).to_have_attribute("data-pending", "0")
    chunk = 64 * 1024
    assert offsets[:3] == ["0", str(chunk), str(chunk)]  # the lost chunk again, not the whole photo
    assert [int(offset) for offset in offsets] == sorted(int(offset) for offset in offsets)
    assert len(creations) == 1  # one upload, continued
    assert len(await _submissions(job_id)) == 1


async def test_a_file_that_is_not_a_photo_is_refused_on_the_phone(page: Page, client: httpx.AsyncClient) -> None:
    artisan, job_id, _pattern = await _accepted_job_with_pattern(client)
    app = AppPage(page)
    await app.sign_in(artisan.phone)

    await app.card(job_id).submit(3, b"%PDF-1.4 not a picture")

    await expect(app.notice).to_contain_text("不是照片")
    await expect(app.pending).to_have_attribute("data-pending", "0")
    assert await _submissions(job_id) == []


async def test_a_village_leader_photographs_and_submits_what_a_neighbour_reported_by_sms(
    page: Page, client: httpx.AsyncClient
) -> None:
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True)
    leader = await support.person(brand.id, Role.LEADER, village_id=brand.villages[0])
    work = await support.job_in_state(client, brand, villager, "accepted", quantity=6)
    await report_done(await principal_for(villager.id, Channel.SMS), work.job_id, 4)  # "完成 4" by SMS
    app = AppPage(page)
    await app.sign_in(leader.phone)
    card = app.card(work.job_id)
    await expect(app.job(work.job_id)).to_contain_text("已报完成 4 件，等带头人拍照")
    await expect(app.job(work.job_id).locator("input[name=quantity]")).to_have_value("4")  # what she reported
    await expect(app.job(work.job_id).locator(".whose")).to_contain_text(villager.phone[-4:])  # whose work
    await expect(page.locator("[data-payout-id]")).to_have_count(0)  # a leader is paid nothing here

    await card.submit(4, camera_photo(1200, 900))

    await expect(app.job(work.job_id)).to_have_attribute("data-status", "submitted")
    [row] = await run("SELECT quantity, channel, submitted_by FROM submission WHERE job = {}", work.job_id)
    assert row == {"quantity": 4, "channel": "on-behalf", "submitted_by": leader.id}


async def test_work_the_leader_sent_meanwhile_is_explained_when_the_queued_submission_is_refused(
    page: Page, client: httpx.AsyncClient
) -> None:
    artisan, job_id, _pattern = await _accepted_job_with_pattern(client)
    [row] = await run("SELECT brand, village FROM member WHERE id = {}", artisan.id)
    leader = await support.person(int(row["brand"]), Role.LEADER, village_id=int(row["village"]))
    app = AppPage(page)
    await app.sign_in(artisan.phone)
    await expect(app.job(job_id)).to_be_visible()
    await page.context.set_offline(True)
    await app.card(job_id).submit(8, camera_photo(1200, 900))
    await expect(app.pending).to_have_attribute("data-pending", "1")
    photo = await support.upload_photo(client, leader)
    await support.ok(
        await client.post(
            f"/api/v1/jobs/{job_id}/submissions", json={"quantity": 8, "photo_ids": [photo]}, headers=leader.auth
        ),
        201,
    )

    await page.context.set_offline(False)

    await expect(app.pending).to_have_attribute("data-pending", "0")
    await expect(app.notice).to_contain_text("这份活已有人交过了")
    await expect(app.job(job_id)).to_have_attribute("data-status", "submitted")
    assert [r["submitted_by"] for r in await run("SELECT submitted_by FROM submission WHERE job = {}", job_id)] == [
        leader.id
    ]
