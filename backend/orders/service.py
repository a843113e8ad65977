"""Orders: creation, progress, dispatch of offers, cancellation and withdrawal."""

from __future__ import annotations

import datetime as dt
from typing import Any

from piccolo.custom_types import Combinable

from backend.accounts.tables import Brand, Member
from backend.audit import record_event
from backend.core.access import STAFF, require_role
from backend.core.errors import Invalid, NotFound, OrderClosed
from backend.core.i18n import N_
from backend.core.text import filled
from backend.core.types import Principal, Role, china_today, end_of_day, utcnow
from backend.db.session import write_transaction
from backend.jobs.machine import Status, next_change_seq, transition
from backend.jobs.queries import load_jobs
from backend.orders.messages import notify_offer
from backend.orders.schemas import DispatchRequest, JobRead, Offer, OrderCreate, OrderRead, Progress
from backend.orders.tables import Job, Order

PAGE = 50
UNSEEN_AFTER = dt.timedelta(hours=24)
MAX_LEAD = dt.timedelta(days=3 * 366)

PROGRESS_SQL = """
SELECT "order" AS order_id,
  COALESCE(SUM(CASE WHEN status IN ('submitted','approved','paid','confirmed','disputed')
                    THEN quantity_submitted ELSE 0 END), 0) AS submitted,
  COALESCE(SUM(CASE WHEN status IN ('approved','paid','confirmed','disputed')
                    THEN quantity_approved ELSE 0 END), 0) AS approved,
  COALESCE(SUM(CASE WHEN status IN ('paid','confirmed','disputed') THEN quantity_approved ELSE 0 END), 0) AS paid,
  COALESCE(SUM(CASE WHEN status = 'offered' THEN quantity_offered ELSE 0 END), 0) AS offered_open
FROM job WHERE "order" IN ({ids}) GROUP BY "order"
"""


async def _progress(orders: list[dict[str, Any]]) -> dict[int, Progress]:
    if not orders:
        return {}
    ids = [row["id"] for row in orders]
    rows = await Job.raw(PROGRESS_SQL.replace("{ids}", ", ".join("{}" for _ in ids)), *ids)
    sums = {row["order_id"]: row for row in rows}
    empty = {"submitted": 0, "approved": 0, "paid": 0, "offered_open": 0}
    return {
        row["id"]: Progress(
            quantity=row["quantity"],
            accepted=row["quantity_accepted"],
            **{k: int(v) for k, v in sums.get(row["id"], empty).items() if k != "order_id"},
        )
        for row in orders
    }


def _order_read(row: dict[str, Any], progress: Progress | None) -> OrderRead:
    return OrderRead(
        id=row["id"],
        title=row["title"],
        description=row["description"],
        craft=row["craft"],
        quantity=row["quantity"],
        unit_price_fen=row["unit_price_fen"],
        due_date=row["due_date"],
        quality_notes=row["quality_notes"],
        status=row["status"],
        created_at=row["created_at"],
        progress=progress,
    )


async def _brand_order(actor: Principal, order_id: int) -> dict[str, Any]:
    row = await Order.select().where((Order.id == order_id) & (Order.brand == actor.brand_id)).first()
    if row is None:
        raise NotFound()
    return row


async def create_order(actor: Principal, data: OrderCreate) -> OrderRead:
    require_role(actor, *STAFF)
    if data.due_date < china_today():
        raise Invalid(N_("The due date is in the past."), fields={"due_date": "past"})
    if data.due_date > china_today() + MAX_LEAD:
        raise Invalid(N_("The due date is more than three years away."), fields={"due_date": "too_far"})
    async with write_transaction():
        order = Order(
            brand=actor.brand_id,
            title=filled(data.title, "title"),
            description=data.description,
            craft=data.craft.value,
            quantity=data.quantity,
            unit_price_fen=data.unit_price_fen,
            due_date=data.due_date,
            quality_notes=data.quality_notes,
            created_by=actor.member_id,
        )
        await order.save()
        await record_event(
            actor,
            brand_id=actor.brand_id,
            entity="order",
            entity_id=order.id,
            action="create",
            to_status="open",
            quantity=data.quantity,
            unit_price_fen=data.unit_price_fen,
        )
    return await get_order(actor, order.id)


async def get_order(actor: Principal, order_id: int) -> OrderRead:
    require_role(actor, *STAFF)
    row = await _brand_order(actor, order_id)
    return _order_read(row, (await _progress([row]))[row["id"]])


async def list_orders(actor: Principal, status: str | None, cursor: int | None) -> tuple[list[OrderRead], str | None]:
    """The brand's orders, newest first, ``PAGE`` at a time; the cursor is the last id seen."""
    require_role(actor, *STAFF)
    where: Combinable = Order.brand == actor.brand_id
    if status:
        where &= Order.status == status
    if cursor:
        where &= Order.id < cursor
    rows = await Order.select().where(where).order_by(Order.id, ascending=False).limit(PAGE + 1)
    page = rows[:PAGE]
    progress = await _progress(page)
    next_cursor = str(page[-1]["id"]) if len(rows) > PAGE else None
    return [_order_read(row, progress[row["id"]]) for row in page], next_cursor


async def order_jobs(actor: Principal, order_id: int) -> list[JobRead]:
    require_role(actor, *STAFF)
    await _brand_order(actor, order_id)
    return await load_jobs('WHERE j."order" = {} ORDER BY j.id', order_id)


def _check_offers(order: dict[str, Any], data: DispatchRequest) -> None:
    artisan_ids = [offer.artisan_id for offer in data.offers]
    if len(set(artisan_ids)) != len(artisan_ids):
        raise Invalid(N_("Each artisan can be offered work once per dispatch."), fields={"offers": "duplicate_artisan"})
    if any(offer.quantity > order["quantity"] for offer in data.offers):
        raise Invalid(N_("An offer cannot be larger than the order."), fields={"offers": "quantity_above_order"})


async def _offer_targets(actor: Principal, order_id: int, artisan_ids: list[int]) -> dict[int, dict[str, Any]]:
    artisans = await Member.select(
        Member.id, Member.phone, Member.locale, Member.sms_only, Member.last_seen_at, Member.crafts
    ).where(
        Member.id.is_in(artisan_ids)
        & (Member.brand == actor.brand_id)
        & (Member.role == Role.ARTISAN.value)
        & (Member.active == True)  # noqa: E712
    )
    found = {row["id"]: row for row in artisans}
    if len(found) != len(artisan_ids):
        raise Invalid(N_("Some of these artisans do not exist or are inactive."), fields={"offers": "unknown_artisan"})
    pending = await Job.exists().where(
        (Job.order == order_id) & Job.artisan.is_in(artisan_ids) & (Job.status == Status.OFFERED.value)
    )
    if pending:
        raise Invalid(
            N_("Some of these artisans already have an open offer for this order."),
            fields={"offers": "already_offered"},
        )
    return found


def _needs_sms(artisan: dict[str, Any], now: dt.datetime) -> bool:
    """SMS-only artisans always; app users when they have not opened the app lately."""
    seen = artisan["last_seen_at"]
    return bool(artisan["sms_only"]) or seen is None or seen < now - UNSEEN_AFTER


async def _offer_expiry(brand_id: int, due_date: dt.date, now: dt.datetime) -> dt.datetime:
    """The brand's offer window, or the end of the due day when that comes first."""
    window = await Brand.select(Brand.offer_window_hours).where(Brand.id == brand_id).output(as_list=True)
    return min(now + dt.timedelta(hours=window[0]), end_of_day(due_date))


async def _offer_job(actor: Principal, order: dict[str, Any], offer: Offer, expires_at: dt.datetime) -> Job:
    """One job with the artisan's next short code (K1, K2…), audited."""
    seq = (
        await Member.update({Member.job_seq: Member.job_seq + 1})
        .where(Member.id == offer.artisan_id)
        .returning(Member.job_seq)
    )
    job = Job(
        order=order["id"],
        brand=actor.brand_id,
        artisan=offer.artisan_id,
        code=f"K{seq[0]['job_seq']}",
        quantity_offered=offer.quantity,
        expires_at=expires_at,
        change_seq=await next_change_seq(),
    )
    await job.save()
    await record_event(
        actor,
        brand_id=actor.brand_id,
        entity="job",
        entity_id=job.id,
        action="offer",
        to_status="offered",
        quantity=offer.quantity,
    )
    return job


async def dispatch(actor: Principal, order_id: int, data: DispatchRequest) -> list[JobRead]:
    """Offer work to artisans: one job per offer, each told in the app or by SMS."""
    require_role(actor, *STAFF)
    now = utcnow()
    async with write_transaction():
        order = await _brand_order(actor, order_id)
        if order["status"] != "open" or order["due_date"] < china_today():
            raise OrderClosed()
        _check_offers(order, data)
        artisans = await _offer_targets(actor, order_id, [offer.artisan_id for offer in data.offers])
        expires_at = await _offer_expiry(actor.brand_id, order["due_date"], now)
        job_ids = []
        for offer in data.offers:
            job = await _offer_job(actor, order, offer, expires_at)
            job_ids.append(job.id)
            artisan = artisans[offer.artisan_id]
            if _needs_sms(artisan, now):
                await notify_offer(artisan, job.code, order, offer.quantity)
        placeholders = ", ".join("{}" for _ in job_ids)
        return await load_jobs(f"WHERE j.id IN ({placeholders}) ORDER BY j.id", *job_ids)


async def withdraw_job(actor: Principal, job_id: int) -> JobRead:
    """Take back an offer nobody has accepted yet."""
    require_role(actor, *STAFF)
    async with write_transaction():
        if not await Job.exists().where((Job.id == job_id) & (Job.brand == actor.brand_id)):
            raise NotFound()
        await transition(job_id, "withdraw", actor)
        return (await load_jobs("WHERE j.id = {}", job_id))[0]


async def cancel_order(actor: Principal, order_id: int) -> OrderRead:
    """Close an order and withdraw its open offers; accepted work carries on."""
    require_role(actor, *STAFF)
    async with write_transaction():
        order = await _brand_order(actor, order_id)
        if order["status"] != "open":
            raise OrderClosed()
        await Order.update({Order.status: "cancelled"}).where(Order.id == order_id)
        await record_event(
            actor,
            brand_id=actor.brand_id,
            entity="order",
            entity_id=order_id,
            action="cancel",
            from_status="open",
            to_status="cancelled",
        )
        offered = await Job.select(Job.id).where((Job.order == order_id) & (Job.status == Status.OFFERED.value))
        for job in offered:
            await transition(job["id"], "withdraw", actor, reason="order_cancelled")
    return await get_order(actor, order_id)
