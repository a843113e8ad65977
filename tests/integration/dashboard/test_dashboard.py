"""The dashboard's numbers, checked against small data sets built by hand: orders by stage,
villages month by month in China time, SMS day by day, voice calls month by month; and only
the caller's brand."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx

from backend.core.china_time import china_today, month_start, start_of_day
from backend.core.types import Role, utcnow
from backend.db.session import run
from backend.gateways import ConsoleCaller
from backend.jobs.tables import Submission
from backend.orders.tables import Order
from backend.outbox.schemas import MessageStatus
from backend.outbox.tables import OutboxMessage
from backend.payouts.tables import Payout
from backend.voice import reports
from backend.voice.dispatch import call_due
from tests import support
from tests.support import Brand, Person, Work, job_in_state, ok, refused

API = "/api/v1"
BOARDS = ("/dashboard/orders", "/dashboard/villages", "/dashboard/sms", "/dashboard/calls")
RATE = 4500  # support.order_body's piece rate, in fen
THIS_MONTH = start_of_day(month_start(china_today()))  # 00:00 on the 1st, China time
# Both moments fall on the same UTC day, the last of the previous month: only China time
# tells them apart.
EARLY_THIS_MONTH = THIS_MONTH + dt.timedelta(minutes=30)
LATE_LAST_MONTH = THIS_MONTH - dt.timedelta(minutes=30)


def _month(back: int) -> str:
    return month_start(china_today(), back).strftime("%Y-%m")


async def _get(client: httpx.AsyncClient, b: Brand, path: str, **params: Any) -> Any:
    return await ok(await client.get(f"{API}{path}", params=params, headers=b.coordinator.auth))


async def _approved_at(work: Work, moment: dt.datetime) -> None:
    await Submission.update({Submission.reviewed_at: moment}).where(Submission.id == work.submission_id)


async def _paid_at(work: Work, moment: dt.datetime) -> None:
    await Payout.update({Payout.created_at: moment}).where(Payout.id == work.payout_id)


async def _due(work: Work, day: dt.date) -> None:
    await Order.update({Order.due_date: day}).where(Order.id == work.order_id)


async def _artisan(b: Brand, village: int) -> Person:
    return await support.person(b.id, Role.ARTISAN, village_id=b.villages[village], crafts=["embroidery"])


# ---------------------------------------------------------------------------------------------
# Orders


async def test_orders_show_their_pieces_at_every_stage_and_whether_they_are_late(client: httpx.AsyncClient) -> None:
    b = await support.brand()
    a1, a2, a3 = await _artisan(b, 0), await _artisan(b, 0), await _artisan(b, 0)
    busy = (await support.open_order(client, b, title="进行中", quantity=20))["id"]
    await job_in_state(client, b, a1, "paid", order_id=busy, quantity=5)
    await job_in_state(client, b, a2, "offered", order_id=busy, quantity=4)
    await job_in_state(client, b, a3, "accepted", order_id=busy, quantity=3)
    behind = await job_in_state(client, b, a1, "approved", quantity=5)  # an order of 20 of its own
    await _due(behind, china_today() - dt.timedelta(days=1))
    cancelled = (await support.open_order(client, b, title="取消", quantity=10))["id"]
    await ok(await client.post(f"{API}/orders/{cancelled}/cancel", headers=b.coordinator.auth))

    open_orders = (await _get(client, b, "/dashboard/orders"))["orders"]
    closed = (await _get(client, b, "/dashboard/orders", status="cancelled"))["orders"]

    assert [order["id"] for order in open_orders] == [behind.order_id, busy]  # newest first
    bars = {order["id"]: {k: v for k, v in order.items() if k not in ("title", "due_date")} for order in open_orders}
    assert bars[busy] == {
        "id": busy,
        "status": "open",
        "quantity": 20,
        "offered_open": 4,
        "accepted": 8,
        "submitted": 5,
        "approved": 5,
        "paid": 5,
        "late": False,
    }
    assert (bars[behind.order_id]["approved"], bars[behind.order_id]["late"]) == (5, True)
    assert [(order["id"], order["title"], order["late"]) for order in closed] == [(cancelled, "取消", False)]


async def test_an_order_approved_in_full_is_not_late_after_its_due_date(client: httpx.AsyncClient) -> None:
    b = await support.brand()
    artisan = await _artisan(b, 0)
    order = (await support.open_order(client, b, quantity=5))["id"]
    work = await job_in_state(client, b, artisan, "approved", order_id=order, quantity=5)
    await _due(work, china_today() - dt.timedelta(days=3))

    [bar] = (await _get(client, b, "/dashboard/orders"))["orders"]

    assert (bar["approved"], bar["late"]) == (5, False)


# ---------------------------------------------------------------------------------------------
# Villages


async def _village_history(client: httpx.AsyncClient, b: Brand) -> None:
    """Village 0: one job on time early this month (paid then), one late at the end of last
    month, one overdue since last month, one five months ago. Village 1: one on time two
    months ago, paid late last month; work in progress that counts nowhere."""
    a1, a2 = await _artisan(b, 0), await _artisan(b, 1)
    on_time = await job_in_state(client, b, a1, "paid", quantity=5)
    await _approved_at(on_time, EARLY_THIS_MONTH)
    await _paid_at(on_time, EARLY_THIS_MONTH + dt.timedelta(minutes=10))
    late = await job_in_state(client, b, a1, "approved", quantity=5)
    await _approved_at(late, LATE_LAST_MONTH)
    await _due(late, month_start(china_today(), 1))
    overdue = await job_in_state(client, b, a1, "accepted", quantity=5)
    await _due(overdue, month_start(china_today(), 1) + dt.timedelta(days=1))
    old = await job_in_state(client, b, a1, "approved", quantity=7)
    await _approved_at(old, start_of_day(month_start(china_today(), 5)) + dt.timedelta(days=3))
    early = await job_in_state(client, b, a2, "paid", quantity=3)
    await _approved_at(early, start_of_day(month_start(china_today(), 2)) + dt.timedelta(days=9, hours=12))
    await _paid_at(early, LATE_LAST_MONTH)
    await job_in_state(client, b, a2, "submitted", quantity=2)
    await job_in_state(client, b, a2, "offered", quantity=2)


def _row(rate: float | None, finished: int, overdue: int, pieces: int, earnings: int) -> dict[str, Any]:
    return {
        "on_time_rate": rate,
        "jobs_finished": finished,
        "jobs_overdue": overdue,
        "pieces_approved": pieces,
        "earnings_fen": earnings,
    }


async def test_villages_month_by_month_in_china_time(client: httpx.AsyncClient) -> None:
    b = await support.brand(villages=2)
    await _village_history(client, b)

    board = await _get(client, b, "/dashboard/villages", months=3)

    assert board["months"] == [_month(2), _month(1), _month(0)]
    by_village = {series["village_id"]: {m.pop("month"): m for m in series["months"]} for series in board["villages"]}
    v0, v1 = b.villages
    assert [series["village"] for series in board["villages"]] == ["村0", "村1"]
    assert by_village[v0] == {
        _month(2): _row(None, 0, 0, 0, 0),
        _month(1): _row(0.0, 1, 1, 5, 0),
        _month(0): _row(1.0, 1, 0, 5, 5 * RATE),
    }
    assert by_village[v1] == {
        _month(2): _row(1.0, 1, 0, 3, 0),
        _month(1): _row(None, 0, 0, 0, 3 * RATE),
        _month(0): _row(None, 0, 0, 0, 0),
    }


async def test_villages_cover_the_months_asked_for(client: httpx.AsyncClient) -> None:
    b = await support.brand(villages=2)
    await _village_history(client, b)
    long_overdue = await job_in_state(client, b, await _artisan(b, 0), "accepted", quantity=5)
    await _due(long_overdue, month_start(china_today(), 7) + dt.timedelta(days=4))

    six = await _get(client, b, "/dashboard/villages", months=6)
    one = await _get(client, b, "/dashboard/villages")  # six by default
    year = await _get(client, b, "/dashboard/villages", months=12)
    this_month = await _get(client, b, "/dashboard/villages", months=1)

    assert six == one
    first = six["villages"][0]["months"][0]
    assert (first["month"], first["jobs_finished"], first["pieces_approved"]) == (_month(5), 1, 7)
    overdue = {m["month"]: m["jobs_overdue"] for m in year["villages"][0]["months"] if m["jobs_overdue"]}
    assert overdue == {_month(7): 1, _month(1): 1}
    assert sum(m["jobs_overdue"] for m in six["villages"][0]["months"]) == 1  # due before the six months
    assert this_month["months"] == [_month(0)]
    assert [len(series["months"]) for series in this_month["villages"]] == [1, 1]


# ---------------------------------------------------------------------------------------------
# SMS


async def _message(b: Brand, status: str, at: dt.datetime, *, sent: bool = True, **extra: Any) -> None:
    """A message queued (and, ``sent``, handed to the provider) at ``at``."""
    values = {"next_attempt_at": at, "sent_at": at if sent else None} | extra
    row = OutboxMessage(brand=b.id, to_phone=support.new_phone(), body="test", kind="test", status=status, **values)
    row.created_at = at
    await row.save()


async def test_sms_day_by_day_by_status_with_their_cost(client: httpx.AsyncClient) -> None:
    b, other = await support.brand(), await support.brand()
    today = start_of_day(china_today())
    await _message(b, "sent", today + dt.timedelta(minutes=30), segments=2)  # the UTC date is yesterday's
    await _message(b, "delivered", today - dt.timedelta(minutes=30))
    await _message(b, "undelivered", today + dt.timedelta(hours=3), segments=3)
    await _message(b, "failed", today + dt.timedelta(hours=1), sent=False)
    await _message(b, "merged", today + dt.timedelta(hours=2), sent=False)
    held_until = utcnow() + dt.timedelta(hours=8)
    await _message(b, "pending", utcnow(), sent=False, held_reason="quiet_hours", next_attempt_at=held_until)
    await _message(b, "sent", today - dt.timedelta(days=40))
    await _message(other, "sent", today + dt.timedelta(minutes=30))

    days = (await _get(client, b, "/dashboard/sms", days=2))["days"]
    usage = await _get(client, b, "/sms/usage", months=1)

    nothing = dict.fromkeys((status.value for status in MessageStatus), 0)
    assert days == [
        {
            "day": (china_today() - dt.timedelta(days=1)).isoformat(),
            "messages": 1,
            "segments": 1,
            "by_status": nothing | {"delivered": 1},
        },
        {
            "day": china_today().isoformat(),
            "messages": 2,
            "segments": 5,
            "by_status": nothing | {"sent": 1, "undelivered": 1, "failed": 1, "merged": 1, "held": 1},
        },
    ]
    this_month = [day for day in days if day["day"].startswith(_month(0))]
    assert usage["months"] == [
        {
            "month": _month(0),
            "messages": sum(day["messages"] for day in this_month),
            "segments": sum(day["segments"] for day in this_month),
        }
    ]
    assert len((await _get(client, b, "/dashboard/sms"))["days"]) == 30


# ---------------------------------------------------------------------------------------------
# Brands and roles


async def _called(
    client: httpx.AsyncClient,
    b: Brand,
    moment: dt.datetime,
    keys: str = "",
    cost_fen: int = 0,
    *,
    estimated: bool = False,
) -> None:
    """An offer to a villager who takes calls, followed by a call placed at ``moment`` (keys
    pressed in it, if any, through the answers path; its cost as the provider reported it, or
    as we estimated it)."""
    villager = await support.artisan(b, sms_only=True, takes_calls=True)
    await job_in_state(client, b, villager, "offered", quantity=2)
    await call_due(ConsoleCaller(), now=utcnow() + dt.timedelta(hours=5), limit=1000)
    [call] = await run("SELECT id, provider_call_id FROM voice_call WHERE to_phone = {}", villager.phone)
    await run(
        "UPDATE voice_call SET called_at = {}, cost_fen = {}, cost_estimated = {} WHERE id = {}",
        moment,
        cost_fen,
        estimated,
        call["id"],
    )
    if keys:
        kind = reports.ReportKind.KEYS
        report = reports.Report(provider="console", call_id=call["provider_call_id"], kind=kind, keys=keys)
        stored = await reports.receive(report)
        assert stored is not None
        await reports.apply(stored)


async def test_calls_month_by_month_placed_answered_keys_and_cost(client: httpx.AsyncClient) -> None:
    b, other = await support.brand(), await support.brand()
    await _called(client, b, EARLY_THIS_MONTH, keys="1", cost_fen=12)
    await _called(client, b, EARLY_THIS_MONTH, keys="56", cost_fen=9)  # keys outside the menu: no answer
    await _called(client, b, EARLY_THIS_MONTH)  # not answered
    await _called(client, b, EARLY_THIS_MONTH, keys="2", cost_fen=20, estimated=True)  # the provider said no cost
    await _called(client, b, LATE_LAST_MONTH, keys="2", cost_fen=7)
    await _called(client, other, EARLY_THIS_MONTH, keys="1", cost_fen=100, estimated=True)

    months = (await _get(client, b, "/dashboard/calls", months=3))["months"]

    nothing = {"calls": 0, "answered": 0, "keys_pressed": 0, "cost_fen": 0, "cost_estimated_fen": 0}
    assert months == [
        {"month": _month(2)} | nothing,
        {"month": _month(1), "calls": 1, "answered": 1, "keys_pressed": 1, "cost_fen": 7, "cost_estimated_fen": 0},
        {"month": _month(0), "calls": 4, "answered": 2, "keys_pressed": 3, "cost_fen": 41, "cost_estimated_fen": 20},
    ]


async def test_each_brand_sees_only_its_own_numbers(client: httpx.AsyncClient) -> None:
    ours, theirs = await support.brand(villages=2), await support.brand(villages=2)
    await _village_history(client, ours)
    before = [await _get(client, ours, path) for path in BOARDS]
    await _village_history(client, theirs)
    await support.open_order(client, theirs)

    after = [await _get(client, ours, path) for path in BOARDS]

    assert after == before
    assert {s["village_id"] for s in after[1]["villages"]} == set(ours.villages)


async def test_only_staff_see_the_dashboard(client: httpx.AsyncClient) -> None:
    b = await support.brand()
    artisan = await _artisan(b, 0)
    leader = await support.person(b.id, Role.LEADER, village_id=b.villages[0])
    admin = await support.person(b.id, Role.ADMIN)
    for path in BOARDS:
        assert (await client.get(f"{API}{path}", headers=admin.auth)).status_code == 200
        refused(await client.get(f"{API}{path}", headers=artisan.auth), 403, "forbidden")
        refused(await client.get(f"{API}{path}", headers=leader.auth), 403, "forbidden")
        refused(await client.get(f"{API}{path}"), 401, "unauthorized")


async def test_bad_parameters_are_refused_with_400(client: httpx.AsyncClient) -> None:
    b = await support.brand()
    for query in (
        "/dashboard/orders?status=late",
        "/dashboard/villages?months=0",
        "/dashboard/villages?months=37",
        "/dashboard/villages?months=six",
        "/dashboard/sms?days=0",
        "/dashboard/sms?days=367",
        "/dashboard/sms?days=99999999999999999999",
        "/dashboard/calls?months=0",
        "/dashboard/calls?months=x",
    ):
        refused(await client.get(f"{API}{query}", headers=b.coordinator.auth), 400, "invalid_request")
