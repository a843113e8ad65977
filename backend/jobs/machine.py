"""The job state machine of DESIGN.md: the only place a job's status changes."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from piccolo.columns import Column

from backend.audit import record_event
from backend.core.errors import InvalidTransition, NotFound
from backend.core.types import Principal, utcnow
from backend.db.counters import JOB_CHANGES, bump
from backend.orders.tables import Job


class Status(StrEnum):
    OFFERED = "offered"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
    SUBMITTED = "submitted"
    REWORK = "rework"
    APPROVED = "approved"
    PAID = "paid"
    CONFIRMED = "confirmed"
    DISPUTED = "disputed"


S = Status
# action → (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[Status], Status]] = {
    "accept": (frozenset({S.OFFERED}), S.ACCEPTED),
    "decline": (frozenset({S.OFFERED}), S.DECLINED),
    "withdraw": (frozenset({S.OFFERED}), S.WITHDRAWN),
    "expire": (frozenset({S.OFFERED}), S.EXPIRED),
    "submit": (frozenset({S.ACCEPTED, S.REWORK}), S.SUBMITTED),
    "approve": (frozenset({S.SUBMITTED}), S.APPROVED),
    "rework": (frozenset({S.SUBMITTED}), S.REWORK),
    "pay": (frozenset({S.APPROVED}), S.PAID),
    "confirm": (frozenset({S.PAID}), S.CONFIRMED),
    "dispute": (frozenset({S.PAID}), S.DISPUTED),
    "resolve_paid": (frozenset({S.DISPUTED}), S.PAID),
    "resolve_confirmed": (frozenset({S.DISPUTED}), S.CONFIRMED),
}


async def next_change_seq() -> int:
    """The next position in the job change feed (see ``backend.db.counters.bump``)."""
    return await bump(JOB_CHANGES)


async def _status_of(job_id: int) -> str:
    row = await Job.select(Job.status).where(Job.id == job_id).first()
    if row is None:
        raise NotFound()
    return str(row["status"])


async def transition(
    job_id: int,
    action: str,
    actor: Principal | None,
    *,
    extra: Mapping[Column, Any] | None = None,
    on_behalf_of: int | None = None,
    current: str | None = None,
    **detail: Any,
) -> dict[str, Any]:
    """Move a job along one arrow, atomically, and audit it; call inside a write transaction.

    Raises InvalidTransition when the job is not in a state the action starts from (a
    concurrent change got there first, or the request is out of order). ``current`` is
    the status the caller has just read in this transaction, to spare a query; the update
    is conditional on it either way.
    """
    sources, target = TRANSITIONS[action]
    from_status = current or await _status_of(job_id)
    if from_status not in sources:
        raise InvalidTransition(status=from_status)
    values: dict[Any, Any] = {
        Job.status: target.value,
        Job.change_seq: await next_change_seq(),
        Job.updated_at: utcnow(),
        **(extra or {}),
    }
    # Conditional on the state just read: a concurrent change makes this match nothing.
    rows = (
        await Job.update(values).where((Job.id == job_id) & (Job.status == from_status)).returning(*Job.all_columns())
    )
    if not rows:
        raise InvalidTransition(status=await _status_of(job_id))
    job = rows[0]
    await record_event(
        actor,
        brand_id=job["brand"],
        entity="job",
        entity_id=job_id,
        action=action,
        from_status=from_status,
        to_status=target.value,
        on_behalf_of=on_behalf_of,
        **detail,
    )
    return dict(job)
