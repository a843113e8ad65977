"""Reading jobs: one SQL text for the ORM inside transactions and for the fast read path."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from backend.core.types import Principal, Role, as_datetime
from backend.db.session import fetch, is_sqlite, run
from backend.jobs.machine import Status
from backend.jobs.schemas import JobRead
from backend.orders.rates import hourly_rate_fen, hours_of

JOB_SELECT = """
SELECT j.id, j."order" AS order_id, j.artisan AS artisan_id, j.status, j.code,
       j.quantity_offered, j.quantity_accepted, j.quantity_submitted, j.quantity_approved, j.quantity_reported,
       j.expires_at, j.change_seq, o.title, o.craft, o.unit_price_fen, o.hours_tenths, o.due_date, o.quality_notes,
       o.photo_ids AS reference_photo_ids, a.name AS artisan_name, j.brand AS brand_id, b.name AS brand_name,
       pf.id AS price_feedback_id, pf.price_fen AS price_asked_fen,
       CASE WHEN j.status = '{REWORK}' THEN (SELECT s.review_reason FROM submission s WHERE s.job = j.id
            ORDER BY s.id DESC LIMIT 1) ELSE '' END AS review_reason
FROM job j JOIN production_order o ON o.id = j."order" JOIN member a ON a.id = j.artisan JOIN brand b ON b.id = j.brand
LEFT JOIN price_feedback pf ON pf.job = j.id
""".replace("{REWORK}", Status.REWORK.value)

# Whose jobs a person sees: her own (as an artisan, in each brand she works with), and every
# job of the artisans of the villages she leads.
OWN = "j.artisan IN ({marks})"
VILLAGES = "j.artisan IN (SELECT m.id FROM member m WHERE m.village IN ({marks}))"


def _marks(values: Sequence[object]) -> str:
    return ", ".join("{}" for _ in values)


def seen_by(actor: Principal, *roles: Role) -> tuple[str, list[int]]:
    """The condition on ``j`` for the jobs ``actor`` sees in these roles, and its values."""
    parts: list[str] = []
    values: list[int] = []
    if Role.ARTISAN in roles and (own := actor.member_ids(Role.ARTISAN)):
        parts.append(OWN.replace("{marks}", _marks(own)))
        values += own
    if Role.LEADER in roles and (villages := actor.village_ids(Role.LEADER)):
        parts.append(VILLAGES.replace("{marks}", _marks(villages)))
        values += villages
    return ("(" + " OR ".join(parts) + ")" if parts else "1 = 0"), values


# On PostgreSQL a job's feed position is the id of the transaction that last changed it
# (see ``backend.jobs.machine``): only positions below the oldest transaction still
# running are final, so the feed stops there and a later read picks up the rest. Transaction
# ids are the whole server's, so the snapshot's running ones are kept unless they are known
# to be another database's (which cannot change our jobs): a long transaction elsewhere on the
# server must not hold every artisan's feed back. One that ended meanwhile is no longer in
# pg_stat_activity and so counts as ours: the cut-off can only be earlier, never later, than
# what the snapshot sees. (Without pg_read_all_stats, other roles' sessions show no
# ``backend_xid``: theirs count as ours too, as before.)
SETTLED = """AND j.change_seq < (
  SELECT COALESCE(
    (SELECT min(x::text::bigint) FROM pg_snapshot_xip(now.snapshot) AS x
     WHERE x::text::bigint % 4294967296 NOT IN (
       SELECT backend_xid::text::bigint FROM pg_stat_activity
       WHERE datname IS DISTINCT FROM current_database() AND backend_xid IS NOT NULL)),
    pg_snapshot_xmax(now.snapshot)::text::bigint)
  FROM (SELECT pg_current_snapshot() AS snapshot) AS now
) """


async def job_row(actor: Principal, job_id: int, role: Role) -> dict[str, Any] | None:
    """One job as ``JOB_SELECT`` reads it, if ``actor`` sees it in ``role`` (an artisan her
    own, a leader her villages')."""
    where, values = seen_by(actor, role)
    rows = await run(JOB_SELECT + "WHERE j.id = {} AND " + where, job_id, *values)
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
        hours_per_piece=hours_of(row["hours_tenths"]),
        hourly_rate_fen=hourly_rate_fen(row["unit_price_fen"], row["hours_tenths"]),
        price_feedback=row["price_feedback_id"] is not None,
        price_asked_fen=row["price_asked_fen"],
        due_date=_as_date(row["due_date"]),
        quality_notes=row["quality_notes"],
        reference_photo_ids=msgspec.json.decode(row["reference_photo_ids"]),
        review_reason=row["review_reason"] or "",
        artisan_name=row["artisan_name"],
        brand_id=row["brand_id"],
        brand_name=row["brand_name"],
    )


async def load_jobs(where: str, *params: Any) -> list[JobRead]:
    """Jobs through the ORM connection: sees the current transaction's own changes."""
    rows = await run(JOB_SELECT + where, *params)
    return [job_read(row) for row in rows]


def _feed_sql(owner: str, *, whole_position: bool = False) -> str:
    settled = "" if is_sqlite() else SETTLED
    where = JOB_SELECT + "WHERE " + owner + " "
    if whole_position:
        return where + "AND j.change_seq = {} ORDER BY j.id"
    return where + "AND j.change_seq > {} " + settled + "ORDER BY j.change_seq, j.id LIMIT {}"


async def feed(actor: Principal, since: int, limit: int) -> tuple[list[JobRead], int]:
    """The change feed of the jobs ``actor`` sees as artisan and as leader, on the fast read
    path (committed data only), and the cursor after it.

    Jobs changed together share a position (one PostgreSQL transaction): a page never
    splits them, so the cursor, the last position sent, never skips one.
    """
    owner, values = seen_by(actor, Role.ARTISAN, Role.LEADER)
    rows = await fetch(_feed_sql(owner), (*values, since, limit + 1))
    if len(rows) > limit:
        spilling = rows[limit]["change_seq"]
        rows = [row for row in rows[:limit] if row["change_seq"] != spilling]
        if not rows:  # one change larger than a page: send it whole
            rows = await fetch(_feed_sql(owner, whole_position=True), (*values, spilling))
    return [job_read(row) for row in rows], (rows[-1]["change_seq"] if rows else since)


# A person's own jobs, in every brand she works with, as the SMS conversation names them (by
# code, by id, by state). Codes are one series per person (K1, K2…), so a code names one job.


async def artisan_job_by_code(actor: Principal, code: str) -> JobRead | None:
    """Her job with this code (K7), if she has one."""
    where, values = seen_by(actor, Role.ARTISAN)
    jobs = await load_jobs("WHERE j.code = {} AND " + where, code.upper(), *values)
    return jobs[0] if jobs else None


async def artisan_job(actor: Principal, job_id: int) -> JobRead | None:
    """The job, if it is hers."""
    where, values = seen_by(actor, Role.ARTISAN)
    jobs = await load_jobs("WHERE j.id = {} AND " + where, job_id, *values)
    return jobs[0] if jobs else None


async def artisan_jobs_in(actor: Principal, statuses: Sequence[str]) -> list[JobRead]:
    """Her jobs in these states, oldest first."""
    where, values = seen_by(actor, Role.ARTISAN)
    if not statuses or not values:
        return []
    return await load_jobs(
        f"WHERE j.status IN ({_marks(statuses)}) AND {where} ORDER BY j.id",
        *statuses,
        *values,
    )


OPEN_ITEMS = """
SELECT j.code, j.status FROM job j
WHERE {where} AND (j.status IN ({}, {}, {}) OR (j.status = {} AND j.expires_at > {}))
ORDER BY j.id DESC LIMIT {}
"""


async def artisan_open_codes(actor: Principal, now: dt.datetime, limit: int) -> list[tuple[str, Status]]:
    """Her open work, newest first: offers not expired, work in hand, payments to confirm."""
    where, values = seen_by(actor, Role.ARTISAN)
    open_now = (Status.ACCEPTED.value, Status.REWORK.value, Status.PAID.value, Status.OFFERED.value)
    rows = await run(OPEN_ITEMS.replace("{where}", where), *values, *open_now, now, limit)
    return [(row["code"], Status(row["status"])) for row in rows]
