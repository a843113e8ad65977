"""The job state machine of DESIGN.md: the only place a job's status changes."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from backend.audit import record_event
from backend.core.errors import InvalidTransition, NotFound
from backend.core.types import Principal, utcnow
from backend.db.counters import JOB_CHANGES, bump
from backend.db.session import note, take_noted
from backend.jobs.tables import Job


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


class Action(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"
    WITHDRAW = "withdraw"
    EXPIRE = "expire"
    SUBMIT = "submit"
    APPROVE = "approve"
    REWORK = "rework"
    PAY = "pay"
    CONFIRM = "confirm"
    DISPUTE = "dispute"
    RESOLVE_PAID = "resolve_paid"
    RESOLVE_CONFIRMED = "resolve_confirmed"


class Count(StrEnum):
    """The quantities a transition may set beside the status (never the status itself)."""

    ACCEPTED = "quantity_accepted"
    SUBMITTED = "quantity_submitted"
    APPROVED = "quantity_approved"


S, A = Status, Action
# action → (states it may start from, state it leads to)
TRANSITIONS: dict[Action, tuple[frozenset[Status], Status]] = {
    A.ACCEPT: (frozenset({S.OFFERED}), S.ACCEPTED),
    A.DECLINE: (frozenset({S.OFFERED}), S.DECLINED),
    A.WITHDRAW: (frozenset({S.OFFERED}), S.WITHDRAWN),
    A.EXPIRE: (frozenset({S.OFFERED}), S.EXPIRED),
    A.SUBMIT: (frozenset({S.ACCEPTED, S.REWORK}), S.SUBMITTED),
    A.APPROVE: (frozenset({S.SUBMITTED}), S.APPROVED),
    A.REWORK: (frozenset({S.SUBMITTED}), S.REWORK),
    A.PAY: (frozenset({S.APPROVED}), S.PAID),
    A.CONFIRM: (frozenset({S.PAID}), S.CONFIRMED),
    A.DISPUTE: (frozenset({S.PAID}), S.DISPUTED),
    A.RESOLVE_PAID: (frozenset({S.DISPUTED}), S.PAID),
    A.RESOLVE_CONFIRMED: (frozenset({S.DISPUTED}), S.CONFIRMED),
}

_CHANGED = "changed_jobs"
CASE_BATCH = 500
SET_SEQ_ONE = "UPDATE job SET change_seq = {} WHERE id = {}"


async def _status_of(job_id: int) -> Status:
    row = await Job.select(Job.status).where(Job.id == job_id).first()
    if row is None:
        raise NotFound()
    return Status(row["status"])


async def transition(
    job_id: int,
    action: Action,
    actor: Principal | None,
    *,
    counts: Mapping[Count, int] | None = None,
    on_behalf_of: int | None = None,
    current: Status | None = None,
    **detail: Any,
) -> dict[str, Any]:
    """Move a job along one arrow, atomically, and audit it; call inside a write transaction.

    Raises InvalidTransition when the job is not in a state the action starts from (a
    concurrent change got there first, or the request is out of order). ``current`` is
    the status the caller has just read in this transaction, to spare a query; the update
    is conditional on it either way. The job takes its place in the change feed when the
    transaction publishes its changes (:func:`publish_changes`, at the latest on commit).
    """
    sources, target = TRANSITIONS[action]
    from_status = current or await _status_of(job_id)
    if from_status not in sources:
        raise InvalidTransition(status=from_status)
    values: dict[Any, Any] = {Job.status: target.value, Job.updated_at: utcnow()}
    values |= {getattr(Job, count.value): quantity for count, quantity in (counts or {}).items()}
    # Conditional on the state just read: a concurrent change makes this match nothing.
    rows = (
        await Job.update(values).where((Job.id == job_id) & (Job.status == from_status)).returning(*Job.all_columns())
    )
    if not rows:
        raise InvalidTransition(status=await _status_of(job_id))
    job = rows[0]
    note(_CHANGED, [job_id], publish_changes)
    await record_event(
        actor,
        brand_id=job["brand"],
        entity="job",
        entity_id=job_id,
        action=action.value,
        from_status=from_status.value,
        to_status=target.value,
        on_behalf_of=on_behalf_of,
        **detail,
    )
    return dict(job)


async def reserve_feed_positions(count: int) -> int:
    """The first of ``count`` consecutive feed positions for jobs this transaction creates.

    Takes the job feed counter: call it after every row lock the transaction needs.
    """
    return await bump(JOB_CHANGES, by=count) - count + 1


async def publish_changes() -> None:
    """Give the jobs changed in this transaction their places in the feed, counter last.

    Called before a service reads its answer back, and by the transaction before it
    commits in any case; calling it again finds nothing to do.
    """
    job_ids = take_noted(_CHANGED)
    if not job_ids:
        return
    first = await reserve_feed_positions(len(job_ids))
    if len(job_ids) == 1:
        await Job.raw(SET_SEQ_ONE, first, job_ids[0])
        return
    for start in range(0, len(job_ids), CASE_BATCH):
        batch = job_ids[start : start + CASE_BATCH]
        cases = " ".join("WHEN {} THEN CAST({} AS BIGINT)" for _ in batch)
        params = [value for offset, job_id in enumerate(batch) for value in (job_id, first + start + offset)]
        marks = ", ".join("{}" for _ in batch)
        await Job.raw(f"UPDATE job SET change_seq = CASE id {cases} END WHERE id IN ({marks})", *params, *batch)  # noqa: S608
