"""Reading jobs: one SQL text for the ORM inside transactions and for the fast read path."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from backend.db.session import fetch, run
from backend.jobs.machine import Status
from backend.jobs.schemas import JobRead

JOB_SELECT = """
SELECT j.id, j."order" AS order_id, j.artisan AS artisan_id, j.status, j.code,
       j.quantity_offered, j.quantity_accepted, j.quantity_submitted, j.quantity_approved,
       j.expires_at, j.change_seq, o.title, o.craft, o.unit_price_fen, o.due_date
FROM job j JOIN production_order o ON o.id = j."order"
"""

# An artisan's own jobs, or (leader) every job of the village's artisans, after a cursor.
FEED_WHERE = {
    "artisan": "WHERE j.artisan = {} AND j.change_seq > {} ORDER BY j.change_seq LIMIT {}",
    "leader": (
        "WHERE j.artisan IN (SELECT m.id FROM member m WHERE m.village = {}) "
        "AND j.change_seq > {} ORDER BY j.change_seq LIMIT {}"
    ),
}


ONE_JOB_WHERE = {
    "artisan": "WHERE j.id = {} AND j.artisan = {}",
    "leader": "WHERE j.id = {} AND j.artisan IN (SELECT m.id FROM member m WHERE m.village = {})",
}


async def job_row(scope: str, job_id: int, owner_id: int) -> dict[str, Any] | None:
    """One job as ``JOB_SELECT`` reads it, if it is the artisan's (or in the leader's village)."""
    rows = await run(JOB_SELECT + ONE_JOB_WHERE[scope], job_id, owner_id)
    return rows[0] if rows else None


def as_datetime(value: Any) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))


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
        expires_at=as_datetime(row["expires_at"]),
        title=row["title"],
        craft=row["craft"],
        unit_price_fen=row["unit_price_fen"],
        due_date=_as_date(row["due_date"]),
    )


async def load_jobs(where: str, *params: Any) -> list[JobRead]:
    """Jobs through the ORM connection: sees the current transaction's own changes."""
    rows = await run(JOB_SELECT + where, *params)
    return [job_read(row) for row in rows]


async def feed(scope: str, owner_id: int, since: int, limit: int) -> tuple[list[JobRead], int]:
    """The change feed on the fast read path (committed data only), and the cursor after it."""
    rows = await fetch(JOB_SELECT + FEED_WHERE[scope], (owner_id, since, limit))
    return [job_read(row) for row in rows], (rows[-1]["change_seq"] if rows else since)
