"""Where orders stand: pieces accepted, submitted, approved and paid, summed over their jobs."""

from __future__ import annotations

from typing import Any

from backend.core.types import Principal
from backend.jobs.machine import Status
from backend.jobs.tables import Job
from backend.orders.schemas import OrderRead, OrderStatus, Progress
from backend.orders.service import brand_order, order_read, order_rows

_SUBMITTED = (Status.SUBMITTED, Status.APPROVED, Status.PAID, Status.CONFIRMED, Status.DISPUTED)
_APPROVED = (Status.APPROVED, Status.PAID, Status.CONFIRMED, Status.DISPUTED)
_PAID = (Status.PAID, Status.CONFIRMED, Status.DISPUTED)


def _among(statuses: tuple[Status, ...]) -> str:
    return ", ".join(f"'{status.value}'" for status in statuses)


PROGRESS_SQL = f"""
SELECT "order" AS order_id,
  COALESCE(SUM(CASE WHEN status IN ({_among(_SUBMITTED)}) THEN quantity_submitted ELSE 0 END), 0) AS submitted,
  COALESCE(SUM(CASE WHEN status IN ({_among(_APPROVED)}) THEN quantity_approved ELSE 0 END), 0) AS approved,
  COALESCE(SUM(CASE WHEN status IN ({_among(_PAID)}) THEN quantity_approved ELSE 0 END), 0) AS paid,
  COALESCE(SUM(CASE WHEN status = '{Status.OFFERED.value}' THEN quantity_offered ELSE 0 END), 0) AS offered_open
FROM job WHERE "order" IN ({{ids}}) GROUP BY "order"
"""  # noqa: S608 - the statuses are our own constants


_NOTHING = {"submitted": 0, "approved": 0, "paid": 0, "offered_open": 0}


async def progress_of(orders: list[dict[str, Any]]) -> dict[int, Progress]:
    """Each order's progress, by order id, in one query."""
    if not orders:
        return {}
    ids = [row["id"] for row in orders]
    rows = await Job.raw(PROGRESS_SQL.replace("{ids}", ", ".join("{}" for _ in ids)), *ids)
    sums = {row["order_id"]: row for row in rows}
    progress = {}
    for order in orders:
        found = sums.get(order["id"], _NOTHING)
        progress[order["id"]] = Progress(
            quantity=order["quantity"],
            accepted=order["quantity_accepted"],
            **{name: int(found[name]) for name in _NOTHING},
        )
    return progress


async def get_order(actor: Principal, order_id: int) -> OrderRead:
    """One of the brand's orders with its progress."""
    row = await brand_order(actor, order_id)
    return order_read(row, (await progress_of([row]))[row["id"]])


async def list_orders(
    actor: Principal, status: OrderStatus | None, cursor: int | None
) -> tuple[list[OrderRead], str | None]:
    """The brand's orders, newest first, a page at a time, each with its progress."""
    page, next_cursor = await order_rows(actor, status, cursor)
    progress = await progress_of(page)
    return [order_read(row, progress[row["id"]]) for row in page], next_cursor
