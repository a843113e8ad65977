"""The job state machine of DESIGN.md: the only place a job's status changes."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from functools import cache
from typing import Any

from backend.audit import Event, audited, event_values, record_events
from backend.core.errors import InvalidTransition, NotFound
from backend.core.types import Principal, utcnow
from backend.db.counters import CHANNEL, JOB_CHANGES, bump, count_event_after_commit, event_payload
from backend.db.session import is_sqlite, note, run, take_noted


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
    REPORTED = "quantity_reported"  # pieces reported done by SMS, waiting for photos


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
# PostgreSQL: place the jobs at this transaction's id and notify other processes, in one statement.
TRANSACTION_ID = "pg_current_xact_id()::text::bigint"
PLACE_AND_NOTIFY = """
WITH placed AS (
  UPDATE job SET change_seq = pg_current_xact_id()::text::bigint WHERE id = ANY({}::bigint[]) RETURNING id
)
SELECT pg_notify({}, {})
"""


async def _status_of(job_id: int) -> Status:
    rows = await run("SELECT status FROM job WHERE id = {}", job_id)
    if not rows:
        raise NotFound()
    return Status(rows[0]["status"])


@cache
def _update_sql(counts: tuple[Count, ...], *, place_and_notify: bool = False) -> str:
    """The conditional UPDATE of a transition that also sets these quantities (column names are ours).

    On PostgreSQL it also places the job in the feed and queues the notification, so that
    a transition is one round trip: ``FROM (SELECT pg_notify(…))`` runs once per statement.
    """
    sets = "".join(f", {count.value} = {{}}" for count in counts)
    if place_and_notify:
        sets += f", change_seq = {TRANSACTION_ID} "
        return f"UPDATE job SET status = {{}}, updated_at = {{}}{sets} FROM (SELECT pg_notify({{}}, {{}})) AS announced WHERE id = {{}} AND status = {{}} RETURNING brand"  # noqa: S608, E501
    return f"UPDATE job SET status = {{}}, updated_at = {{}}{sets} WHERE id = {{}} AND status = {{}} RETURNING brand"  # noqa: S608


async def transition(
    job_id: int,
    action: Action,
    actor: Principal | None,
    *,
    counts: Mapping[Count, int] | None = None,
    on_behalf_of: int | None = None,
    current: Status | None = None,
    **detail: Any,
) -> None:
    """Move a job along one arrow, atomically, and audit it; call inside a write transaction.

    Raises InvalidTransition when the job is not in a state the action starts from (a
    concurrent change got there first, or the request is out of order). ``current`` is
    the status the caller has just read in this transaction, to spare a query; the update
    is conditional on it either way. The job takes its place in the change feed in the
    same statement (PostgreSQL) or just before the transaction commits (SQLite, see
    :func:`publish_changes`).
    """
    sources, target = TRANSITIONS[action]
    from_status = current or await _status_of(job_id)
    if from_status not in sources:
        raise InvalidTransition(status=from_status)
    event = Event(
        entity="job",
        entity_id=job_id,
        action=action.value,
        from_status=from_status.value,
        to_status=target.value,
        on_behalf_of=on_behalf_of,
        detail=detail,
    )
    if not await _move(job_id, from_status, target, counts or {}, actor, event):
        raise InvalidTransition(status=await _status_of(job_id))


async def _move(
    job_id: int,
    from_status: Status,
    target: Status,
    counts: Mapping[Count, int],
    actor: Principal | None,
    event: Event,
) -> bool:
    """The conditional UPDATE and its audit row; False when the job was no longer ``from_status``."""
    now = utcnow()
    changes = (target.value, now, *counts.values())
    if is_sqlite():
        rows = await run(_update_sql(tuple(counts)), *changes, job_id, from_status.value)
        if rows:
            note_changed([job_id])
            await record_events(actor, rows[0]["brand"], [event])
        return bool(rows)
    # One round trip: the change, its feed position, the notification and the audit row.
    rows = await run(
        audited(_update_sql(tuple(counts), place_and_notify=True)),
        *(*changes, CHANNEL, event_payload(JOB_CHANGES), job_id, from_status.value),
        *event_values(actor, event, now),
    )
    if rows:
        count_event_after_commit(JOB_CHANGES)
    return bool(rows)


async def publish_changes() -> None:
    """Give the jobs changed in this transaction their places in the feed, just before commit.

    SQLite: consecutive values of the job feed counter, taken last (writers take turns
    anyway). PostgreSQL: the id of this transaction, which takes no lock, and a readers'
    rule that makes it exact (``backend.jobs.queries.SETTLED``); a notification tells the
    other processes that their cached job lists are stale.
    """
    job_ids = take_noted(_CHANGED)
    if not job_ids:
        return
    if not is_sqlite():
        await run(PLACE_AND_NOTIFY, job_ids, CHANNEL, event_payload(JOB_CHANGES))
        count_event_after_commit(JOB_CHANGES)
        return
    first = await bump(JOB_CHANGES, by=len(job_ids)) - len(job_ids) + 1
    for start in range(0, len(job_ids), CASE_BATCH):
        batch = job_ids[start : start + CASE_BATCH]
        cases = " ".join("WHEN {} THEN {}" for _ in batch)
        params = [value for offset, job_id in enumerate(batch) for value in (job_id, first + start + offset)]
        marks = ", ".join("{}" for _ in batch)
        await run(f"UPDATE job SET change_seq = CASE id {cases} END WHERE id IN ({marks})", *params, *batch)  # noqa: S608


def note_changed(job_ids: list[int]) -> None:
    """Jobs created or changed outside :func:`transition` (a dispatch): placed in the feed on commit."""
    note(_CHANGED, job_ids, publish_changes)
