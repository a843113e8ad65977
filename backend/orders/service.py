"""Orders and their lifecycle: created, read and listed with their progress, edited until
their first offer, cancelled. The work on an order lives in ``backend.jobs``, which orders
never import: what they need of it comes in as an :class:`OrderWork`."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Protocol

import msgspec
from piccolo.custom_types import Combinable

from backend.audit import record_event
from backend.core.access import STAFF, require_role
from backend.core.china_time import china_today
from backend.core.errors import Invalid, NotFound, OrderClosed, OrderDispatched
from backend.core.i18n import N_
from backend.core.text import filled
from backend.core.types import Principal
from backend.crafts import require_crafts
from backend.db.session import is_sqlite, run, write_transaction
from backend.orders.rates import hourly_rate_fen, hours_of, tenths_of
from backend.orders.schemas import OrderCreate, OrderRead, OrderStatus, OrderUpdate, Progress
from backend.orders.tables import Order
from backend.photos.tables import Photo

PAGE = 50
MAX_LEAD = dt.timedelta(days=3 * 366)
# An edit and a dispatch of the same order take turns (a dispatch locks it FOR SHARE).
LOCK_TO_EDIT = "SELECT id FROM production_order WHERE id = {} FOR UPDATE"


class OrderWork(Protocol):
    """What orders need of the work done on them; ``backend.jobs.order_work`` provides it."""

    async def progress_of(self, orders: list[dict[str, Any]]) -> dict[int, Progress]: ...

    async def has_offers(self, order_id: int) -> bool: ...

    async def withdraw_open_offers(self, actor: Principal, order_id: int) -> None: ...

    async def approve_reported_work(self, actor: Principal, order_id: int) -> None: ...


def order_read(row: dict[str, Any], progress: Progress) -> OrderRead:
    return OrderRead(
        id=row["id"],
        title=row["title"],
        description=row["description"],
        craft=row["craft"],
        quantity=row["quantity"],
        unit_price_fen=row["unit_price_fen"],
        hours_per_piece=hours_of(row["hours_tenths"]),
        hourly_rate_fen=hourly_rate_fen(row["unit_price_fen"], row["hours_tenths"]),
        due_date=row["due_date"],
        quality_notes=row["quality_notes"],
        photo_ids=json.loads(row["photo_ids"]),
        status=OrderStatus(row["status"]),
        created_at=row["created_at"],
        progress=progress,
    )


async def brand_order(actor: Principal, order_id: int) -> dict[str, Any]:
    """The order, for the brand's staff; for anyone else it does not exist."""
    require_role(actor, *STAFF)
    row = await Order.select().where((Order.id == order_id) & (Order.brand == actor.brand_id)).first()
    if row is None:
        raise NotFound()
    return row


def is_open(order: dict[str, Any]) -> bool:
    """Whether an order still takes offers and acceptances."""
    return bool(order["status"] == OrderStatus.OPEN and order["due_date"] >= china_today())


def _check_due_date(due_date: dt.date) -> None:
    if due_date < china_today():
        raise Invalid(N_("The due date is in the past."), fields={"due_date": "past"})
    if due_date > china_today() + MAX_LEAD:
        raise Invalid(N_("The due date is more than three years away."), fields={"due_date": "too_far"})


async def _check_reference_photos(actor: Principal, photo_ids: list[int]) -> str:
    """The photos as stored on the order; each must be one of the brand's own."""
    if photo_ids:
        found = await Photo.count().where(Photo.id.is_in(photo_ids) & (Photo.brand == actor.brand_id))
        if found != len(set(photo_ids)):
            raise Invalid(N_("Some of these photos do not exist."), fields={"photo_ids": "unknown_photo"})
    return json.dumps(list(dict.fromkeys(photo_ids)))


async def create_order(actor: Principal, data: OrderCreate) -> OrderRead:
    """A new open order of the brand, with its reference photos."""
    require_role(actor, *STAFF)
    _check_due_date(data.due_date)
    hours_tenths = tenths_of(data.hours_per_piece)
    async with write_transaction():
        await require_crafts(actor.brand_id, [data.craft], field="craft")
        photo_ids = await _check_reference_photos(actor, data.photo_ids)
        rows = await Order.insert(
            Order(
                brand=actor.brand_id,
                title=filled(data.title, "title"),
                description=data.description,
                craft=data.craft,
                quantity=data.quantity,
                unit_price_fen=data.unit_price_fen,
                hours_tenths=hours_tenths,
                due_date=data.due_date,
                quality_notes=data.quality_notes,
                photo_ids=photo_ids,
                created_by=actor.member_id,
            )
        ).returning(*Order.all_columns())
        order = rows[0]
        await record_event(
            actor,
            brand_id=actor.brand_id,
            entity="order",
            entity_id=order["id"],
            action="create",
            to_status=OrderStatus.OPEN.value,
            quantity=data.quantity,
            unit_price_fen=data.unit_price_fen,
            hours_tenths=hours_tenths,
        )
    nothing_yet = Progress(quantity=data.quantity, accepted=0, submitted=0, approved=0, paid=0, offered_open=0)
    return order_read(order, nothing_yet)


async def _order_changes(actor: Principal, data: OrderUpdate) -> dict[Any, Any]:
    """The columns an edit changes, checked and in their stored form (only what it names)."""
    changes = {name: value for name, value in msgspec.structs.asdict(data).items() if value is not msgspec.UNSET}
    if "due_date" in changes:
        _check_due_date(changes["due_date"])
    if "craft" in changes:
        await require_crafts(actor.brand_id, [changes["craft"]], field="craft")
    if "title" in changes:
        changes["title"] = filled(changes["title"], "title")
    if "photo_ids" in changes:
        changes["photo_ids"] = await _check_reference_photos(actor, changes["photo_ids"])
    if "hours_per_piece" in changes:
        changes["hours_tenths"] = tenths_of(changes.pop("hours_per_piece"))
    return {getattr(Order, name): value for name, value in changes.items()}


async def get_order(actor: Principal, order_id: int, work: OrderWork) -> OrderRead:
    """One of the brand's orders with its progress."""
    row = await brand_order(actor, order_id)
    return order_read(row, (await work.progress_of([row]))[row["id"]])


async def list_orders(
    actor: Principal, status: OrderStatus | None, cursor: int | None, work: OrderWork
) -> tuple[list[OrderRead], str | None]:
    """A page of the brand's orders, newest first, each with its progress; the cursor is the
    last id seen."""
    require_role(actor, *STAFF)
    where: Combinable = Order.brand == actor.brand_id
    if status:
        where &= Order.status == status.value
    if cursor:
        where &= Order.id < cursor
    rows = await Order.select().where(where).order_by(Order.id, ascending=False).limit(PAGE + 1)
    page = rows[:PAGE]
    progress = await work.progress_of(page)
    return [order_read(row, progress[row["id"]]) for row in page], (str(page[-1]["id"]) if len(rows) > PAGE else None)


async def edit_order(actor: Principal, order_id: int, data: OrderUpdate, work: OrderWork) -> OrderRead:
    """Change an order until its first offer goes out; afterwards artisans rely on it as it was."""
    async with write_transaction():
        await brand_order(actor, order_id)
        if not is_sqlite():
            await run(LOCK_TO_EDIT, order_id)  # a dispatch under way finishes first
        order = await brand_order(actor, order_id)
        if order["status"] != OrderStatus.OPEN:
            raise OrderClosed()
        if await work.has_offers(order_id):
            raise OrderDispatched()
        values = await _order_changes(actor, data)
        if values:
            await Order.update(values).where(Order.id == order_id)
            await record_event(
                actor,
                brand_id=actor.brand_id,
                entity="order",
                entity_id=order_id,
                action="edit",
                changed=sorted(column._meta.name for column in values),
            )
    return await get_order(actor, order_id, work)


async def cancel_order(actor: Principal, order_id: int, work: OrderWork) -> OrderRead:
    """Close an order: its open offers are withdrawn, the pieces reported done and not yet
    reviewed are approved for payment, and other accepted work carries on."""
    async with write_transaction():
        order = await brand_order(actor, order_id)
        if order["status"] != OrderStatus.OPEN:
            raise OrderClosed()
        # The order row first (an accept takes it first too), then its jobs in id order. The
        # update is conditional: of two cancels racing, the second finds it closed.
        closed = (
            await Order.update({Order.status: OrderStatus.CANCELLED.value})
            .where((Order.id == order_id) & (Order.status == OrderStatus.OPEN.value))
            .returning(Order.id)
        )
        if not closed:
            raise OrderClosed()
        await record_event(
            actor,
            brand_id=actor.brand_id,
            entity="order",
            entity_id=order_id,
            action="cancel",
            from_status=OrderStatus.OPEN.value,
            to_status=OrderStatus.CANCELLED.value,
        )
        await work.withdraw_open_offers(actor, order_id)
        await work.approve_reported_work(actor, order_id)
    return await get_order(actor, order_id, work)
