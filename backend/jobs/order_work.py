"""What orders need of the work done on them (``backend.orders.service.OrderWork``): where
each stands (pieces accepted, submitted, approved and paid, summed over its jobs), whether
any offer went out, taking back the offers nobody accepted, and approving for payment the
pieces reported done when the order is cancelled. Orders never import jobs;
the routes hand them this module."""

from __future__ import annotations

from typing import Any

from piccolo.columns import Column

from backend.core.errors import InvalidTransition
from backend.core.types import Channel, Principal, utcnow
from backend.db.session import run
from backend.jobs.machine import Action, Count, Status, transition
from backend.jobs.messages import tell_paid_on_cancel
from backend.jobs.schemas import SubmissionStatus
from backend.jobs.tables import Job, Submission
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
  COALESCE(SUM(CASE WHEN status = '{Status.OFFERED.value}' THEN quantity_offered ELSE 0 END), 0) AS offered_open,
  COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM price_feedback f WHERE f.job = job.id) THEN 1 ELSE 0 END), 0)
    AS price_low
FROM job WHERE "order" IN ({{ids}}) GROUP BY "order"
"""  # noqa: S608 - the statuses are our own constants


_NOTHING = {"submitted": 0, "approved": 0, "paid": 0, "offered_open": 0, "price_low": 0}


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


CANCELLED = "order_cancelled"
REPORTED = """
SELECT j.id, j.status, j.quantity_submitted, j.quantity_reported, j.artisan,
       (SELECT s.id FROM submission s WHERE s.job = j.id AND s.status = {} ORDER BY s.id DESC LIMIT 1) AS submission
FROM job j WHERE j."order" = {} AND (j.status = {} OR (j.status IN ({}, {}) AND j.quantity_reported > 0))
ORDER BY j.id
"""


async def approve_reported_work(actor: Principal, order_id: int) -> None:
    """Pieces reported done and not yet reviewed are approved for payment when the brand cancels:
    work sent for review (``submitted``) as sent, and work reported by SMS ("完成 15") and still
    waiting for the leader's photos as reported (submitted, then approved, along the arrows).
    Inside the cancelling transaction, after the order row; each artisan is told by SMS."""
    rows = await run(
        REPORTED,
        SubmissionStatus.SUBMITTED.value,
        order_id,
        Status.SUBMITTED.value,
        Status.ACCEPTED.value,
        Status.REWORK.value,
    )
    for row in rows:
        await _approve_on_cancel(actor, row)


async def _approve_on_cancel(actor: Principal, row: dict[str, Any]) -> None:
    status = Status(row["status"])
    if status == Status.SUBMITTED:
        quantity, submission_id = row["quantity_submitted"], row["submission"]
    else:
        quantity = row["quantity_reported"]
        submission_id = await _submission_of_report(actor, row, quantity)
        await transition(
            row["id"],
            Action.SUBMIT,
            actor,
            counts={Count.SUBMITTED: quantity, Count.REPORTED: 0},
            current=status,
            submission_id=submission_id,
            quantity=quantity,
            reason=CANCELLED,
        )
    await transition(
        row["id"],
        Action.APPROVE,
        actor,
        counts={Count.APPROVED: quantity},
        current=Status.SUBMITTED,
        submission_id=submission_id,
        quantity=quantity,
        reason=CANCELLED,
    )
    if submission_id is not None:
        reviewed: dict[Column | str, Any] = {
            Submission.status: SubmissionStatus.APPROVED.value,
            Submission.review_reason: CANCELLED,
            Submission.reviewed_by: actor.member_id,
            Submission.reviewed_at: utcnow(),
        }
        await Submission.update(reviewed).where(Submission.id == submission_id)
    await tell_paid_on_cancel(row["id"], quantity)


async def _submission_of_report(actor: Principal, job: dict[str, Any], quantity: int) -> int:
    """The submission a report by SMS becomes when the order is cancelled: no photos, the artisan's."""
    rows = await Submission.insert(
        Submission(
            job=job["id"],
            brand=actor.brand_id,
            quantity=quantity,
            photo_ids="[]",
            submitted_by=job["artisan"],
            channel=Channel.SMS.value,
        )
    ).returning(Submission.id)
    return int(rows[0]["id"])
