"""Who sees a photo through the work it belongs to (``backend.photos.service.PhotoAccess``):
an artisan the photos a leader submitted for her, and the pattern photos of the orders she
(a leader: one of the village's artisans) was offered. Photos never import jobs; the route
hands them this module."""

from __future__ import annotations

import json

from backend.core.access import acting_in
from backend.core.errors import NotFound
from backend.core.types import Principal, Role
from backend.db.session import run
from backend.jobs.queries import job_row
from backend.jobs.tables import Submission

# The reference photos of orders offered to these artisans (a leader: to her villages' artisans).
REFERENCE_PHOTOS = {
    Role.ARTISAN: "SELECT o.photo_ids FROM production_order o WHERE o.photo_ids <> '[]' "
    'AND EXISTS (SELECT 1 FROM job j WHERE j."order" = o.id AND j.artisan IN ({marks}))',
    Role.LEADER: "SELECT o.photo_ids FROM production_order o WHERE o.photo_ids <> '[]' "
    "AND EXISTS (SELECT 1 FROM job j JOIN member m ON m.id = j.artisan "
    'WHERE j."order" = o.id AND m.village IN ({marks}))',
}


async def sees_through_work(actor: Principal, photo_id: int) -> bool:
    """Whether the photo is of her own work (in any brand she works with), or the pattern of
    an order offered to her or to the artisans of a village she leads."""
    own = actor.member_ids(Role.ARTISAN)
    if own:
        submitted = await Submission.select(Submission.photo_ids).where(Submission.job.artisan.is_in(list(own)))
        if any(photo_id in json.loads(row["photo_ids"]) for row in submitted):
            return True
    for role, values in ((Role.ARTISAN, own), (Role.LEADER, actor.village_ids(Role.LEADER))):
        if values:
            sql = REFERENCE_PHOTOS[role].replace("{marks}", ", ".join("{}" for _ in values))
            if any(photo_id in json.loads(row["photo_ids"]) for row in await run(sql, *values)):
                return True
    return False


async def for_job(actor: Principal, job_id: int) -> Principal:
    """The person as her membership of a job's brand, when she uploads its photos: her own
    job, or one of a village she leads (otherwise the job does not exist for her)."""
    for role in (Role.ARTISAN, Role.LEADER):
        job = await job_row(actor, job_id, role)
        if job is not None:
            return acting_in(actor, job["brand_id"])
    raise NotFound()
