"""A say on price (issue 28): hours per piece and the hourly rate they imply, an artisan's word
that a piece rate is too low (价低), and what a cancel pays of the work reported done."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from backend.accounts.service import principal_for
from backend.audit import history
from backend.core.types import Channel, Role
from backend.db.session import run
from backend.jobs.submissions import report_done
from tests import support
from tests.support import ok, refused


async def _job(client: httpx.AsyncClient, brand: support.Brand, who: support.Person, **order: object) -> dict:
    made = await support.open_order(client, brand, **order)
    [job] = await support.offer(client, brand, made["id"], (who, 5))
    return job


# Hours per piece and the hourly rate.


@pytest.mark.parametrize(
    ("price_fen", "hours", "hourly_fen"),
    [
        (4500, 3.0, 1500),
        (4500, 3.6, 1250),
        (1000, 0.3, 3333),
        (1001, 0.2, 5005),
        (25, 1000, 0),
        (5, 0.1, 50),
        (25, 2, 13),
    ],
)
async def test_an_order_shows_the_hourly_rate_its_hours_imply_rounded_half_up(
    client: httpx.AsyncClient, price_fen: int, hours: float, hourly_fen: int
) -> None:
    brand = await support.brand()
    order = await support.open_order(client, brand, unit_price_fen=price_fen, hours_per_piece=hours)

    assert (order["hours_per_piece"], order["hourly_rate_fen"]) == (hours, hourly_fen)


@pytest.mark.parametrize(
    ("hours", "kind", "words"),
    [
        (2.5, "offer_hourly", "每件¥45.00，约¥18/时，"),
        (None, "offer", "每件¥45.00，"),
        (0.1, "offer_hourly", "约¥450/时"),
    ],
)
async def test_the_offer_sms_says_the_hourly_rate_when_the_order_has_hours(
    client: httpx.AsyncClient, hours: float | None, kind: str, words: str
) -> None:
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True)
    await _job(client, brand, villager, unit_price_fen=4500, hours_per_piece=hours)
    [sent] = await run("SELECT kind, body FROM outbox_message WHERE to_phone = {}", villager.phone)
    assert sent["kind"] == kind
    assert words in sent["body"]
    assert ("/时" in sent["body"]) == (hours is not None)


async def test_a_rate_beyond_what_one_sms_holds_is_not_said(client: httpx.AsyncClient) -> None:
    """¥1,200 a piece in six minutes would be ¥12,000 an hour: a typo more than a wage, and
    longer than the offer SMS is proved to hold; the offer goes without it."""
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True)
    await _job(client, brand, villager, unit_price_fen=120_000, hours_per_piece=0.1)
    [sent] = await run("SELECT kind, body FROM outbox_message WHERE to_phone = {}", villager.phone)
    assert (sent["kind"], "/时" in sent["body"]) == ("offer", False)


async def test_hours_travel_with_the_offer_and_an_edit_changes_or_clears_them(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    plain = await support.open_order(client, brand)
    url = f"/api/v1/orders/{plain['id']}"

    estimated = await ok(await client.patch(url, json={"hours_per_piece": 2.5}, headers=brand.coordinator.auth))
    cleared = await ok(await client.patch(url, json={"hours_per_piece": None}, headers=brand.coordinator.auth))
    await ok(await client.patch(url, json={"hours_per_piece": 4}, headers=brand.coordinator.auth))
    await support.offer(client, brand, plain["id"], (artisan, 5))
    [job] = (await ok(await client.get("/api/v1/jobs", headers=artisan.auth)))["jobs"]

    assert (plain["hours_per_piece"], plain["hourly_rate_fen"]) == (None, None)
    assert (estimated["hours_per_piece"], estimated["hourly_rate_fen"]) == (2.5, 1800)
    assert (cleared["hours_per_piece"], cleared["hourly_rate_fen"]) == (None, None)
    assert (job["hours_per_piece"], job["hourly_rate_fen"], job["price_feedback"]) == (4.0, 1125, False)
    events = await history("order", plain["id"])
    assert [json.loads(e["detail"]).get("changed") for e in events if e["action"] == "edit"] == [["hours_tenths"]] * 3


@pytest.mark.parametrize(("hours", "status"), [(0, 400), (-2, 400), (1000.5, 400), ("three", 400), (2.25, 422)])
async def test_hours_that_are_not_a_sensible_estimate_are_refused(
    client: httpx.AsyncClient, hours: object, status: int
) -> None:
    brand = await support.brand()
    english = await support.person(brand.id, Role.COORDINATOR, locale="en")
    body = support.order_body(hours_per_piece=hours)

    answer = await client.post("/api/v1/orders", json=body, headers=english.auth)

    error = refused(answer, status)
    if status == 422:
        assert error["fields"] == {"hours_per_piece": "one_decimal"}
        assert error["message"] == "Give the hours per piece with at most one decimal, e.g. 2.5."
    assert (await support.brand_rows(brand.id))["production_order"] == []


# Price feedback.


async def test_price_too_low_is_kept_once_per_job_replaced_and_audited_each_time(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    first, second, third = [await support.artisan(brand) for _ in range(3)]
    order = await support.open_order(client, brand, unit_price_fen=4500)
    jobs = await support.offer(client, brand, order["id"], (first, 5), (second, 5), (third, 5))
    url = "/api/v1/jobs/{}/price-feedback"

    said = await ok(await client.post(url.format(jobs[0]["id"]), json={}, headers=first.auth))
    await ok(await client.post(url.format(jobs[0]["id"]), json={"price_fen": 6000}, headers=first.auth))
    await ok(await client.post(url.format(jobs[1]["id"]), json={"price_fen": 5000}, headers=second.auth))
    await ok(await client.post(f"/api/v1/jobs/{jobs[1]['id']}/accept", json={}, headers=second.auth))
    await ok(await client.post(url.format(jobs[1]["id"]), json={"price_fen": 5500}, headers=second.auth))
    summary = await ok(await client.get(f"/api/v1/orders/{order['id']}/price-feedback", headers=brand.coordinator.auth))
    [mine] = (await ok(await client.get("/api/v1/jobs", headers=first.auth)))["jobs"]
    progress = (await ok(await client.get(f"/api/v1/orders/{order['id']}", headers=brand.coordinator.auth)))["progress"]

    assert (said["price_fen"], said["channel"]) == (None, "app")
    assert (summary["count"], summary["offers_open"], summary["median_price_fen"]) == (2, 2, 5750)
    assert [(a["job_id"], a["price_fen"], a["channel"], a["village"] != "") for a in summary["answers"]] == [
        (jobs[0]["id"], 6000, "app", True),
        (jobs[1]["id"], 5500, "app", True),
    ]
    assert (mine["status"], mine["price_feedback"], mine["price_asked_fen"]) == ("offered", True, 6000)
    assert progress["price_low"] == 2
    events = await history("job", jobs[0]["id"])
    assert [json.loads(e["detail"])["price_fen"] for e in events if e["action"] == "price_feedback"] == [None, 6000]
    assert {e["channel"] for e in events if e["action"] == "price_feedback"} == {"app"}


async def test_a_replayed_price_feedback_counts_once(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    job = await _job(client, brand, artisan)
    headers = artisan.auth | {"Idempotency-Key": "price-once"}
    url = f"/api/v1/jobs/{job['id']}/price-feedback"

    answers = [await client.post(url, json={"price_fen": 5200}, headers=headers) for _ in range(2)]
    raced = await asyncio.gather(*(client.post(url, json={"price_fen": 5300}, headers=artisan.auth) for _ in range(3)))

    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].json() == answers[1].json()
    assert {r.status_code for r in raced} == {200}
    rows = await run("SELECT price_fen FROM price_feedback WHERE job = {}", job["id"])
    assert rows == [{"price_fen": 5300}]
    events = await history("job", job["id"])
    assert len([e for e in events if e["action"] == "price_feedback"]) == 4  # one replay, three races


@pytest.mark.parametrize(
    ("price_fen", "field"), [(0, "not_positive"), (-100, "not_positive"), (4500 * 100 + 1, "price_too_high")]
)
async def test_an_absurd_price_is_refused_in_her_language(
    client: httpx.AsyncClient, price_fen: int, field: str
) -> None:
    brand = await support.brand()
    artisan, her_english = await support.artisan(brand), await support.artisan(brand, locale="en")
    order = await support.open_order(client, brand, unit_price_fen=4500)
    jobs = await support.offer(client, brand, order["id"], (artisan, 5), (her_english, 5))
    url = "/api/v1/jobs/{}/price-feedback"

    chinese = refused(
        await client.post(url.format(jobs[0]["id"]), json={"price_fen": price_fen}, headers=artisan.auth),
        422,
        "invalid",
    )
    english = refused(
        await client.post(url.format(jobs[1]["id"]), json={"price_fen": price_fen}, headers=her_english.auth), 422
    )

    assert chinese["fields"] == english["fields"] == {"price_fen": field}
    assert chinese["message"] != english["message"]
    assert english["message"].isascii()
    assert not await run('SELECT id FROM price_feedback WHERE "order" = {}', order["id"])


async def test_price_feedback_is_hers_alone_and_only_while_the_work_is_to_do(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan, neighbour = await support.artisan(brand, locale="en"), await support.artisan(brand)
    job = await _job(client, brand, artisan)
    declined = await support.job_in_state(client, brand, artisan, "declined")
    withdrawn = await support.job_in_state(client, brand, artisan, "withdrawn")
    submitted = await support.job_in_state(client, brand, artisan, "submitted")
    url = "/api/v1/jobs/{}/price-feedback"
    english = artisan.auth

    refused(await client.post(url.format(job["id"]), json={}, headers=neighbour.auth), 404, "not_found")
    refused(await client.post(url.format(job["id"]), json={}, headers=brand.coordinator.auth), 403, "forbidden")
    gone = [
        refused(await client.post(url.format(work.job_id), json={}, headers=english), 409, "invalid_transition")
        for work in (declined, withdrawn, submitted)
    ]
    other_brand = await support.brand()
    refused(
        await client.get(f"/api/v1/orders/{job['order_id']}/price-feedback", headers=other_brand.coordinator.auth), 404
    )

    assert [error["message"] for error in gone] == [
        "This job is declined and cannot be changed this way.",
        "This job is withdrawn and cannot be changed this way.",
        "This job is submitted and cannot be changed this way.",
    ]
    assert not await run("SELECT id FROM price_feedback WHERE artisan = {}", artisan.id)


# A cancel pays what was reported done.


async def _reported(brand: support.Brand, artisan: support.Person, job_id: int, quantity: int) -> None:
    """She texts "完成 N": the pieces wait in the job for the leader's photos."""
    await report_done(await principal_for(artisan.id, Channel.SMS), job_id, quantity)


async def test_a_cancel_approves_the_pieces_reported_done_and_they_are_due(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    sent, texted, working, offered, approved = [await support.artisan(brand) for _ in range(5)]
    order = await support.open_order(client, brand, quantity=40, unit_price_fen=4500)
    o = order["id"]
    w_sent = await support.job_in_state(client, brand, sent, "submitted", order_id=o, quantity=5)
    w_texted = await support.job_in_state(client, brand, texted, "accepted", order_id=o, quantity=8)
    w_working = await support.job_in_state(client, brand, working, "accepted", order_id=o, quantity=5)
    w_offered = await support.job_in_state(client, brand, offered, "offered", order_id=o, quantity=5)
    w_approved = await support.job_in_state(client, brand, approved, "approved", order_id=o, quantity=5)
    await _reported(brand, texted, w_texted.job_id, 6)

    cancelled = await ok(await client.post(f"/api/v1/orders/{o}/cancel", headers=brand.coordinator.auth))
    jobs = {
        j["id"]: j
        for j in (await ok(await client.get(f"/api/v1/orders/{o}/jobs", headers=brand.coordinator.auth)))["jobs"]
    }
    due = {
        d["job_id"]: d
        for d in (await ok(await client.get("/api/v1/payouts/due", headers=brand.coordinator.auth)))["due"]
    }

    state = {
        w.job_id: (jobs[w.job_id]["status"], jobs[w.job_id]["quantity_approved"])
        for w in (w_sent, w_texted, w_working, w_offered, w_approved)
    }
    assert state == {
        w_sent.job_id: ("approved", 5),
        w_texted.job_id: ("approved", 6),
        w_working.job_id: ("accepted", 0),
        w_offered.job_id: ("withdrawn", 0),
        w_approved.job_id: ("approved", 5),
    }
    assert jobs[w_texted.job_id]["quantity_reported"] == 0
    assert {job_id: d["gross_fen"] for job_id, d in due.items()} == {
        w_sent.job_id: 5 * 4500,
        w_texted.job_id: 6 * 4500,
        w_approved.job_id: 5 * 4500,
    }
    assert cancelled["status"] == "cancelled"
    assert cancelled["progress"]["approved"] == 16
    texted_events = await history("job", w_texted.job_id)
    assert [(e["action"], e["to_status"], json.loads(e["detail"]).get("reason")) for e in texted_events[-2:]] == [
        ("submit", "submitted", "order_cancelled"),
        ("approve", "approved", "order_cancelled"),
    ]
    assert {e["channel"] for e in texted_events[-2:]} == {"console"}  # the coordinator acted
    submissions = await run(
        "SELECT job, quantity, status, review_reason FROM submission WHERE job IN ({}, {}) ORDER BY job",
        w_sent.job_id,
        w_texted.job_id,
    )
    assert [(s["quantity"], s["status"], s["review_reason"]) for s in submissions] == [
        (5, "approved", "order_cancelled"),
        (6, "approved", "order_cancelled"),
    ]
    told = await run("SELECT to_phone, body FROM outbox_message WHERE body LIKE {}", "%订单已取消%")
    assert sorted(row["to_phone"] for row in told) == sorted([sent.phone, texted.phone])


async def test_a_replayed_or_racing_cancel_approves_once(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisans = [await support.artisan(brand) for _ in range(3)]
    for attempt in range(3):
        order = await support.open_order(client, brand, quantity=30)
        works = [
            await support.job_in_state(client, brand, who, "submitted", order_id=order["id"], quantity=5)
            for who in artisans
        ]
        url = f"/api/v1/orders/{order['id']}/cancel"
        replay = brand.coordinator.auth | {"Idempotency-Key": f"cancel-{attempt}-{order['id']}"}

        answers = await asyncio.gather(
            client.post(url, headers=replay),
            client.post(url, headers=replay),
            client.post(url, headers=brand.coordinator.auth),
        )

        assert sorted(a.status_code for a in answers) in ([200, 200, 409], [200, 409, 409]), [a.text for a in answers]
        for work in works:
            approvals = [e for e in await history("job", work.job_id) if e["action"] == "approve"]
            assert len(approvals) == 1
        cancels = [e for e in await history("order", order["id"]) if e["action"] == "cancel"]
        assert len(cancels) == 1
