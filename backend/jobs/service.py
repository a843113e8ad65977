"""What artisans and leaders do with jobs, and the coordinator's review of their work."""

from __future__ import annotations

import json
from typing import Any

from piccolo.columns import Column
from piccolo.query import WhereRaw

from backend.accounts.tables import Member
from backend.core.access import STAFF, require_role
from backend.core.errors import Invalid, InvalidTransition, NotFound, OfferExpired, OrderClosed, OrderFull
from backend.core.i18n import N_
from backend.core.types import Principal, Role, utcnow
from backend.db.counters import JOB_CHANGES, read_counter
from backend.db.session import write_transaction
from backend.jobs.machine import Status, transition
from backend.jobs.queries import feed, load_jobs
from backend.orders.schemas import JobRead, ReviewRequest, SubmissionCreate, SubmissionRead
from backend.orders.tables import Job, Order, Submission
from backend.photos.tables import Photo

FEED_LIMIT = 200


async def _own_job(actor: Principal, job_id: int) -> dict[str, Any]:
    """The job if the caller may act on it as its artisan; otherwise it does not exist."""
    require_role(actor, Role.ARTISAN)
    job = await Job.select().where((Job.id == job_id) & (Job.artisan == actor.member_id)).first()
    if job is None:
        raise NotFound()
    return job


async def list_changed_jobs(actor: Principal, since: int) -> tuple[list[JobRead], int]:
    """Own jobs (a leader: the village's) changed after the cursor, and the new cursor."""
    require_role(actor, Role.ARTISAN, Role.LEADER)
    if actor.role == Role.LEADER:
        jobs = await feed("leader", actor.village_id or 0, since, FEED_LIMIT)
    else:
        jobs = await feed("artisan", actor.member_id, since, FEED_LIMIT)
    return jobs, (jobs[-1].change_seq if jobs else since)


async def feed_version() -> int:
    """Changes whenever any job changes: cached job lists are valid while it holds."""
    return await read_counter(JOB_CHANGES)


async def _take_from_order(order_id: int, quantity: int) -> None:
    """Reserve pieces of an order in one conditional update: never above its total."""
    rows = (
        await Order.update({Order.quantity_accepted: Order.quantity_accepted + quantity})
        .where(
            (Order.id == order_id) & (Order.status == "open") & WhereRaw("quantity_accepted + {} <= quantity", quantity)
        )
        .returning(Order.id)
    )
    if rows:
        return
    order = (
        await Order.select(Order.status, Order.quantity, Order.quantity_accepted).where(Order.id == order_id).first()
    )
    if order is None or order["status"] != "open":
        raise OrderClosed()
    raise OrderFull(quantity=quantity, remaining=order["quantity"] - order["quantity_accepted"])


async def accept_job(actor: Principal, job_id: int, quantity: int | None = None) -> JobRead:
    """Accept an offer, all of it or part; refused when expired or the order is full."""
    async with write_transaction():
        job = await _own_job(actor, job_id)
        wanted = quantity or job["quantity_offered"]
        if wanted > job["quantity_offered"]:
            raise Invalid(
                N_("You can accept at most {offered} pieces."),
                fields={"quantity": "above_offer"},
                offered=job["quantity_offered"],
            )
        if job["status"] == Status.OFFERED and job["expires_at"] <= utcnow():
            raise OfferExpired()
        if job["status"] != Status.OFFERED:
            raise InvalidTransition(status=job["status"])
        # The order row before the job feed counter, everywhere: no lock cycles on PostgreSQL.
        await _take_from_order(job["order"], wanted)
        await transition(
            job_id, "accept", actor, extra={Job.quantity_accepted: wanted}, current=job["status"], quantity=wanted
        )
        return (await load_jobs("WHERE j.id = {}", job_id))[0]


async def decline_job(actor: Principal, job_id: int, reason: str = "") -> JobRead:
    async with write_transaction():
        await _own_job(actor, job_id)
        await transition(job_id, "decline", actor, reason=reason)
        return (await load_jobs("WHERE j.id = {}", job_id))[0]


async def _job_for_submission(actor: Principal, job_id: int) -> tuple[dict[str, Any], int | None]:
    """The job, and whom the leader acts for (None when the artisan submits their own)."""
    if actor.role == Role.ARTISAN:
        return await _own_job(actor, job_id), None
    require_role(actor, Role.LEADER)
    job = (
        await Job.select()
        .where(
            (Job.id == job_id)
            & (Job.brand == actor.brand_id)
            & Job.artisan.is_in(Member.select(Member.id).where(Member.village == (actor.village_id or 0)))
        )
        .first()
    )
    if job is None:
        raise NotFound()
    return job, job["artisan"]


async def _check_photos(actor: Principal, photo_ids: list[int], artisan_id: int) -> None:
    owners = {actor.member_id, artisan_id}
    found = await Photo.count().where(
        Photo.id.is_in(photo_ids) & (Photo.brand == actor.brand_id) & Photo.owner.is_in(list(owners))
    )
    if found != len(set(photo_ids)):
        raise Invalid(N_("Some of these photos do not exist."), fields={"photo_ids": "unknown_photo"})


async def submit_work(actor: Principal, job_id: int, data: SubmissionCreate) -> SubmissionRead:
    """Report finished pieces with photos; a leader may submit for an artisan of the village."""
    async with write_transaction():
        job, on_behalf_of = await _job_for_submission(actor, job_id)
        if job["status"] not in (Status.ACCEPTED, Status.REWORK):
            raise InvalidTransition(status=job["status"])
        if data.quantity > job["quantity_accepted"]:
            raise Invalid(
                N_("You accepted {accepted} pieces; you cannot submit more."),
                fields={"quantity": "above_accepted"},
                accepted=job["quantity_accepted"],
            )
        await _check_photos(actor, data.photo_ids, job["artisan"])
        submission = Submission(
            job=job_id,
            brand=job["brand"],
            quantity=data.quantity,
            photo_ids=json.dumps(data.photo_ids),
            note=data.note,
            submitted_by=actor.member_id,
            channel=("on-behalf" if on_behalf_of else actor.channel),
        )
        await submission.save()
        await transition(
            job_id,
            "submit",
            actor,
            extra={Job.quantity_submitted: data.quantity},
            on_behalf_of=on_behalf_of,
            submission_id=submission.id,
            quantity=data.quantity,
        )
        return submission_read(submission.to_dict())


def submission_read(row: dict[str, Any]) -> SubmissionRead:
    return SubmissionRead(
        id=row["id"],
        job_id=row["job"],
        quantity=row["quantity"],
        photo_ids=json.loads(row["photo_ids"]),
        note=row["note"],
        status=row["status"],
        channel=row["channel"],
        review_reason=row["review_reason"],
        created_at=row["created_at"],
    )


async def review_submission(actor: Principal, submission_id: int, data: ReviewRequest) -> SubmissionRead:
    """Approve the pieces, or send them back for rework with a reason."""
    require_role(actor, *STAFF)
    if data.decision == "rework" and not data.reason.strip():
        raise Invalid(N_("Say what needs rework."), fields={"reason": "required"})
    async with write_transaction():
        row = (
            await Submission.select()
            .where((Submission.id == submission_id) & (Submission.brand == actor.brand_id))
            .first()
        )
        if row is None:
            raise NotFound()
        if row["status"] != "submitted":
            raise InvalidTransition(status=row["status"])
        approve = data.decision == "approve"
        extra: dict[Column, Any] = {Job.quantity_approved: row["quantity"]} if approve else {}
        await transition(row["job"], data.decision, actor, extra=extra, submission_id=submission_id, reason=data.reason)
        status = "approved" if approve else "rework"
        changed = (
            await Submission.update(
                {
                    Submission.status: status,
                    Submission.review_reason: data.reason,
                    Submission.reviewed_by: actor.member_id,
                    Submission.reviewed_at: utcnow(),
                }
            )
            .where((Submission.id == submission_id) & (Submission.status == "submitted"))
            .returning(*Submission.all_columns())
        )
        return submission_read(changed[0])


async def review_queue(actor: Principal, status: str = "submitted") -> list[SubmissionRead]:
    """The brand's submissions in a status, oldest first."""
    require_role(actor, *STAFF)
    rows = (
        await Submission.select()
        .where((Submission.brand == actor.brand_id) & (Submission.status == status))
        .order_by(Submission.id)
        .limit(500)
    )
    return [submission_read(row) for row in rows]


async def expire_due_offers() -> int:
    """Expire offers past their time (the worker runs this); returns how many."""
    now = utcnow()
    due = await Job.select(Job.id).where((Job.status == Status.OFFERED.value) & (Job.expires_at <= now))
    expired = 0
    for job in due:
        async with write_transaction():
            try:
                await transition(job["id"], "expire", None)
            except InvalidTransition:
                continue  # answered or withdrawn meanwhile
        expired += 1
    return expired
