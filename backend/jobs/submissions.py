"""Finished work: artisans (or their village leader) submit it, coordinators review it."""

from __future__ import annotations

import json
from typing import Any

import msgspec

from backend.audit import record_event
from backend.core.access import STAFF, acting_in, require_membership, require_role
from backend.core.errors import Invalid, InvalidTransition, NotFound
from backend.core.i18n import N_
from backend.core.types import Channel, Principal, Role, as_datetime, utcnow
from backend.db.session import run, write_transaction
from backend.jobs.machine import TRANSITIONS, Action, Count, note_changed, transition
from backend.jobs.messages import tell_rework
from backend.jobs.queries import job_read, job_row
from backend.jobs.schemas import (
    Decision,
    JobRead,
    Lot,
    ReviewItem,
    ReviewRequest,
    SubmissionCreate,
    SubmissionRead,
    SubmissionStatus,
)
from backend.jobs.service import own_job
from backend.jobs.tables import Submission
from backend.passports.service import issue_passport
from backend.photos.tables import Photo


async def _job_for_submission(actor: Principal, job_id: int) -> tuple[Principal, dict[str, Any], int | None]:
    """The caller as her membership of the job's brand, the job (a row of ``JOB_SELECT``), and
    whom a leader acts for (None: the artisan's own)."""
    require_membership(actor, Role.ARTISAN, Role.LEADER)
    job = await job_row(actor, job_id, Role.ARTISAN)
    if job is not None:
        return acting_in(actor, job["brand_id"]), job, None
    job = await job_row(actor, job_id, Role.LEADER)
    if job is None:
        raise NotFound()
    return acting_in(actor, job["brand_id"]), job, job["artisan_id"]


# What of a brand could show a photo of one of its members: her submissions, those she made
# for others (a leader), and the brand's order patterns.
SHOWN_BY = """
SELECT s.photo_ids FROM submission s JOIN job j ON j.id = s.job WHERE j.artisan = {} OR s.submitted_by = {}
UNION ALL SELECT o.photo_ids FROM production_order o WHERE o.brand = {}
"""


async def _photos_of_job(actor: Principal, photo_ids: list[int], artisan_id: int) -> list[int]:
    """The photos, as the job's brand's: the submitter's (or, for a leader, the artisan's).

    A person who works with several brands uploads as one of them unless she names the job
    (``POST /photos`` with ``job_id``). Her photo taken as another brand's member joins this
    brand with the submission: moved when no work there shows it, copied (the same picture,
    a row of this brand) when it does, so that each brand sees only the photos of its own work.
    """
    owners = {*actor.member_ids(), artisan_id}
    found = await Photo.select().where(Photo.id.is_in(photo_ids) & Photo.owner.is_in(list(owners)))
    if len(found) != len(set(photo_ids)):
        raise Invalid(N_("Some of these photos do not exist."), fields={"photo_ids": "unknown_photo"})
    by_id = {row["id"]: row for row in found}
    return [
        photo_id if by_id[photo_id]["brand"] == actor.brand_id else await _bring(actor, by_id[photo_id])
        for photo_id in photo_ids
    ]


async def _bring(actor: Principal, photo: dict[str, Any]) -> int:
    """Her photo of another membership, as this brand's (see :func:`_photos_of_job`)."""
    rows = await run(SHOWN_BY, photo["owner"], photo["owner"], photo["brand"])
    shown = any(photo["id"] in json.loads(row["photo_ids"]) for row in rows)
    mine = (Photo.owner == actor.member_id) & (Photo.content_hash == photo["content_hash"])
    already = await Photo.select(Photo.id).where(mine).first()
    if already is not None:
        if not shown:
            await Photo.delete().where(Photo.id == photo["id"])
        return int(already["id"])
    if not shown:
        await Photo.update({Photo.brand: actor.brand_id, Photo.owner: actor.member_id}).where(Photo.id == photo["id"])
        return int(photo["id"])
    rows = await Photo.insert(
        Photo(
            brand=actor.brand_id,
            owner=actor.member_id,
            content_hash=photo["content_hash"],
            width=photo["width"],
            height=photo["height"],
        )
    ).returning(Photo.id)
    return int(rows[0]["id"])


# The lots of the materials handed out for the job (backend.materials), kept with the work so
# that a piece's story can name its indigo or silver lot later. Read as SQL: materials sits
# above jobs and jobs does not import it.
LOTS = """
SELECT DISTINCT l.material, l.lot FROM kit_line l
WHERE l.job = {} AND l.lot <> '' ORDER BY l.material, l.lot
"""


async def lots_of_job(job_id: int) -> list[dict[str, str]]:
    """The job's kit lots (material, lot) at this moment, every kit handed out for it."""
    return [{"material": row["material"], "lot": row["lot"]} for row in await run(LOTS, job_id)]


async def submit_work(actor: Principal, job_id: int, data: SubmissionCreate) -> SubmissionRead:
    """Report finished pieces with photos; a leader may submit for an artisan of the village."""
    async with write_transaction():
        actor, job, on_behalf_of = await _job_for_submission(actor, job_id)
        if job["status"] not in TRANSITIONS[Action.SUBMIT][0]:
            raise InvalidTransition(status=job["status"])
        if data.quantity > job["quantity_accepted"]:
            raise Invalid(
                N_("You accepted {accepted} pieces; you cannot submit more."),
                fields={"quantity": "above_accepted"},
                accepted=job["quantity_accepted"],
            )
        photo_ids = await _photos_of_job(actor, data.photo_ids, job["artisan_id"])
        submission = Submission(
            job=job_id,
            brand=actor.brand_id,
            quantity=data.quantity,
            photo_ids=json.dumps(photo_ids),
            note=data.note,
            lots=json.dumps(await lots_of_job(job_id), ensure_ascii=False),
            submitted_by=actor.member_id,
            channel=(Channel.ON_BEHALF if on_behalf_of else actor.channel).value,
        )
        await submission.save()
        await transition(
            job_id,
            Action.SUBMIT,
            actor,
            counts={Count.SUBMITTED: data.quantity, Count.REPORTED: 0},
            on_behalf_of=on_behalf_of,
            submission_id=submission.id,
            quantity=data.quantity,
        )
        return submission_read(submission.to_dict())


REPORT = """
UPDATE job SET quantity_reported = {}, reported_at = {} WHERE id = {} AND status IN ({}, {}) RETURNING brand
"""


async def report_done(actor: Principal, job_id: int, quantity: int | None) -> JobRead:
    """The artisan says ``quantity`` pieces are finished (by SMS: "完成 15"). The report waits
    in the job, visible to the village leader in the job feed, until the leader photographs
    and submits the pieces; it is not a submission and skips no review."""
    async with write_transaction():
        actor, job = await own_job(actor, job_id)
        if job["status"] not in TRANSITIONS[Action.SUBMIT][0]:
            raise InvalidTransition(status=job["status"])
        if quantity is None:
            raise Invalid(N_("Say how many pieces are finished."), fields={"quantity": "quantity_missing"})
        if quantity > job["quantity_accepted"]:
            raise Invalid(
                N_("You accepted {accepted} pieces; you cannot submit more."),
                fields={"quantity": "above_accepted"},
                accepted=job["quantity_accepted"],
            )
        changed = await run(REPORT, quantity, utcnow(), job_id, *(s.value for s in TRANSITIONS[Action.SUBMIT][0]))
        if not changed:
            raise InvalidTransition(status=(await job_row(actor, job_id, Role.ARTISAN) or job)["status"])
        note_changed([job_id])  # the leader's feed shows the report
        await record_event(
            actor, brand_id=actor.brand_id, entity="job", entity_id=job_id, action="report", quantity=quantity
        )
        return msgspec.structs.replace(job_read(job), quantity_reported=quantity)


def submission_read(row: dict[str, Any]) -> SubmissionRead:
    return SubmissionRead(
        id=row["id"],
        job_id=row["job"],
        quantity=row["quantity"],
        photo_ids=json.loads(row["photo_ids"]),
        note=row["note"],
        lots=[Lot(**lot) for lot in json.loads(row.get("lots") or "[]")],
        status=SubmissionStatus(row["status"]),
        channel=row["channel"],
        review_reason=row["review_reason"],
        created_at=row["created_at"],
    )


async def review_submission(actor: Principal, submission_id: int, data: ReviewRequest) -> SubmissionRead:
    """Approve the pieces, or send them back for rework with a reason."""
    require_role(actor, *STAFF)
    if data.decision == Decision.REWORK and not data.reason.strip():
        raise Invalid(N_("Say what needs rework."), fields={"reason": "required"})
    async with write_transaction():
        row = (
            await Submission.select()
            .where((Submission.id == submission_id) & (Submission.brand == actor.brand_id))
            .first()
        )
        if row is None:
            raise NotFound()
        if row["status"] != SubmissionStatus.SUBMITTED:
            raise InvalidTransition(status=row["status"])
        approve = data.decision == Decision.APPROVE
        await transition(
            row["job"],
            Action.APPROVE if approve else Action.REWORK,
            actor,
            counts={Count.APPROVED: row["quantity"]} if approve else None,
            submission_id=submission_id,
            reason=data.reason,
        )
        if not approve:
            await tell_rework(row["job"], data.reason)
        status = SubmissionStatus.APPROVED if approve else SubmissionStatus.REWORK
        changed = (
            await Submission.update(
                {
                    Submission.status: status.value,
                    Submission.review_reason: data.reason,
                    Submission.reviewed_by: actor.member_id,
                    Submission.reviewed_at: utcnow(),
                }
            )
            .where((Submission.id == submission_id) & (Submission.status == SubmissionStatus.SUBMITTED.value))
            .returning(*Submission.all_columns())
        )
        if approve:
            await issue_passport(actor, submission_id)
        return submission_read(changed[0])


# What a reviewer needs beside the photos: whose work, for which order, against which notes.
QUEUE = """
SELECT s.id, s.job, s.quantity, s.photo_ids, s.note, s.lots, s.status, s.channel, s.review_reason, s.created_at,
       j.code AS job_code, j.artisan AS artisan_id, j."order" AS order_id, j.quantity_accepted,
       o.title AS order_title, o.quality_notes, o.photo_ids AS reference_photo_ids,
       m.name AS artisan_name, COALESCE(v.name, '') AS village
FROM submission s JOIN job j ON j.id = s.job JOIN production_order o ON o.id = j."order"
JOIN member m ON m.id = j.artisan LEFT JOIN village v ON v.id = m.village
WHERE s.brand = {} AND s.status = {} ORDER BY s.id LIMIT 500
"""


def review_item(row: dict[str, Any]) -> ReviewItem:
    read = submission_read(row | {"created_at": as_datetime(row["created_at"])})
    return ReviewItem(
        **msgspec.structs.asdict(read),
        job_code=row["job_code"],
        artisan_id=row["artisan_id"],
        artisan_name=row["artisan_name"],
        village=row["village"],
        order_id=row["order_id"],
        order_title=row["order_title"],
        quality_notes=row["quality_notes"],
        reference_photo_ids=json.loads(row["reference_photo_ids"]),
        quantity_accepted=row["quantity_accepted"],
    )


async def review_queue(actor: Principal, status: SubmissionStatus = SubmissionStatus.SUBMITTED) -> list[ReviewItem]:
    """The brand's submissions in a status, oldest first, with whose work and which order."""
    require_role(actor, *STAFF)
    return [review_item(row) for row in await run(QUEUE, actor.brand_id, status.value)]
