"""Advances (预付款): asked on an accepted job up to the brand's share of what its accepted
pieces will earn, approved or refused, paid and confirmed like a payout, and deducted from
that job's payout only, never below zero; no claw-back, one open request per job."""

from __future__ import annotations

import asyncio
import csv
import io
from typing import Any

import httpx

from backend.audit.tables import AuditEvent
from backend.core.china_time import china_today
from backend.core.types import Role
from backend.outbox.tables import OutboxMessage
from backend.payouts.tables import Advance
from tests import support
from tests.support import Brand, Person, Work, ok, refused

API = "/api/v1"
PRICE = 4500  # support.order_body's piece rate


async def steps(client: httpx.AsyncClient, brand: Brand, who: Person, work: Work, *names: str) -> None:
    for name in names:
        await support._take_step(client, brand, who, work, name, 5)


async def ask(client: httpx.AsyncClient, who: Person, job_id: int, body: Any = None, **headers: str) -> httpx.Response:
    return await client.post(f"{API}/jobs/{job_id}/advance", json=body or {}, headers=who.auth | headers)


async def act(client: httpx.AsyncClient, who: Person, advance_id: int, action: str, body: Any = None) -> Any:
    return await ok(await client.post(f"{API}/advances/{advance_id}/{action}", json=body, headers=who.auth))


async def paid_advance(
    client: httpx.AsyncClient, brand: Brand, who: Person, job_id: int, amount: int | None = None
) -> Any:
    advance = await ok(await ask(client, who, job_id, {"amount_fen": amount} if amount else {}), 201)
    await act(client, brand.coordinator, advance["id"], "approve")
    return await act(client, brand.coordinator, advance["id"], "pay", {"method": "wechat", "reference": "WX-ADV-9"})


async def test_an_advance_is_asked_approved_paid_confirmed_and_deducted_from_that_jobs_payout_only(
    client: httpx.AsyncClient,
) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    advanced = await support.job_in_state(client, brand, artisan, "accepted", quantity=5)
    other = await support.job_in_state(client, brand, artisan, "approved", quantity=5)

    asked = await ok(await ask(client, artisan, advanced.job_id), 201)
    assert (asked["amount_fen"], asked["status"], asked["requested_via"]) == (5 * PRICE * 30 // 100, "requested", "app")
    waiting = await ok(await client.get(f"{API}/advances?status=requested", headers=brand.coordinator.auth))
    assert [a["id"] for a in waiting["advances"]] == [asked["id"]]
    approved = await act(client, brand.coordinator, asked["id"], "approve")
    paid = await act(client, brand.coordinator, asked["id"], "pay", {"method": "wechat", "reference": "WX-ADV-9"})
    confirmed = await act(client, artisan, asked["id"], "confirm")
    assert [approved["status"], paid["status"], confirmed["status"]] == ["approved", "paid", "confirmed"]
    assert (paid["method"], paid["reference"]) == ("wechat", "WX-ADV-9")

    await steps(client, brand, artisan, advanced, "submit", "approve")
    due = {
        d["job_id"]: d
        for d in (await ok(await client.get(f"{API}/payouts/due", headers=brand.coordinator.auth)))["due"]
    }
    assert (due[advanced.job_id]["gross_fen"], due[advanced.job_id]["advance_fen"]) == (22500, 6750)
    assert due[advanced.job_id]["amount_fen"] == 22500 - 6750
    assert (due[other.job_id]["gross_fen"], due[other.job_id]["advance_fen"], due[other.job_id]["amount_fen"]) == (
        22500, 0, 22500,
    )  # fmt: skip

    body = {"method": "bank", "reference": "B-1"}
    payout = await ok(
        await client.post(f"{API}/jobs/{advanced.job_id}/payout", json=body, headers=brand.coordinator.auth), 201
    )
    untouched = await ok(
        await client.post(f"{API}/jobs/{other.job_id}/payout", json=body, headers=brand.coordinator.auth), 201
    )
    assert (payout["gross_fen"], payout["advance_fen"], payout["amount_fen"]) == (22500, 6750, 15750)
    assert (untouched["gross_fen"], untouched["advance_fen"], untouched["amount_fen"]) == (22500, 0, 22500)
    [stored] = await Advance.select().where(Advance.id == asked["id"])
    assert stored["deducted_in"] == payout["id"]

    actions = (
        await AuditEvent.select(AuditEvent.action, AuditEvent.channel)
        .where((AuditEvent.entity == "advance") & (AuditEvent.entity_id == asked["id"]))
        .order_by(AuditEvent.id)
    )
    assert [(e["action"], e["channel"]) for e in actions] == [
        ("request", "app"), ("approve", "console"), ("pay", "console"), ("confirm", "app"),
    ]  # fmt: skip


async def test_the_statement_shows_the_advance_and_its_deduction_and_agrees_with_the_export(
    client: httpx.AsyncClient,
) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    work = await support.job_in_state(client, brand, artisan, "accepted", quantity=5)
    advance = await paid_advance(client, brand, artisan, work.job_id, 5000)
    await steps(client, brand, artisan, work, "submit", "approve", "pay")

    statement = await ok(await client.get(f"{API}/me/statement", headers=artisan.auth))
    [job] = statement["brands"][0]["jobs"]
    lines = {line["kind"]: line for line in job["lines"]}
    assert [line["kind"] for line in job["lines"]] == ["advanced", "earned", "deducted", "paid"]  # by time
    assert (lines["earned"]["amount"]["fen"], lines["advanced"]["amount"]["fen"]) == (22500, 5000)
    assert (lines["deducted"]["amount"]["fen"], lines["paid"]["amount"]["fen"]) == (5000, 17500)
    assert lines["advanced"]["advance_id"] == advance["id"]
    assert (lines["advanced"]["status"], lines["advanced"]["reference"]) == ("paid", "****DV-9")
    totals = statement["totals"]
    assert {k: totals[k]["fen"] for k in ("earned", "paid", "advanced", "deducted")} == {
        "earned": 22500, "paid": 17500, "advanced": 5000, "deducted": 5000,
    }  # fmt: skip
    assert totals["paid"]["fen"] + totals["advanced"]["fen"] - totals["deducted"]["fen"] == 17500

    today = china_today().isoformat()
    sheet = await client.get(f"{API}/payouts/export?from={today}&to={today}", headers=brand.coordinator.auth)
    rows = list(csv.reader(io.StringIO(sheet.content.decode("utf-8-sig"), newline="")))
    assert (rows[0][8], rows[0][13:15]) == ("金额（元）", ["应付（元）", "扣除预付款（元）"])
    [row] = [r for r in rows[1:] if int(r[0]) == work.payout_id]
    assert (row[8], row[13:]) == ("175.00", ["225.00", "50.00", "0.00"])
    assert row[8] == f"{lines['paid']['amount']['fen'] / 100:.2f}"  # the statement's paid line, to the fen


async def test_the_cap_is_the_brands_share_of_the_accepted_pieces_and_counts_what_was_asked(
    client: httpx.AsyncClient,
) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    admin = await support.person(brand.id, Role.ADMIN)
    work = await support.job_in_state(client, brand, artisan, "accepted", quantity=4)
    refused(await client.patch(f"{API}/brand", json={"advance_percent": 51}, headers=admin.auth), 400)
    refused(await client.patch(f"{API}/brand", json={"advance_percent": 40}, headers=brand.coordinator.auth), 403)
    settings = await ok(await client.patch(f"{API}/brand", json={"advance_percent": 50}, headers=admin.auth))
    assert settings["advance_percent"] == 50
    cap = 4 * PRICE // 2

    over = refused(await ask(client, artisan, work.job_id, {"amount_fen": cap + 1}), 422, "invalid")
    assert over["fields"] == {"amount_fen": "over_limit"}
    refused(await ask(client, artisan, work.job_id, {"amount_fen": 0}), 400)
    first = await paid_advance(client, brand, artisan, work.job_id, 3000)
    second = await ok(await ask(client, artisan, work.job_id), 201)  # the default: what remains
    assert (first["amount_fen"], second["amount_fen"]) == (3000, cap - 3000)
    await act(client, brand.coordinator, second["id"], "refuse", {"reason": "订单未确认"})
    again = await ok(await ask(client, artisan, work.job_id), 201)  # a refusal frees its share
    assert again["amount_fen"] == cap - 3000
    await act(client, brand.coordinator, again["id"], "approve")
    await act(client, brand.coordinator, again["id"], "pay", {"method": "cash"})
    nothing = refused(await ask(client, artisan, work.job_id), 422, "invalid")
    assert nothing["fields"] == {"amount_fen": "nothing_left"}


async def test_one_open_request_per_job_even_when_two_arrive_at_once(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    for _ in range(3):
        work = await support.job_in_state(client, brand, artisan, "accepted", quantity=5)
        answers = await asyncio.gather(ask(client, artisan, work.job_id), ask(client, artisan, work.job_id))
        codes = sorted(a.status_code for a in answers)
        assert codes == [201, 409], [a.text for a in answers]
        assert await Advance.count().where(Advance.job == work.job_id) == 1
    refused(await ask(client, artisan, work.job_id), 409, "advance_open")


async def test_a_replay_with_the_same_key_makes_one_request(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    work = await support.job_in_state(client, brand, artisan, "accepted", quantity=5)
    first = await ok(await ask(client, artisan, work.job_id, {"amount_fen": 1000}, **{"Idempotency-Key": "adv-1"}), 201)
    second = await ok(
        await ask(client, artisan, work.job_id, {"amount_fen": 1000}, **{"Idempotency-Key": "adv-1"}), 201
    )
    assert first == second
    assert await Advance.count().where(Advance.job == work.job_id) == 1
    pay = {"method": "wechat", "reference": "W"}
    await act(client, brand.coordinator, first["id"], "approve")
    headers = brand.coordinator.auth | {"Idempotency-Key": "pay-1"}
    once = await ok(await client.post(f"{API}/advances/{first['id']}/pay", json=pay, headers=headers))
    twice = await ok(await client.post(f"{API}/advances/{first['id']}/pay", json=pay, headers=headers))
    assert once == twice
    events = await AuditEvent.count().where(
        (AuditEvent.entity == "advance") & (AuditEvent.entity_id == first["id"]) & (AuditEvent.action == "pay")
    )
    assert events == 1


async def test_the_deduction_never_goes_below_zero_nor_reaches_another_job(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    work = await support.job_in_state(client, brand, artisan, "accepted", quantity=5)
    other = await support.job_in_state(client, brand, artisan, "approved", quantity=5)
    await paid_advance(client, brand, artisan, work.job_id, 6000)
    await steps(client, brand, artisan, work, "submit", "approve")
    body = {"method": "cash", "amount_fen": 2500}  # the brand pays less than the advance by hand
    payout = await ok(
        await client.post(f"{API}/jobs/{work.job_id}/payout", json=body, headers=brand.coordinator.auth), 201
    )
    assert (payout["gross_fen"], payout["advance_fen"], payout["amount_fen"]) == (2500, 2500, 0)
    full = await ok(
        await client.post(f"{API}/jobs/{other.job_id}/payout", json={"method": "cash"}, headers=brand.coordinator.auth),
        201,
    )
    assert (full["advance_fen"], full["amount_fen"]) == (0, 22500)


async def test_no_claw_back_when_the_order_is_cancelled_and_an_open_request_lapses_at_payout(
    client: httpx.AsyncClient,
) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    kept = await support.job_in_state(client, brand, artisan, "accepted", quantity=5)
    advance = await paid_advance(client, brand, artisan, kept.job_id, 4000)
    await ok(await client.post(f"{API}/orders/{kept.order_id}/cancel", headers=brand.coordinator.auth))
    later = await support.job_in_state(client, brand, artisan, "approved", quantity=5)
    payout = await ok(
        await client.post(f"{API}/jobs/{later.job_id}/payout", json={"method": "cash"}, headers=brand.coordinator.auth),
        201,
    )
    assert (payout["advance_fen"], payout["amount_fen"]) == (0, 22500)
    [mine] = (await ok(await client.get(f"{API}/advances", headers=artisan.auth)))["advances"]
    assert (mine["id"], mine["status"], mine["deducted_in"]) == (advance["id"], "paid", None)
    statement = await ok(await client.get(f"{API}/me/statement", headers=artisan.auth))
    assert statement["totals"]["advanced"]["fen"] == 4000
    assert statement["totals"]["deducted"]["fen"] == 0

    open_one = await support.job_in_state(client, brand, artisan, "accepted", quantity=5)
    approved = await ok(await ask(client, artisan, open_one.job_id), 201)
    await act(client, brand.coordinator, approved["id"], "approve")
    await steps(client, brand, artisan, open_one, "submit", "approve", "pay")
    [row] = await Advance.select().where(Advance.id == approved["id"])
    assert (row["status"], row["open_job"]) == ("lapsed", None)
    refused(
        await client.post(
            f"{API}/advances/{approved['id']}/pay", json={"method": "cash"}, headers=brand.coordinator.auth
        ),
        409,
        "invalid_transition",
    )
    refused(await ask(client, artisan, open_one.job_id), 409, "invalid_transition")  # paid: no more advances


async def test_refusal_and_dispute_need_a_reason_and_states_hold(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    work = await support.job_in_state(client, brand, artisan, "accepted", quantity=5)
    asked = await ok(await ask(client, artisan, work.job_id), 201)
    refused(await client.post(f"{API}/advances/{asked['id']}/refuse", json={}, headers=brand.coordinator.auth), 400)
    refused(
        await client.post(f"{API}/advances/{asked['id']}/pay", json={"method": "cash"}, headers=brand.coordinator.auth),
        409,
        "invalid_transition",
    )
    refused(await client.post(f"{API}/advances/{asked['id']}/confirm", headers=artisan.auth), 409, "invalid_transition")
    refused(await client.post(f"{API}/advances/{asked['id']}/approve", headers=artisan.auth), 403, "forbidden")
    no = await act(client, brand.coordinator, asked["id"], "refuse", {"reason": "订单未确认"})
    assert (no["status"], no["reason"]) == ("refused", "订单未确认")
    paid = await paid_advance(client, brand, artisan, work.job_id, 1000)
    disputed = await act(client, artisan, paid["id"], "dispute", {"reason": "没收到"})
    assert (disputed["status"], disputed["reason"]) == ("disputed", "没收到")
    refused(await ask(client, artisan, work.job_id + 10**6), 404, "not_found")
    refused(await client.post(f"{API}/advances/{paid['id'] + 10**6}/approve", headers=brand.coordinator.auth), 404)


async def test_only_her_own_jobs_and_only_the_brands_staff(client: httpx.AsyncClient) -> None:
    brand, other = await support.brand(), await support.brand()
    artisan, stranger = await support.artisan(brand), await support.artisan(brand)
    work = await support.job_in_state(client, brand, artisan, "accepted", quantity=5)
    offered = await support.job_in_state(client, brand, artisan, "offered", quantity=5)
    refused(await ask(client, stranger, work.job_id), 404, "not_found")
    refused(await ask(client, brand.coordinator, work.job_id), 403, "forbidden")
    refused(await ask(client, artisan, offered.job_id), 409, "invalid_transition")
    asked = await ok(await ask(client, artisan, work.job_id), 201)
    refused(
        await client.post(f"{API}/advances/{asked['id']}/approve", headers=other.coordinator.auth), 404, "not_found"
    )
    assert (await ok(await client.get(f"{API}/advances", headers=other.coordinator.auth)))["advances"] == []
    assert (await ok(await client.get(f"{API}/advances", headers=stranger.auth)))["advances"] == []
    await act(client, brand.coordinator, asked["id"], "approve")
    await act(client, brand.coordinator, asked["id"], "pay", {"method": "cash"})
    refused(await client.post(f"{API}/advances/{asked['id']}/confirm", headers=stranger.auth), 404, "not_found")


async def test_an_sms_only_artisan_is_told_of_approval_refusal_and_payment(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand, sms_only=True)
    work = await support.job_in_state(client, brand, artisan, "accepted", quantity=5)
    asked = await ok(await ask(client, artisan, work.job_id, {"amount_fen": 1000}), 201)
    await act(client, brand.coordinator, asked["id"], "refuse", {"reason": "订单未确认"})
    paid = await paid_advance(client, brand, artisan, work.job_id, 2000)
    sent = (
        await OutboxMessage.select(OutboxMessage.kind, OutboxMessage.body)
        .where((OutboxMessage.member == artisan.id) & OutboxMessage.kind.like("advance%"))
        .order_by(OutboxMessage.id)
    )
    assert [m["kind"] for m in sent] == ["advance_refused", "advance_approved", "advance_paid"]
    code = paid["code"]
    assert [m["body"] for m in sent] == [
        f"{code}预支未批准：订单未确认",
        f"{code}预支¥20.00已批准，随后付款。",
        f"{code}：预支¥20.00已付，结算此活工钱时扣除。收到回1，没收到回2。",
    ]


async def test_an_advance_paid_racing_the_jobs_payout_is_either_deducted_or_lapsed(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    outcomes = set()
    for _ in range(4):
        work = await support.job_in_state(client, brand, artisan, "approved", quantity=5)
        advance = await ok(await ask(client, artisan, work.job_id, {"amount_fen": 5000}), 201)
        await act(client, brand.coordinator, advance["id"], "approve")
        pay, payout = await asyncio.gather(
            client.post(f"{API}/advances/{advance['id']}/pay", json={"method": "cash"}, headers=brand.coordinator.auth),
            client.post(f"{API}/jobs/{work.job_id}/payout", json={"method": "cash"}, headers=brand.coordinator.auth),
        )
        recorded = await ok(payout, 201)
        [row] = await Advance.select().where(Advance.id == advance["id"])
        if pay.status_code == 200:  # paid first: the payout deducts it
            assert (recorded["advance_fen"], recorded["amount_fen"], row["deducted_in"]) == (
                5000,
                17500,
                recorded["id"],
            )
        else:  # the payout first: the approved advance lapsed, the job paid in full
            refused(pay, 409, "invalid_transition")
            assert (recorded["advance_fen"], recorded["amount_fen"], row["status"]) == (0, 22500, "lapsed")
        outcomes.add(pay.status_code)
    assert outcomes <= {200, 409}


async def test_hostile_amounts_are_refused_without_a_change(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    work = await support.job_in_state(client, brand, artisan, "accepted", quantity=5)
    for amount in (-1, 0, "many", 1.5, 10**13, True):
        response = await ask(client, artisan, work.job_id, {"amount_fen": amount})
        assert response.status_code == 400, (amount, response.text)
    url = f"{API}/jobs/{work.job_id}/advance"
    refused(await client.post(url, json=[], headers=artisan.auth), 400)
    malformed = artisan.auth | {"Content-Type": "application/json"}
    refused(await client.post(url, content=b'{"amount_fen": ', headers=malformed), 400)
    refused(await ask(client, artisan, work.job_id, {"amount_fen": 10**12}), 422, "invalid")
    refused(await ask(client, artisan, work.job_id, {"amount": 100}), 400)
    assert await Advance.count().where(Advance.job == work.job_id) == 0


async def disputed_advance(client: httpx.AsyncClient, brand: Brand, who: Person, amount: int = 5000) -> Any:
    work = await support.job_in_state(client, brand, who, "accepted", quantity=5)
    paid = await paid_advance(client, brand, who, work.job_id, amount)
    return await act(client, who, paid["id"], "dispute", {"reason": "没收到微信转账"})


async def resolve(
    client: httpx.AsyncClient, who: Person, advance_id: int, body: Any, key: str | None = None
) -> httpx.Response:
    headers = who.auth | ({"Idempotency-Key": key} if key else {})
    return await client.post(f"{API}/advances/{advance_id}/resolve", json=body, headers=headers)


async def resolutions(advance_id: int) -> list[tuple[str, str, str]]:
    events = (
        await AuditEvent.select(AuditEvent.action, AuditEvent.from_status, AuditEvent.to_status)
        .where((AuditEvent.entity == "advance") & (AuditEvent.entity_id == advance_id))
        .where(AuditEvent.action.like("resolve%"))
        .order_by(AuditEvent.id)
    )
    return [(e["action"], e["from_status"], e["to_status"]) for e in events]


async def test_a_disputed_advance_resolved_as_confirmed_is_settled_once_and_shown_in_her_statement(
    client: httpx.AsyncClient,
) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    disputed = await disputed_advance(client, brand, artisan)
    body = {"resolution": "confirmed", "note": "微信转账记录已核对，已到账"}

    first = await ok(await resolve(client, brand.coordinator, disputed["id"], body, key="res-1"))
    replayed = await resolve(client, brand.coordinator, disputed["id"], body, key="res-1")
    assert await ok(replayed) == first
    assert replayed.headers.get("Idempotent-Replayed") == "true"
    assert (first["status"], first["resolution_note"], first["reason"]) == (
        "confirmed", "微信转账记录已核对，已到账", "没收到微信转账",
    )  # fmt: skip
    assert first["confirmed_at"] is not None
    [row] = await Advance.select().where(Advance.id == disputed["id"])
    assert (row["confirmed_via"], row["open_job"]) == ("console", None)
    again = refused(await resolve(client, brand.coordinator, disputed["id"], body), 409, "invalid_transition")
    assert again["message"]
    assert await resolutions(disputed["id"]) == [("resolve_confirmed", "disputed", "confirmed")]

    statement = await ok(await client.get(f"{API}/me/statement", headers=artisan.auth))
    [line] = [line for job in statement["brands"][0]["jobs"] for line in job["lines"] if line["kind"] == "advanced"]
    assert (line["status"], line["dispute_reason"], line["resolution_note"]) == (
        "confirmed", "没收到微信转账", "微信转账记录已核对，已到账",
    )  # fmt: skip
    staff_view = await ok(await client.get(f"{API}/members/{artisan.id}/statement", headers=brand.coordinator.auth))
    [seen] = [line for job in staff_view["brands"][0]["jobs"] for line in job["lines"] if line["kind"] == "advanced"]
    assert seen["resolution_note"] == "微信转账记录已核对，已到账"


async def test_a_disputed_advance_resolved_as_paid_waits_for_her_word_again(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    disputed = await disputed_advance(client, brand, artisan)

    paid_again = await act(
        client, brand.coordinator, disputed["id"], "resolve", {"resolution": "paid", "note": "已重新转账 WX-2"}
    )
    assert (paid_again["status"], paid_again["resolution_note"], paid_again["confirmed_at"]) == (
        "paid", "已重新转账 WX-2", None,
    )  # fmt: skip
    confirmed = await act(client, artisan, disputed["id"], "confirm")
    assert confirmed["status"] == "confirmed"
    assert await resolutions(disputed["id"]) == [("resolve_paid", "disputed", "paid")]
    statement = await ok(await client.get(f"{API}/me/statement", headers=artisan.auth))
    [line] = [line for job in statement["brands"][0]["jobs"] for line in job["lines"] if line["kind"] == "advanced"]
    assert (line["status"], line["resolution_note"]) == ("confirmed", "已重新转账 WX-2")


async def test_resolving_refuses_what_is_not_disputed_not_the_brands_or_not_staff_without_a_change(
    client: httpx.AsyncClient,
) -> None:
    brand, other = await support.brand(), await support.brand()
    artisan = await support.artisan(brand)
    disputed = await disputed_advance(client, brand, artisan)
    work = await support.job_in_state(client, brand, artisan, "accepted", quantity=5)
    asked = await ok(await ask(client, artisan, work.job_id, {"amount_fen": 1000}), 201)
    body = {"resolution": "confirmed", "note": "已核对"}

    refused(await resolve(client, brand.coordinator, asked["id"], body), 409, "invalid_transition")  # requested
    await act(client, brand.coordinator, asked["id"], "approve")
    refused(await resolve(client, brand.coordinator, asked["id"], body), 409, "invalid_transition")
    await act(client, brand.coordinator, asked["id"], "pay", {"method": "cash"})
    refused(await resolve(client, brand.coordinator, asked["id"], body), 409, "invalid_transition")  # paid, undisputed
    refused(await resolve(client, artisan, disputed["id"], body), 403, "forbidden")
    refused(await resolve(client, other.coordinator, disputed["id"], body), 404, "not_found")
    refused(await resolve(client, brand.coordinator, disputed["id"] + 10**6, body), 404, "not_found")
    blank = refused(await resolve(client, brand.coordinator, disputed["id"], {"resolution": "paid", "note": "  "}), 422)
    assert blank["fields"] == {"note": "blank"}
    refused(await resolve(client, brand.coordinator, disputed["id"], {"resolution": "paid"}), 422)
    for hostile in (
        {"resolution": "refunded", "note": "x"},
        {"resolution": "confirmed", "note": "x" * 501},
        {"resolution": None, "note": "x"},
        {"note": "x"},
        {"resolution": "paid", "note": "x", "amount_fen": 1},
        [],
    ):
        refused(await resolve(client, brand.coordinator, disputed["id"], hostile), 400)
    [row] = await Advance.select().where(Advance.id == disputed["id"])
    assert (row["status"], row["resolution_note"]) == ("disputed", "")
    assert await resolutions(disputed["id"]) == []


async def test_two_resolutions_at_once_have_one_effect(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    for first, second in (("confirmed", "paid"), ("paid", "paid"), ("confirmed", "confirmed")):
        disputed = await disputed_advance(client, brand, artisan, 2000)
        answers = await asyncio.gather(
            resolve(client, brand.coordinator, disputed["id"], {"resolution": first, "note": "一"}),
            resolve(client, brand.coordinator, disputed["id"], {"resolution": second, "note": "二"}),
        )
        assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
        [won] = [a.json() for a in answers if a.status_code == 200]
        [row] = await Advance.select().where(Advance.id == disputed["id"])
        assert (row["status"], row["resolution_note"]) == (won["status"], won["resolution_note"])
        assert len(await resolutions(disputed["id"])) == 1
