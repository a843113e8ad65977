"""The brand's staff: passports listed per order with their scans and the copy flag,
withdrawn with a reason (once), QR labels; nothing of another brand's."""

from __future__ import annotations

import asyncio
import datetime as dt

import httpx
import pytest

from backend.audit.tables import AuditEvent
from backend.core.china_time import china_today
from backend.core.types import Role
from backend.db.session import run
from backend.passports.service import as_day, copy_threshold
from backend.passports.tables import PassportScan
from tests import support
from tests.integration.passports.helpers import API, approved, listed
from tests.support import ok, refused


async def test_staff_list_an_orders_passports_with_her_name_and_quantity(client: httpx.AsyncClient) -> None:
    b = await support.brand()
    maker = await support.artisan(b)
    work, passport_id = await approved(client, b, maker, title="银饰手镯")

    found = await listed(client, b, work.order_id)

    assert (found["order_id"], found["order_title"]) == (work.order_id, "银饰手镯")
    [item] = found["passports"]
    assert item["id"] == passport_id
    assert item["url"] == f"http://testserver.local/p/{passport_id}"
    assert (item["submission_id"], item["job_id"], item["quantity"]) == (work.submission_id, work.job_id, 3)
    assert item["artisan_name"].startswith("artisan ")
    assert item["job_code"]
    assert (item["status"], item["withdrawn_at"], item["flagged"]) == ("valid", None, False)


async def test_each_page_view_counts_a_scan_per_day_and_the_json_does_not(client: httpx.AsyncClient) -> None:
    b = await support.brand()
    work, passport_id = await approved(client, b, await support.artisan(b))
    for _ in range(3):
        assert (await client.get(f"/p/{passport_id}")).status_code == 200
    await client.get(f"/p/{passport_id}.json")
    await client.get(f"/p/{passport_id}/pattern")
    old = china_today() - dt.timedelta(days=40)
    await run("INSERT INTO passport_scan (passport, day, scans) VALUES ({}, {}, 7)", passport_id, as_day(old))

    found = await listed(client, b, work.order_id)

    [item] = found["passports"]
    assert (item["scans_total"], item["scans_last_30_days"]) == (10, 3)
    assert (found["scans_total"], found["scans_last_30_days"]) == (10, 3)
    _old, today = await PassportScan.select().where(PassportScan.passport == passport_id).order_by(PassportScan.day)
    assert today["scans"] == 3
    assert set(today) == {"id", "passport", "day", "scans"}  # nothing about who scanned


async def test_concurrent_scans_are_each_counted(client: httpx.AsyncClient) -> None:
    b = await support.brand()
    work, passport_id = await approved(client, b, await support.artisan(b))
    answers = await asyncio.gather(*(client.get(f"/p/{passport_id}") for _ in range(8)))
    assert {answer.status_code for answer in answers} == {200}
    [item] = (await listed(client, b, work.order_id))["passports"]
    assert item["scans_total"] == 8


@pytest.mark.parametrize(("scans", "flagged"), [(20, False), (21, True)])
async def test_a_label_scanned_more_than_a_batch_could_explain_is_flagged(
    client: httpx.AsyncClient, scans: int, flagged: bool
) -> None:
    b = await support.brand()
    work, passport_id = await approved(client, b, await support.artisan(b))  # 3 pieces: the floor of 20 holds
    assert copy_threshold(3) == 20
    assert copy_threshold(10) == 50
    day = china_today() - dt.timedelta(days=2)
    await run("INSERT INTO passport_scan (passport, day, scans) VALUES ({}, {}, {})", passport_id, as_day(day), scans)

    found = await listed(client, b, work.order_id)

    [item] = found["passports"]
    assert (item["flagged"], item["busiest_day_scans"]) == (flagged, scans)
    assert found["flagged"] == int(flagged)


async def test_withdrawal_is_audited_and_a_second_one_is_refused(client: httpx.AsyncClient) -> None:
    b = await support.brand()
    work, passport_id = await approved(client, b, await support.artisan(b))
    url = f"{API}/passports/{passport_id}/withdraw"

    refused(await client.post(url, json={"reason": "   "}, headers=b.coordinator.auth), 422)
    refused(await client.post(url, json={}, headers=b.coordinator.auth), 400)
    item = await ok(await client.post(url, json={"reason": "线头松了"}, headers=b.coordinator.auth))
    again = await client.post(url, json={"reason": "再次"}, headers=b.coordinator.auth)

    assert (item["status"], item["withdrawn_reason"]) == ("withdrawn", "线头松了")
    assert item["withdrawn_at"] is not None
    refused(again, 409, "passport_withdrawn")
    [event] = await AuditEvent.select().where(
        (AuditEvent.brand == b.id) & (AuditEvent.entity == "passport") & (AuditEvent.action == "withdraw")
    )
    assert (event["entity_id"], event["actor"]) == (work.submission_id, b.coordinator.id)
    assert "线头松了" in event["detail"]
    [row] = await run("SELECT withdrawn_by, withdrawn_reason FROM passport WHERE id = {}", passport_id)
    assert (row["withdrawn_by"], row["withdrawn_reason"]) == (b.coordinator.id, "线头松了")


async def test_a_replayed_withdrawal_gets_the_first_answer(client: httpx.AsyncClient) -> None:
    b = await support.brand()
    _work, passport_id = await approved(client, b, await support.artisan(b))
    url = f"{API}/passports/{passport_id}/withdraw"
    headers = b.coordinator.auth | {"Idempotency-Key": "withdraw-1"}
    first = await ok(await client.post(url, json={"reason": "褪色"}, headers=headers))
    replay = await client.post(url, json={"reason": "褪色"}, headers=headers)
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == first


async def test_the_qr_label_is_an_svg_of_the_public_address(client: httpx.AsyncClient) -> None:
    b = await support.brand()
    _work, passport_id = await approved(client, b, await support.artisan(b))
    answer = await client.get(f"{API}/passports/{passport_id}/qr.svg", headers=b.coordinator.auth)

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("image/svg+xml")
    assert answer.text.startswith("<svg")
    assert "<path" in answer.text
    assert "script" not in answer.text


async def test_another_brands_staff_and_artisans_see_nothing(client: httpx.AsyncClient) -> None:
    b, other = await support.brand(), await support.brand()
    maker = await support.artisan(b)
    work, passport_id = await approved(client, b, maker)
    admin = await support.person(other.id, Role.ADMIN)
    for who in (other.coordinator, admin):
        refused(await client.get(f"{API}/passports?order_id={work.order_id}", headers=who.auth), 404)
        refused(await client.get(f"{API}/passports/{passport_id}/qr.svg", headers=who.auth), 404)
        refused(
            await client.post(f"{API}/passports/{passport_id}/withdraw", json={"reason": "x"}, headers=who.auth), 404
        )
    refused(await client.get(f"{API}/passports?order_id={work.order_id}", headers=maker.auth), 403)
    refused(await client.get(f"{API}/passports/{passport_id}/qr.svg", headers=maker.auth), 403)
    refused(await client.get(f"{API}/passports?order_id={work.order_id}"), 401)
    [row] = await run("SELECT withdrawn_at FROM passport WHERE id = {}", passport_id)
    assert row["withdrawn_at"] is None


@pytest.mark.parametrize("order_id", ["", "abc", "٣", "-1", "0", "99999999999999999999"])
async def test_a_malformed_order_id_is_refused(client: httpx.AsyncClient, order_id: str) -> None:
    b = await support.brand()
    answer = await client.get(f"{API}/passports?order_id={order_id}", headers=b.coordinator.auth)
    assert answer.status_code == 400, answer.text
