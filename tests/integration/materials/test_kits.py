"""Material kits (发料): handed out by staff, confirmed or reported short by her (app, SMS), a
shortage decided by a coordinator with a reason: adjusted (nothing deducted) or deducted from
that job's payout only; never deducted without a decision; exactly once under races and replays."""

from __future__ import annotations

import asyncio
import csv
import io
from typing import Any

import httpx

from backend.audit.tables import AuditEvent
from backend.core.china_time import china_today
from backend.core.types import Role
from backend.materials.tables import Kit, KitDecision
from backend.outbox.tables import OutboxMessage
from tests import support
from tests.support import Brand, Person, Work, ok, refused

API = "/api/v1"
LINES = [
    {"material": "丝线", "quantity": 2.5, "unit": "把", "lot": "A12"},
    {"material": "靛蓝", "quantity": "300", "unit": "克", "lot": "D-2026-11"},
]


async def hand_out(
    client: httpx.AsyncClient, brand: Brand, job_id: int, lines: Any = None, **headers: str
) -> httpx.Response:
    body = {"lines": LINES if lines is None else lines}
    return await client.post(f"{API}/jobs/{job_id}/kits", json=body, headers=brand.coordinator.auth | headers)


async def kit_act(client: httpx.AsyncClient, who: Person, kit_id: int, action: str, body: Any = None, **headers: str):
    return await client.post(f"{API}/kits/{kit_id}/{action}", json=body, headers=who.auth | headers)


async def short_kit(client: httpx.AsyncClient, brand: Brand, artisan: Person, work: Work) -> dict[str, Any]:
    kit = await ok(await hand_out(client, brand, work.job_id), 201)
    return await ok(await kit_act(client, artisan, kit["id"], "short", {"note": "靛蓝少了100克"}))


async def test_a_kit_is_handed_out_received_and_shown_per_order_and_village(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    work = await support.job_in_state(client, brand, artisan, "accepted", quantity=5)

    kit = await ok(await hand_out(client, brand, work.job_id), 201)
    assert kit["status"] == "handed_out"
    assert [(line["material"], line["quantity"], line["unit"], line["lot"]) for line in kit["lines"]] == [
        ("丝线", "2.5", "把", "A12"),
        ("靛蓝", "300", "克", "D-2026-11"),
    ]
    mine = await ok(await client.get(f"{API}/me/kits", headers=artisan.auth))
    assert [k["id"] for k in mine["kits"]] == [kit["id"]]
    out = await ok(await client.get(f"{API}/kits?village_id={brand.villages[0]}", headers=brand.coordinator.auth))
    assert {(o["material"], o["handed_out"], o["outstanding"]) for o in out["out"]} == {
        ("丝线", "2.5", "2.5"),
        ("靛蓝", "300", "300"),
    }

    received = await ok(await kit_act(client, artisan, kit["id"], "receive"))
    assert (received["status"], received["confirmed_via"]) == ("received", "app")
    of_order = await ok(await client.get(f"{API}/orders/{work.order_id}/kits", headers=brand.coordinator.auth))
    assert [(k["id"], k["status"]) for k in of_order["kits"]] == [(kit["id"], "received")]
    out = await ok(await client.get(f"{API}/kits", headers=brand.coordinator.auth))
    assert {(o["material"], o["handed_out"], o["outstanding"]) for o in out["out"]} == {
        ("丝线", "2.5", "0"),
        ("靛蓝", "300", "0"),
    }
    events = await AuditEvent.select(AuditEvent.action, AuditEvent.channel).where(
        (AuditEvent.entity == "kit") & (AuditEvent.entity_id == kit["id"])
    )
    assert [e["action"] for e in events] == ["hand_out", "receive"]


async def test_a_second_kit_later_and_the_lots_stay_with_the_submission(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    work = await support.job_in_state(client, brand, artisan, "accepted", quantity=5)
    await ok(await hand_out(client, brand, work.job_id), 201)
    await ok(
        await hand_out(client, brand, work.job_id, [{"material": "银片", "quantity": 1, "unit": "张", "lot": "S7"}]),
        201,
    )
    photo_id = await support.upload_photo(client, artisan)
    body = {"quantity": 5, "photo_ids": [photo_id]}
    url = f"{API}/jobs/{work.job_id}/submissions"
    submitted = await ok(await client.post(url, json=body, headers=artisan.auth), 201)
    lots = sorted((lot["material"], lot["lot"]) for lot in submitted["lots"])
    assert lots == [("丝线", "A12"), ("银片", "S7"), ("靛蓝", "D-2026-11")]
    queue = await ok(await client.get(f"{API}/submissions", headers=brand.coordinator.auth))
    [item] = [s for s in queue["submissions"] if s["job_id"] == work.job_id]
    assert item["lots"] == submitted["lots"]


async def test_a_shortage_is_never_deducted_without_a_decision(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    work = await support.job_in_state(client, brand, artisan, "accepted", quantity=5)
    kit = await short_kit(client, brand, artisan, work)
    assert (kit["status"], kit["note"], kit["decision"]) == ("short", "靛蓝少了100克", None)
    await support._take_step(client, brand, artisan, work, "submit", 5)
    await support._take_step(client, brand, artisan, work, "approve", 5)
    due = {
        d["job_id"]: d
        for d in (await ok(await client.get(f"{API}/payouts/due", headers=brand.coordinator.auth)))["due"]
    }
    assert (due[work.job_id]["kit_fen"], due[work.job_id]["amount_fen"]) == (0, 22500)
    payout = await ok(
        await client.post(f"{API}/jobs/{work.job_id}/payout", json={"method": "cash"}, headers=brand.coordinator.auth),
        201,
    )
    assert (payout["kit_fen"], payout["amount_fen"]) == (0, 22500)
    # Decided after the payout: it cannot reach that payout any more, nor another job's.
    body = {"decision": "deduct", "reason": "丢失", "amount_fen": 100}
    refused(await kit_act(client, brand.coordinator, kit["id"], "decide", body), 409, "invalid_transition")
    assert await KitDecision.count().where(KitDecision.kit == kit["id"]) == 0
    assert (await Kit.select(Kit.status).where(Kit.id == kit["id"]).first())["status"] == "short"


async def test_adjust_records_what_she_got_and_deducts_nothing(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    work = await support.job_in_state(client, brand, artisan, "accepted", quantity=5)
    kit = await short_kit(client, brand, artisan, work)
    indigo = kit["lines"][1]["id"]
    body = {
        "decision": "adjust",
        "reason": "运输丢失，品牌承担",
        "received_lines": [{"line_id": indigo, "quantity": 200}],
    }
    decided = await ok(await kit_act(client, brand.coordinator, kit["id"], "decide", body))
    assert decided["status"] == "adjusted"
    assert (decided["decision"]["decision"], decided["decision"]["amount_fen"]) == ("adjust", 0)
    assert decided["decision"]["reason"] == "运输丢失，品牌承担"
    assert [line["received"] for line in decided["lines"]] == [None, "200"]
    await support._take_step(client, brand, artisan, work, "submit", 5)
    await support._take_step(client, brand, artisan, work, "approve", 5)
    payout = await ok(
        await client.post(f"{API}/jobs/{work.job_id}/payout", json={"method": "cash"}, headers=brand.coordinator.auth),
        201,
    )
    assert (payout["kit_fen"], payout["amount_fen"]) == (0, 22500)
    [event] = await AuditEvent.select(AuditEvent.detail).where(
        (AuditEvent.entity == "kit") & (AuditEvent.entity_id == kit["id"]) & (AuditEvent.action == "adjust")
    )
    assert "运输丢失" in str(event["detail"])


async def test_deduct_comes_off_that_jobs_payout_only_and_statement_due_and_export_agree(
    client: httpx.AsyncClient,
) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    work = await support.job_in_state(client, brand, artisan, "accepted", quantity=5)
    other = await support.job_in_state(client, brand, artisan, "approved", quantity=5)
    kit = await short_kit(client, brand, artisan, work)
    body = {"decision": "deduct", "reason": "多领未还", "amount_fen": 1234}
    decided = await ok(await kit_act(client, brand.coordinator, kit["id"], "decide", body))
    assert (decided["status"], decided["decision"]["amount_fen"]) == ("deducted", 1234)
    await support._take_step(client, brand, artisan, work, "submit", 5)
    await support._take_step(client, brand, artisan, work, "approve", 5)

    due = {
        d["job_id"]: d
        for d in (await ok(await client.get(f"{API}/payouts/due", headers=brand.coordinator.auth)))["due"]
    }
    assert (due[work.job_id]["kit_fen"], due[work.job_id]["amount_fen"]) == (1234, 22500 - 1234)
    assert (due[other.job_id]["kit_fen"], due[other.job_id]["amount_fen"]) == (0, 22500)
    payout = await ok(
        await client.post(f"{API}/jobs/{work.job_id}/payout", json={"method": "cash"}, headers=brand.coordinator.auth),
        201,
    )
    untouched = await ok(
        await client.post(f"{API}/jobs/{other.job_id}/payout", json={"method": "cash"}, headers=brand.coordinator.auth),
        201,
    )
    assert (payout["gross_fen"], payout["kit_fen"], payout["amount_fen"]) == (22500, 1234, 21266)
    assert (untouched["kit_fen"], untouched["amount_fen"]) == (0, 22500)
    [row] = await KitDecision.select().where(KitDecision.kit == kit["id"])
    assert row["deducted_in"] == payout["id"]

    statement = await ok(await client.get(f"{API}/me/statement", headers=artisan.auth))
    job = next(j for j in statement["brands"][0]["jobs"] if j["job_id"] == work.job_id)
    lines = {line["kind"]: line for line in job["lines"]}
    assert [line["kind"] for line in job["lines"]] == ["earned", "kit", "paid"]
    assert (lines["kit"]["amount"]["fen"], lines["paid"]["amount"]["fen"]) == (1234, 21266)
    assert statement["totals"]["kit"]["fen"] == 1234

    today = china_today().isoformat()
    sheet = await client.get(f"{API}/payouts/export?from={today}&to={today}", headers=brand.coordinator.auth)
    rows = list(csv.reader(io.StringIO(sheet.content.decode("utf-8-sig"), newline="")))
    assert rows[0][15] == "扣材料款（元）"
    [csv_row] = [r for r in rows[1:] if int(r[0]) == payout["id"]]
    assert (csv_row[8], csv_row[13], csv_row[15]) == ("212.66", "225.00", "12.34")


async def test_a_decision_needs_a_reason_and_a_deduction_at_most_the_jobs_gross(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    work = await support.job_in_state(client, brand, artisan, "accepted", quantity=5)
    kit = await short_kit(client, brand, artisan, work)
    coordinator = brand.coordinator
    refused(await kit_act(client, coordinator, kit["id"], "decide", {"decision": "adjust"}), 400)
    refused(await kit_act(client, coordinator, kit["id"], "decide", {"decision": "adjust", "reason": "  "}), 422)
    body = {"decision": "deduct", "reason": "x"}
    assert refused(await kit_act(client, coordinator, kit["id"], "decide", body), 422)["fields"] == {
        "amount_fen": "required"
    }
    over = refused(await kit_act(client, coordinator, kit["id"], "decide", body | {"amount_fen": 22501}), 422)
    assert over["message"] == "这个任务最多可扣 ¥225.00。"
    body = {"decision": "adjust", "reason": "x", "received_lines": [{"line_id": kit["lines"][0]["id"], "quantity": 3}]}
    refused(await kit_act(client, coordinator, kit["id"], "decide", body), 422)
    body = {"decision": "adjust", "reason": "x", "received_lines": [{"line_id": 10**6, "quantity": 1}]}
    refused(await kit_act(client, coordinator, kit["id"], "decide", body), 422)
    assert (await Kit.select(Kit.status).where(Kit.id == kit["id"]).first())["status"] == "short"
    assert await KitDecision.count().where(KitDecision.kit == kit["id"]) == 0
    refused(await kit_act(client, artisan, kit["id"], "decide", {"decision": "adjust", "reason": "x"}), 403)


async def test_two_answers_at_once_have_one_effect_and_the_second_is_told(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    work = await support.job_in_state(client, brand, artisan, "accepted", quantity=5)
    kit = await ok(await hand_out(client, brand, work.job_id), 201)
    answers = await asyncio.gather(
        kit_act(client, artisan, kit["id"], "receive"), kit_act(client, artisan, kit["id"], "short", {"note": "x"})
    )
    assert sorted(a.status_code for a in answers) == [200, 409]
    refused(next(a for a in answers if a.status_code == 409), 409, "kit_settled")
    events = await AuditEvent.count().where((AuditEvent.entity == "kit") & (AuditEvent.entity_id == kit["id"]))
    assert events == 2  # handed out, then one answer

    shortage = await short_kit(client, brand, artisan, work)
    adjust = {"decision": "adjust", "reason": "品牌承担"}
    deduct = {"decision": "deduct", "reason": "扣", "amount_fen": 500}
    decisions = await asyncio.gather(
        kit_act(client, brand.coordinator, shortage["id"], "decide", adjust),
        kit_act(client, brand.coordinator, shortage["id"], "decide", deduct),
    )
    assert sorted(d.status_code for d in decisions) == [200, 409]
    assert await KitDecision.count().where(KitDecision.kit == shortage["id"]) == 1


async def test_a_replay_with_the_same_key_has_one_effect(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    work = await support.job_in_state(client, brand, artisan, "accepted", quantity=5)
    first = await ok(await hand_out(client, brand, work.job_id, **{"Idempotency-Key": "kit-1"}), 201)
    again = await ok(await hand_out(client, brand, work.job_id, **{"Idempotency-Key": "kit-1"}), 201)
    assert first == again
    assert await Kit.count().where(Kit.job == work.job_id) == 1
    key = {"Idempotency-Key": "receive-1"}
    received = await ok(await kit_act(client, artisan, first["id"], "receive", **key))
    assert await ok(await kit_act(client, artisan, first["id"], "receive", **key)) == received
    refused(await kit_act(client, artisan, first["id"], "receive"), 409, "kit_settled")


async def test_only_the_brands_staff_and_her_own_kits(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    other_brand = await support.brand()
    artisan = await support.artisan(brand)
    neighbour = await support.artisan(brand)
    work = await support.job_in_state(client, brand, artisan, "accepted", quantity=5)
    offered = await support.job_in_state(client, brand, artisan, "offered", quantity=5)
    kit = await ok(await hand_out(client, brand, work.job_id), 201)
    refused(await hand_out(client, other_brand, work.job_id), 404, "not_found")
    refused(await hand_out(client, brand, offered.job_id), 409, "invalid_transition")
    refused(await client.post(f"{API}/jobs/{work.job_id}/kits", json={"lines": LINES}, headers=artisan.auth), 403)
    refused(await kit_act(client, neighbour, kit["id"], "receive"), 404, "not_found")
    refused(await kit_act(client, brand.coordinator, kit["id"], "receive"), 403)
    body = {"decision": "adjust", "reason": "x"}
    refused(await kit_act(client, other_brand.coordinator, kit["id"], "decide", body), 404, "not_found")
    assert (await ok(await client.get(f"{API}/orders/{work.order_id}/kits", headers=other_brand.coordinator.auth)))[
        "kits"
    ] == []
    assert (await ok(await client.get(f"{API}/kits", headers=other_brand.coordinator.auth)))["out"] == []
    assert (await ok(await client.get(f"{API}/me/kits", headers=neighbour.auth)))["kits"] == []
    refused(await client.get(f"{API}/kits", headers=artisan.auth), 403)


async def test_hostile_lines_are_refused_in_her_language_without_a_change(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    work = await support.job_in_state(client, brand, artisan, "accepted", quantity=5)
    line = LINES[0]
    cases = {
        "empty": ([], "lines"),
        "zero": ([line | {"quantity": 0}], "lines[0].quantity"),
        "negative": ([line | {"quantity": -1}], "lines[0].quantity"),
        "four decimals": ([line | {"quantity": "1.0005"}], "lines[0].quantity"),
        "nan": ([line | {"quantity": "NaN"}], "lines[0].quantity"),
        "huge": ([line | {"quantity": "1e400"}], "lines[0].quantity"),
        "long material": ([line | {"material": "丝" * 61}], "lines[0].material"),
        "blank unit": ([line | {"unit": "  "}], "lines[0].unit"),
        "long lot": ([line | {"lot": "A" * 61}], "lines[0].lot"),
        "too many": ([line] * 21, "lines"),
    }
    for name, (lines, field) in cases.items():
        body = refused(await hand_out(client, brand, work.job_id, lines), 422, "invalid")
        assert field in body["fields"], (name, body)
    in_english = await support.person(brand.id, Role.COORDINATOR, locale="en")
    english = await client.post(
        f"{API}/jobs/{work.job_id}/kits", json={"lines": [line | {"quantity": 0}]}, headers=in_english.auth
    )
    assert refused(english, 422)["message"] == "Write a quantity above 0, with at most three decimals, e.g. 2.5."
    chinese = refused(await hand_out(client, brand, work.job_id, [line | {"quantity": 0}]), 422)
    assert chinese["message"] == "请填写大于0的数量，最多三位小数，例如 2.5。"
    refused(await hand_out(client, brand, work.job_id, [line | {"material": "a\x00b"}]), 400)
    refused(await hand_out(client, brand, work.job_id, [line | {"extra": 1}]), 400)
    assert await Kit.count().where(Kit.job == work.job_id) == 0


async def test_an_sms_only_artisan_is_asked_in_one_segment(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand, sms_only=True)
    work = await support.job_in_state(client, brand, artisan, "accepted", quantity=5)
    await ok(await hand_out(client, brand, work.job_id), 201)
    [sent] = await OutboxMessage.select(OutboxMessage.kind, OutboxMessage.body).where(
        (OutboxMessage.member == artisan.id) & (OutboxMessage.kind == "kit")
    )
    code = (await ok(await client.get(f"{API}/me/kits", headers=artisan.auth)))["kits"][0]["code"]
    assert sent["body"] == f"发料{code}：丝线 2.5把(A12)+1。收到回1，缺料回2"
    assert len(sent["body"]) <= 70


async def test_a_deduction_racing_the_jobs_payout_is_either_taken_by_it_or_refused(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    outcomes = set()
    for _ in range(3):
        work = await support.job_in_state(client, brand, artisan, "accepted", quantity=5)
        kit = await short_kit(client, brand, artisan, work)
        for step in ("submit", "approve"):
            await support._take_step(client, brand, artisan, work, step, 5)
        body = {"decision": "deduct", "reason": "扣", "amount_fen": 700}
        decide, payout = await asyncio.gather(
            kit_act(client, brand.coordinator, kit["id"], "decide", body),
            client.post(f"{API}/jobs/{work.job_id}/payout", json={"method": "cash"}, headers=brand.coordinator.auth),
        )
        recorded = await ok(payout, 201)
        if decide.status_code == 200:  # decided first: the payout takes it
            [row] = await KitDecision.select().where(KitDecision.kit == kit["id"])
            assert (recorded["kit_fen"], recorded["amount_fen"], row["deducted_in"]) == (700, 21800, recorded["id"])
        else:  # paid first: nothing deducted, the shortage still waits for a decision
            refused(decide, 409, "invalid_transition")
            assert (recorded["kit_fen"], recorded["amount_fen"]) == (0, 22500)
            assert await KitDecision.count().where(KitDecision.kit == kit["id"]) == 0
        outcomes.add(decide.status_code)
    assert outcomes <= {200, 409}
