"""Reading jobs: one SQL text for the ORM inside transactions and for the fast read path."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from backend.core.types import as_datetime
from backend.db.session import fetch, is_sqlite, run
from backend.jobs.machine import Status
from backend.jobs.schemas import JobRead

JOB_SELECT = """
SELECT j.id, j."order" AS order_id, j.artisan AS artisan_id, j.status, j.code,
       j.quantity_offered, j.quantity_accepted, j.quantity_submitted, j.quantity_approved, j.quantity_reported,
       j.expires_at, j.change_seq, o.title, o.craft, o.unit_price_fen, o.due_date, o.quality_notes,
       o.photo_ids AS reference_photo_ids, a.name AS artisan_name,
       CASE WHEN j.status = '{REWORK}' THEN (SELECT s.review_reason FROM submission s WHERE s.job = j.id
            ORDER BY s.id DESC LIMIT 1) ELSE '' END AS review_reason
FROM job j JOIN production_order o ON o.id = j."order" JOIN member a ON a.id = j.artisan
""".replace("{REWORK}", Status.REWORK.value)

# An artisan's own jobs, or (leader) every job of the village's artisans, after a cursor.
FEED_OWNER = {
    "artisan": "WHERE j.artisan = {} ",
    "leader": "WHERE j.artisan IN (SELECT m.id FROM member m WHERE m.village = {}) ",
}
# On PostgreSQL a job's feed position is the id of the transaction that last changed it
# (see ``backend.jobs.machine``): only positions below the oldest transaction still
# running are final, so the feed stops there and a later read picks up the rest.
SETTLED = "AND j.change_seq < pg_snapshot_xmin(pg_current_snapshot())::text::bigint "


ONE_JOB_WHERE = {
    "artisan": "WHERE j.id = {} AND j.artisan = {}",
    "leader": "WHERE j.id = {} AND j.artisan IN (SELECT m.id FROM member m WHERE m.village = {})",
}


async def job_row(scope: str, job_id: int, owner_id: int) -> dict[str, Any] | None:
    """One job as ``JOB_SELECT`` reads it, if it is the artisan's (or in the leader's village)."""
    rows = await run(JOB_SELECT + ONE_JOB_WHERE[scope], job_id, owner_id)
    return rows[0] if rows else None


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def job_read(row: Mapping[str, Any]) -> JobRead:
    return JobRead(
        id=row["id"],
        order_id=row["order_id"],
        artisan_id=row["artisan_id"],
        status=Status(row["status"]),
        code=row["code"],
        quantity_offered=row["quantity_offered"],
        quantity_accepted=row["quantity_accepted"],
        quantity_submitted=row["quantity_submitted"],
        quantity_approved=row["quantity_approved"],
        quantity_reported=row["quantity_reported"],
        expires_at=as_datetime(row["expires_at"]),
        title=row["title"],
        craft=row["craft"],
        unit_price_fen=row["unit_price_fen"],
        due_date=_as_date(row["due_date"]),
        quality_notes=row["quality_notes"],
        reference_photo_ids=msgspec.json.decode(row["reference_photo_ids"]),
        review_reason=row["review_reason"] or "",
        artisan_name=row["artisan_name"],
    )


async def load_jobs(where: str, *params: Any) -> list[JobRead]:
    """Jobs through the ORM connection: sees the current transaction's own changes."""
    rows = await run(JOB_SELECT + where, *params)
    return [job_read(row) for row in rows]


def _feed_sql(scope: str, *, whole_position: bool = False) -> str:
    settled = "" if is_sqlite() else SETTLED
    if whole_position:
        return JOB_SELECT + FEED_OWNER[scope] + "AND j.change_seq = {} ORDER BY j.id"
    return JOB_SELECT + FEED_OWNER[scope] + "AND j.change_seq > {} " + settled + "ORDER BY j.change_seq, j.id LIMIT {}"


async def feed(scope: str, owner_id: int, since: int, limit: int) -> tuple[list[JobRead], int]:
    """The change feed on the fast read path (committed data only), and the cursor after it.

    Jobs changed together share a position (one PostgreSQL transaction): a page never
    splits them, so the cursor, the last position sent, never skips one.
    """
    rows = await fetch(_feed_sql(scope), (owner_id, since, limit + 1))
    if len(rows) > limit:
        spilling = rows[limit]["change_seq"]
        rows = [row for row in rows[:limit] if row["change_seq"] != spilling]
        if not rows:  # one change larger than a page: send it whole
            rows = await fetch(_feed_sql(scope, whole_position=True), (owner_id, spilling))
    return [job_read(row) for row in rows], (rows[-1]["change_seq"] if rows else since)


# One artisan's own jobs, as the SMS conversation names them (by code, by id, by state).


async def artisan_job_by_code(artisan_id: int, code: str) -> JobRead | None:
    """The artisan's job with this code (K7), if she has one."""
    jobs = await load_jobs("WHERE j.artisan = {} AND j.code = {}", artisan_id, code.upper())
    return jobs[0] if jobs else None


async def artisan_job(artisan_id: int, job_id: int) -> JobRead | None:
    """The job, if it is the artisan's."""
    jobs = await load_jobs("WHERE j.id = {} AND j.artisan = {}", job_id, artisan_id)
    return jobs[0] if jobs else None


async def artisan_jobs_in(artisan_id: int, statuses: Sequence[str]) -> list[JobRead]:
    """The artisan's jobs in these states, oldest first."""
    if not statuses:
        return []
    marks = ", ".join("{}" for _ in statuses)
    return await load_jobs(f"WHERE j.artisan = {{}} AND j.status IN ({marks}) ORDER BY j.id", artisan_id, *statuses)
