"""A year of one brand's work for ``bench/bench_console.py``: 28 villages, 1,400 artisans,
about 1,000 orders and 20,000 jobs in every state, with their submissions, payouts and SMS.

Rows are made in Python with a seeded random generator (the same world every run) and
written in batches of 1,000 rows, one transaction each, through the backend's own
``insert_rows``: a year of history cannot go through the API in a bench's time, and its
timestamps (approved on time or late, paid a week later) must be in the past anyway. The
big open order the suggestion is timed on is made and dispatched through the services.
Import this only once ``CUNJIANG_DATABASE_URL`` names the bench's database.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from backend.accounts.service import add_member, create_brand, principal_for
from backend.auth.service import issue_token
from backend.core.china_time import CHINA_TZ, china_today, end_of_day
from backend.core.types import Channel, Role, utcnow
from backend.db.session import insert_rows, run, write_transaction
from backend.jobs.dispatch import dispatch
from backend.jobs.schemas import DispatchRequest, Offer
from backend.orders.schemas import OrderCreate
from backend.orders.service import create_order

VILLAGES = 28
ARTISANS = 1400
ORDERS = 1000
JOBS = 20_000
BATCH = 1000
CRAFTS = {"embroidery": 40, "batik": 25, "weaving": 20, "silverwork": 15}
BIG_ORDER = 3000  # pieces of the open order the suggestion is timed on
BIG_ORDER_OFFERS = 40  # artisans already offered some of it
DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)
# Outcomes of a job by where its order stands (weights).
PAST_DUE = {
    "declined": 8,
    "expired": 7,
    "withdrawn": 2,
    "accepted": 2,
    "submitted": 2,
    "rework": 1,
    "approved": 8,
    "paid": 25,
    "confirmed": 42,
    "disputed": 3,
}
RUNNING = {
    "offered": 20,
    "declined": 5,
    "expired": 3,
    "accepted": 30,
    "submitted": 10,
    "rework": 3,
    "approved": 12,
    "paid": 10,
    "confirmed": 7,
}
TAKEN = {"accepted", "submitted", "rework", "approved", "paid", "confirmed", "disputed"}
HANDED_IN = {"submitted", "rework", "approved", "paid", "confirmed", "disputed"}
FINISHED = {"approved", "paid", "confirmed", "disputed"}
PAID = {"paid", "confirmed", "disputed"}
SMS_OUTCOMES = {"delivered": 80, "sent": 8, "failed": 3, "undelivered": 3, "merged": 5, "suppressed": 1}


@dataclass
class World:
    brand_id: int
    token: str
    big_order_id: int
    villages: list[int]
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class _Order:
    title: str
    craft: str
    created: dt.datetime
    due: dt.date
    cancelled: bool
    jobs: list[dict[str, Any]] = field(default_factory=list)


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


async def _insert(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], returning: str = "") -> list[Any]:
    """Batches of ``BATCH`` rows, one transaction each, with a progress line."""
    started, found = time.perf_counter(), []
    for start in range(0, len(rows), BATCH):
        async with write_transaction():
            found += await insert_rows(table, columns, rows[start : start + BATCH], returning=returning)
        if sys.stdout.isatty():
            print(f"\r    {table}: {min(start + BATCH, len(rows)):,} of {len(rows):,}", end="", flush=True)
    print(f"\r    {table}: {len(rows):,} rows in batches of {BATCH:,} in {time.perf_counter() - started:.1f} s")
    return found


async def _people(
    brand_id: int, rng: random.Random, now: dt.datetime
) -> tuple[list[int], dict[str, list[dict[str, Any]]]]:
    names = [f"村{n:02d}" for n in range(VILLAGES)]
    rows: list[tuple[Any, ...]] = [(brand_id, name, "雷山县", "贵州省", now) for name in names]
    found = await _insert("village", ("brand", "name", "county", "province", "created_at"), rows, "id, name")
    village_ids = [{row["name"]: row["id"] for row in found}[name] for name in names]
    artisans = []
    for n in range(ARTISANS):
        crafts = {_pick(rng, CRAFTS) for _ in range(1 if rng.random() < 0.75 else 2)}
        artisans.append(
            {
                "phone": f"+86137{n:08d}",
                "village": village_ids[n % VILLAGES],
                "crafts": sorted(crafts),
                "sms_only": rng.random() < 0.3,
                "active": rng.random() >= 0.02,
                "reliability": rng.uniform(0.5, 1.0),
            }
        )
    people = [(a["phone"], a["sms_only"], "zh_Hans", now - 400 * DAY) for a in artisans]
    person_ids = {
        row["phone"]: row["id"]
        for row in await _insert("person", ("phone", "sms_only", "locale", "created_at"), people, "id, phone")
    }
    columns = ("brand", "person", "role", "name", "village", "crafts", "active", "created_at")
    rows = [
        (brand_id, person_ids[a["phone"]], "artisan", f"绣娘{n:04d}", a["village"], ",".join(a["crafts"]), a["active"],
         now - 400 * DAY)
        for n, a in enumerate(artisans)
    ]  # fmt: skip
    made = await _insert("member", columns, rows, "id, person")
    ids = {phone: {row["person"]: row["id"] for row in made}[person_id] for phone, person_id in person_ids.items()}
    by_craft: dict[str, list[dict[str, Any]]] = {craft: [] for craft in CRAFTS}
    for artisan in artisans:
        artisan["id"] = ids[artisan["phone"]]
        for craft in artisan["crafts"]:
            by_craft[craft].append(artisan)
    return village_ids, by_craft


def _orders(rng: random.Random, now: dt.datetime) -> list[_Order]:
    orders = []
    for n in range(ORDERS):
        created = now - rng.uniform(0.5, 365) * DAY
        due = created.astimezone(CHINA_TZ).date() + dt.timedelta(days=rng.randint(10, 45))
        craft, cancelled = _pick(rng, CRAFTS), rng.random() < 0.03
        orders.append(_Order(title=f"第{n + 1:04d}批", craft=craft, created=created, due=due, cancelled=cancelled))
    return orders


def _times(rng: random.Random, job: dict[str, Any], order: _Order, now: dt.datetime) -> None:
    """When the job was offered, handed in, approved and paid: all in the past, on time or late."""
    latest = now - 10 * dt.timedelta(minutes=1)
    start = now - rng.uniform(0, 60) * HOUR if job["status"] == "offered" else order.created + rng.uniform(0, 2) * DAY
    job["created"] = min(start, latest)
    accepted = min(start + rng.uniform(1, 48) * HOUR, latest)
    due_end = end_of_day(order.due)
    if job["status"] in FINISHED:
        on_time = due_end > now or rng.random() < job["artisan"]["reliability"]
        if on_time:
            approved = accepted + rng.uniform(0.2, 1.0) * (min(due_end, latest) - accepted)
        else:
            approved = min(due_end + rng.uniform(1, 480) * HOUR, latest)
        job["reviewed"] = approved
        job["submitted"] = max(accepted, approved - rng.uniform(1, 72) * HOUR)
        job["paid"] = min(approved + rng.uniform(1, 240) * HOUR, latest)
        job["confirmed"] = min(job["paid"] + rng.uniform(1, 72) * HOUR, latest)
    elif job["status"] in HANDED_IN:
        job["submitted"] = min(accepted + rng.uniform(1, 10) * DAY, latest)
        job["reviewed"] = min(job["submitted"] + rng.uniform(2, 48) * HOUR, latest)


def _jobs(
    rng: random.Random, orders: list[_Order], by_craft: dict[str, list[dict[str, Any]]], now: dt.datetime
) -> None:
    """``JOBS`` jobs spread over the orders (bigger orders get more), one per artisan and order."""
    today = china_today()
    sizes = [rng.uniform(0.4, 1.6) for _ in orders]
    per_order = [0] * len(orders)
    for index in rng.choices(range(len(orders)), weights=sizes, k=JOBS):
        per_order[index] += 1
    for order, count in zip(orders, per_order, strict=True):
        for artisan in rng.sample(by_craft[order.craft], count):
            status = _pick(rng, PAST_DUE if order.due < today else RUNNING)
            if order.cancelled and status == "offered":
                status = "withdrawn"
            pieces = rng.randint(3, 30)
            job = {"artisan": artisan, "status": status, "offered": pieces}
            job["accepted"] = pieces if status in TAKEN else 0
            job["handed_in"] = pieces if status in HANDED_IN else 0
            job["approved"] = pieces if status in FINISHED else 0
            _times(rng, job, order, now)
            order.jobs.append(job)


async def _write_orders(brand_id: int, coordinator: int, rng: random.Random, orders: list[_Order]) -> None:
    rows = []
    for order in orders:
        accepted = sum(job["accepted"] for job in order.jobs)
        quantity = max(accepted, int(sum(job["offered"] for job in order.jobs) * rng.uniform(0.6, 1.0)), 1)
        status = "cancelled" if order.cancelled else "open"
        price = rng.choice((1500, 2800, 4500, 8000, 12000))
        rows.append(
            (brand_id, order.title, "", order.craft, quantity, price, order.due, "", status, accepted, coordinator,
             order.created)
        )  # fmt: skip
    columns: tuple[str, ...] = ("brand", "title", "description", "craft", "quantity", "unit_price_fen", "due_date")
    columns += ("quality_notes", "status", "quantity_accepted", "created_by", "created_at")
    ids = {row["title"]: row["id"] for row in await _insert("production_order", columns, rows, "id, title")}
    for order, row in zip(orders, rows, strict=True):
        for job in order.jobs:
            job["order_id"], job["price"] = ids[order.title], row[5]


async def _write_jobs(brand_id: int, orders: list[_Order]) -> list[dict[str, Any]]:
    jobs = sorted((job for order in orders for job in order.jobs), key=lambda job: job["created"])
    seq: dict[int, int] = {}
    rows = []
    for job in jobs:
        artisan = job["artisan"]["id"]
        seq[artisan] = seq.get(artisan, 0) + 1
        job["code"] = f"K{seq[artisan]}"
        rows.append(
            (job["order_id"], brand_id, artisan, job["code"], job["status"], job["offered"], job["accepted"],
             job["handed_in"], job["approved"], job["created"] + 72 * HOUR, job["created"], job["created"])
        )  # fmt: skip
    columns: tuple[str, ...] = ("order", "brand", "artisan", "code", "status", "quantity_offered", "quantity_accepted")
    columns += ("quantity_submitted", "quantity_approved", "expires_at", "created_at", "updated_at")
    ids = {(r["artisan"], r["code"]): r["id"] for r in await _insert("job", columns, rows, "id, artisan, code")}
    for job in jobs:
        job["id"] = ids[job["artisan"]["id"], job["code"]]
    await run("UPDATE person SET job_seq = c.n FROM (SELECT m.person, COUNT(*) AS n FROM job j "
              "JOIN member m ON m.id = j.artisan GROUP BY m.person) c WHERE person.id = c.person")  # fmt: skip
    return jobs


async def _write_work(brand_id: int, coordinator: int, jobs: list[dict[str, Any]]) -> None:
    submissions, payouts = [], []
    for job in jobs:
        if job["status"] not in HANDED_IN:
            continue
        status = "approved" if job["status"] in FINISHED else job["status"]
        reviewed = job["reviewed"] if status != "submitted" else None
        submissions.append(
            (job["id"], brand_id, job["handed_in"], "[]", status, "app", coordinator, reviewed, job["submitted"])
        )
        if job["status"] in PAID:
            confirmed = job["confirmed"] if job["status"] == "confirmed" else None
            amount = job["approved"] * job["price"]
            payouts.append(
                (job["id"], brand_id, job["artisan"]["id"], amount, "wechat", f"WX{job['id']}", job["status"],
                 coordinator, job["paid"], confirmed)
            )  # fmt: skip
    columns = ("job", "brand", "quantity", "photo_ids", "status", "channel", "reviewed_by", "reviewed_at", "created_at")
    await _insert("submission", columns, submissions)
    columns = ("job", "brand", "artisan", "amount_fen", "method", "reference", "status", "recorded_by", "created_at")
    await _insert("payout", (*columns, "confirmed_at"), payouts)


async def _write_sms(brand_id: int, rng: random.Random, jobs: list[dict[str, Any]], now: dt.datetime) -> None:
    """An offer SMS for every job of an SMS-only artisan, and a question for every payout."""
    rows = []
    for job in jobs:
        artisan = job["artisan"]
        if not artisan["sms_only"]:
            continue
        moments = [("offer", job["created"])] + ([("payout", job["paid"])] if job["status"] in PAID else [])
        for kind, at in moments:
            held = now - at < 8 * HOUR and rng.random() < 0.3
            status = "pending" if held else _pick(rng, SMS_OUTCOMES)
            handed = status in ("sent", "delivered", "undelivered")
            sent = at + rng.uniform(1, 30) * dt.timedelta(seconds=1) if handed else None
            due, reason = (now + 8 * HOUR, "quiet_hours") if held else (at, "")
            segments = 2 if rng.random() < 0.1 else 1
            rows.append(
                (brand_id, artisan["id"], artisan["phone"], f"{kind} {job['code']}", kind, status, due, at, sent,
                 reason, segments)
            )  # fmt: skip
    columns = ("brand", "member", "to_phone", "body", "kind", "status", "next_attempt_at", "created_at", "sent_at")
    await _insert("outbox_message", (*columns, "held_reason", "segments"), rows)


async def _big_order(coordinator_id: int, by_craft: dict[str, list[dict[str, Any]]]) -> int:
    """An open order of ``BIG_ORDER`` pieces, already offered to a few artisans, through the services."""
    coordinator = await principal_for(coordinator_id, Channel.CONSOLE)
    order = await create_order(
        coordinator,
        OrderCreate(title="苗绣围巾 大单", craft="embroidery", quantity=BIG_ORDER, unit_price_fen=4500,
                    due_date=china_today() + dt.timedelta(days=30)),
    )  # fmt: skip
    chosen = [a["id"] for a in by_craft["embroidery"] if a["active"]][:BIG_ORDER_OFFERS]
    await dispatch(coordinator, order.id, DispatchRequest(offers=[Offer(artisan_id=a, quantity=5) for a in chosen]))
    return order.id


async def generate(seed: int = 17) -> World:
    """The brand and its year; returns what the bench needs to call the API."""
    rng, now = random.Random(seed), utcnow()
    brand_id = await create_brand("console-bench", "村匠 Console Bench")
    coordinator = await add_member(brand_id, role=Role.COORDINATOR, phone="+8613600000000", name="协调员")
    village_ids, by_craft = await _people(brand_id, rng, now)
    orders = _orders(rng, now)
    _jobs(rng, orders, by_craft, now)
    await _write_orders(brand_id, coordinator.id, rng, orders)
    jobs = await _write_jobs(brand_id, orders)
    await _write_work(brand_id, coordinator.id, jobs)
    await _write_sms(brand_id, rng, jobs, now)
    big = await _big_order(coordinator.id, by_craft)
    counts = {status: sum(1 for job in jobs if job["status"] == status) for status in {*PAST_DUE, *RUNNING}}
    return World(brand_id, await issue_token(coordinator.id), big, village_ids, counts)
