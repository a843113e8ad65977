"""What orders need of the work done on them (``backend.orders.service.OrderWork``): where
each stands (pieces accepted, submitted, approved and paid, summed over its jobs), whether
any offer went out, and taking back the offers nobody accepted. Orders never import jobs;
the routes hand them this module."""

from __future__ import annotations

from typing import Any

from backend.core.errors import InvalidTransition
from backend.core.types import Principal
from backend.jobs.machine import Action, Status, transition
from backend.jobs.tables import Job
from backend.orders.schemas import Progress

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


async def has_offers(order_id: int) -> bool:
    """Whether any offer of the order went out (it is then as artisans were told it)."""
    return bool(await Job.exists().where(Job.order == order_id))


async def withdraw_open_offers(actor: Principal, order_id: int) -> None:
    """Take back every offer of the order nobody has accepted, in id order (the global lock
    order); accepted work carries on. Inside the cancelling transaction, after the order row."""
    offered = await Job.select(Job.id).where((Job.order == order_id) & (Job.status == Status.OFFERED.value))
    for job in sorted(offered, key=lambda row: row["id"]):
        try:
            await transition(job["id"], Action.WITHDRAW, actor, current=Status.OFFERED, reason="order_cancelled")
        except InvalidTransition:
            continue  # declined or expired meanwhile: nothing to withdraw
