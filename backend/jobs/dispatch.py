"""Offering an order's work to artisans, and taking an offer back.

Locks are taken in one global order everywhere, so that PostgreSQL never deadlocks: people
(sorted ids), then the order, then jobs (sorted ids), then their submissions and payouts,
and the job feed counter last, in the statement before commit. A dispatch to thousands of artisans
writes its jobs, audit rows and SMS in a few multi-row statements.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from backend.accounts.queries import CONTACT
from backend.accounts.tables import Brand, Member
from backend.audit import Event, record_events
from backend.core.access import STAFF, require_role
from backend.core.china_time import end_of_day
from backend.core.errors import Invalid, NotFound, OrderClosed
from backend.core.i18n import N_
from backend.core.types import Principal, Role, utcnow
from backend.db.session import insert_rows, is_sqlite, run, write_transaction
from backend.jobs.machine import Action, Status, note_changed, transition
from backend.jobs.messages import needs_sms, offer_question
from backend.jobs.queries import load_jobs
from backend.jobs.schemas import DispatchRequest, JobRead, Offer
from backend.jobs.tables import Job
from backend.orders.service import brand_order, is_open
from backend.outbox.questions import ask

JOB_COLUMNS = ("order", "brand", "artisan", "code", "quantity_offered", "expires_at", "created_at", "updated_at")
ID_BATCH = 1000  # ids per IN (…) list

# The people offered work, locked in id order: two brands' dispatches to the same person take
# turns, and her code series (one across her brands) moves one step at a time.
LOCK_PEOPLE = (
    "SELECT id FROM person WHERE id IN (SELECT person FROM member WHERE id IN ({ids})) ORDER BY id FOR NO KEY UPDATE"
)
# A dispatch, an edit and a cancellation of the same order take turns: no offers on a
# cancelled order, none made from what an edit is changing. (Accepts of the order wait the
# few milliseconds until the dispatch commits.)
LOCK_ORDER = "SELECT * FROM production_order WHERE id = {} FOR SHARE"
NEXT_CODES = "UPDATE person SET job_seq = job_seq + 1 WHERE id IN ({ids}) RETURNING id, job_seq"


def _in_batches(ids: list[int]) -> list[list[int]]:
    return [ids[start : start + ID_BATCH] for start in range(0, len(ids), ID_BATCH)]


async def _run_for_ids(sql: str, ids: list[int]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for batch in _in_batches(ids):
        rows.extend(await run(sql.replace("{ids}", ", ".join("{}" for _ in batch)), *batch))
    return rows


def _check_offers(order: dict[str, Any], offers: list[Offer]) -> None:
    artisan_ids = [offer.artisan_id for offer in offers]
    if len(set(artisan_ids)) != len(artisan_ids):
        raise Invalid(N_("Each artisan can be offered work once per dispatch."), fields={"offers": "duplicate_artisan"})
    if any(offer.quantity > order["quantity"] for offer in offers):
        raise Invalid(N_("An offer cannot be larger than the order."), fields={"offers": "quantity_above_order"})


async def _offer_targets(actor: Principal, order_id: int, artisan_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The artisans, locked in id order so that a concurrent dispatch to them waits its turn."""
    if not is_sqlite():  # SQLite has one writer at a time already
        await _run_for_ids(LOCK_PEOPLE, artisan_ids)
    found: dict[int, dict[str, Any]] = {}
    for batch in _in_batches(artisan_ids):
        rows = await Member.select(*CONTACT, Member.person).where(
            Member.id.is_in(batch)
            & (Member.brand == actor.brand_id)
            & (Member.role == Role.ARTISAN.value)
            & (Member.active == True)  # noqa: E712
            & (Member.village.active == True)  # noqa: E712 - a deactivated village gets no new work
        )
        found |= {row["id"]: row for row in rows}
    if len(found) != len(artisan_ids):
        raise Invalid(N_("Some of these artisans do not exist or are inactive."), fields={"offers": "unknown_artisan"})
    for batch in _in_batches(artisan_ids):
        if await Job.exists().where(
            (Job.order == order_id) & Job.artisan.is_in(batch) & (Job.status == Status.OFFERED.value)
        ):
            raise Invalid(
                N_("Some of these artisans already have an open offer for this order."),
                fields={"offers": "already_offered"},
            )
    return found


async def _next_codes(artisans: dict[int, dict[str, Any]]) -> dict[int, str]:
    """Each artisan's next short job code (K1, K2…): one series per person, across her brands."""
    rows = await _run_for_ids(NEXT_CODES, sorted({row["person"] for row in artisans.values()}))
    codes = {row["id"]: f"K{row['job_seq']}" for row in rows}
    return {member_id: codes[row["person"]] for member_id, row in artisans.items()}


async def _offer_expiry(brand_id: int, due_date: dt.date, now: dt.datetime) -> dt.datetime:
    """The brand's offer window, or the end of the due day when that comes first."""
    window = await Brand.select(Brand.offer_window_hours).where(Brand.id == brand_id).output(as_list=True)
    return min(now + dt.timedelta(hours=window[0]), end_of_day(due_date))


async def _create_jobs(
    actor: Principal, order: dict[str, Any], offers: list[Offer], codes: dict[int, str], expires_at: dt.datetime
) -> list[int]:
    now = utcnow()
    rows = [
        (order["id"], actor.brand_id, o.artisan_id, codes[o.artisan_id], o.quantity, expires_at, now, now)
        for o in offers
    ]
    # Neither engine promises RETURNING in VALUES order: match the jobs by artisan.
    created = {
        row["artisan"]: row["id"] for row in await insert_rows("job", JOB_COLUMNS, rows, returning="id, artisan")
    }
    job_ids = [created[o.artisan_id] for o in offers]
    note_changed(job_ids)  # placed in the feed when the dispatch commits
    return job_ids


async def dispatch(actor: Principal, order_id: int, data: DispatchRequest) -> list[JobRead]:
    """Offer work to artisans: one job per offer, each told in the app or by SMS."""
    now = utcnow()
    artisan_ids = sorted(offer.artisan_id for offer in data.offers)
    async with write_transaction():
        order = await brand_order(actor, order_id)
        if not is_open(order):
            raise OrderClosed()
        artisans = await _offer_targets(actor, order_id, artisan_ids)
        if not is_sqlite():  # the order as it is now: cancelled or edited while this waited?
            order = (await run(LOCK_ORDER, order_id))[0]
            if not is_open(order):
                raise OrderClosed()
        _check_offers(order, data.offers)
        codes = await _next_codes(artisans)
        expires_at = await _offer_expiry(actor.brand_id, order["due_date"], now)
        job_ids = await _create_jobs(actor, order, data.offers, codes, expires_at)
        await record_events(
            actor,
            actor.brand_id,
            [
                Event(
                    entity="job", entity_id=job_id, action="offer", to_status="offered", detail={"quantity": o.quantity}
                )
                for job_id, o in zip(job_ids, data.offers, strict=True)
            ],
        )
        await ask(
            [
                offer_question(artisans[o.artisan_id], job_id, codes[o.artisan_id], order, o.quantity)
                for job_id, o in zip(job_ids, data.offers, strict=True)
                if needs_sms(artisans[o.artisan_id], now)
            ]
        )
        return await jobs_by_id(job_ids)


async def jobs_by_id(job_ids: list[int]) -> list[JobRead]:
    """Jobs in id order, read inside the current transaction."""
    jobs: list[JobRead] = []
    for batch in _in_batches(sorted(job_ids)):
        marks = ", ".join("{}" for _ in batch)
        jobs.extend(await load_jobs(f"WHERE j.id IN ({marks}) ORDER BY j.id", *batch))
    return jobs


async def order_jobs(actor: Principal, order_id: int) -> list[JobRead]:
    """The order's jobs, for the brand's staff."""
    await brand_order(actor, order_id)
    return await load_jobs('WHERE j."order" = {} ORDER BY j.id', order_id)


async def withdraw_job(actor: Principal, job_id: int) -> JobRead:
    """Take back an offer nobody has accepted yet."""
    require_role(actor, *STAFF)
    async with write_transaction():
        if not await Job.exists().where((Job.id == job_id) & (Job.brand == actor.brand_id)):
            raise NotFound()
        await transition(job_id, Action.WITHDRAW, actor)
        return (await load_jobs("WHERE j.id = {}", job_id))[0]
