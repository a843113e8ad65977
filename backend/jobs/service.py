"""What artisans do with offers, the job feed, and the expiry of unanswered offers."""

from __future__ import annotations

from typing import Any

import msgspec

from backend.core.access import acting_in, require_membership
from backend.core.errors import Invalid, InvalidTransition, NotFound, OfferExpired, OrderClosed, OrderFull
from backend.core.i18n import N_
from backend.core.types import Principal, Role, as_datetime, utcnow
from backend.db.counters import JOB_CHANGES, read_version
from backend.db.session import run, write_transaction
from backend.jobs.machine import Action, Count, Status, transition
from backend.jobs.queries import feed, job_read, job_row
from backend.jobs.schemas import JobRead
from backend.jobs.tables import Job
from backend.orders.schemas import OrderStatus
from backend.orders.tables import Order

FEED_LIMIT = 200


TAKE_FROM_ORDER = """
UPDATE production_order SET quantity_accepted = quantity_accepted + {}
WHERE id = {} AND status = {} AND quantity_accepted + {} <= quantity RETURNING id
"""


async def own_job(actor: Principal, job_id: int) -> tuple[Principal, dict[str, Any]]:
    """The job (a row of ``JOB_SELECT``) if the caller may act on it as its artisan, and the
    caller as her membership of the job's brand; otherwise the job does not exist."""
    require_membership(actor, Role.ARTISAN)
    job = await job_row(actor, job_id, Role.ARTISAN)
    if job is None:
        raise NotFound()
    return acting_in(actor, job["brand_id"]), job


async def list_changed_jobs(actor: Principal, since: int) -> tuple[list[JobRead], int]:
    """Her own jobs in every brand, and those of the villages she leads, changed after the
    cursor, and the new cursor."""
    require_membership(actor, Role.ARTISAN, Role.LEADER)
    return await feed(actor, since, FEED_LIMIT)


async def feed_version() -> int | None:
    """Changes whenever any job changes: cached job lists are valid while it holds (None: no cache)."""
    return await read_version(JOB_CHANGES)


async def _take_from_order(order_id: int, quantity: int) -> None:
    """Reserve pieces of an order in one conditional update: never above its total."""
    rows = await run(TAKE_FROM_ORDER, quantity, order_id, OrderStatus.OPEN.value, quantity)
    if rows:
        return
    order = (
        await Order.select(Order.status, Order.quantity, Order.quantity_accepted).where(Order.id == order_id).first()
    )
    if order is None or order["status"] != OrderStatus.OPEN:
        raise OrderClosed()
    raise OrderFull(quantity=quantity, remaining=order["quantity"] - order["quantity_accepted"])


async def accept_job(actor: Principal, job_id: int, quantity: int | None = None) -> JobRead:
    """Accept an offer, all of it or part; refused when expired or the order is full.

    The order row is locked before the job's, as everywhere (see ``backend.jobs.dispatch``):
    many artisans race for the pieces of one order, and take their turns on its row.
    """
    async with write_transaction():
        actor, job = await own_job(actor, job_id)
        wanted = quantity or job["quantity_offered"]
        if wanted > job["quantity_offered"]:
            raise Invalid(
                N_("You can accept at most {offered} pieces."),
                fields={"quantity": "above_offer"},
                offered=job["quantity_offered"],
            )
        if job["status"] == Status.OFFERED and as_datetime(job["expires_at"]) <= utcnow():
            raise OfferExpired()
        if job["status"] != Status.OFFERED:
            raise InvalidTransition(status=job["status"])
        await _take_from_order(job["order_id"], wanted)
        await transition(
            job_id, Action.ACCEPT, actor, counts={Count.ACCEPTED: wanted}, current=Status.OFFERED, quantity=wanted
        )
        return msgspec.structs.replace(job_read(job), status=Status.ACCEPTED, quantity_accepted=wanted)


async def decline_job(actor: Principal, job_id: int, reason: str = "") -> JobRead:
    async with write_transaction():
        actor, job = await own_job(actor, job_id)
        await transition(job_id, Action.DECLINE, actor, current=Status(job["status"]), reason=reason)
        return msgspec.structs.replace(job_read(job), status=Status.DECLINED)


async def expire_due_offers() -> int:
    """Expire offers past their time (the worker runs this); returns how many."""
    now = utcnow()
    due = await Job.select(Job.id).where((Job.status == Status.OFFERED.value) & (Job.expires_at <= now))
    expired = 0
    for job in due:
        async with write_transaction():
            try:
                await transition(job["id"], Action.EXPIRE, None)
            except InvalidTransition:
                continue  # answered or withdrawn meanwhile
        expired += 1
    return expired
