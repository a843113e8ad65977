"""Who sees a photo through the work it belongs to (``backend.photos.service.PhotoAccess``):
an artisan the photos a leader submitted for her, and the pattern photos of the orders she
(a leader: one of the village's artisans) was offered. Photos never import jobs; the route
hands them this module."""

from __future__ import annotations

import json

from backend.core.types import Principal, Role
from backend.db.session import run
from backend.jobs.tables import Submission

# The reference photos of orders offered to an artisan (a leader: to the village's artisans).
REFERENCE_PHOTOS = {
    Role.ARTISAN: "SELECT o.photo_ids FROM production_order o WHERE o.brand = {} AND o.photo_ids <> '[]' "
    'AND EXISTS (SELECT 1 FROM job j WHERE j."order" = o.id AND j.artisan = {})',
    Role.LEADER: "SELECT o.photo_ids FROM production_order o WHERE o.brand = {} AND o.photo_ids <> '[]' "
    'AND EXISTS (SELECT 1 FROM job j JOIN member m ON m.id = j.artisan WHERE j."order" = o.id AND m.village = {})',
}


async def sees_through_work(actor: Principal, photo_id: int) -> bool:
    """Whether the photo is of the actor's own work, or the pattern of an order offered to her."""
    if actor.role == Role.ARTISAN:
        submitted = await Submission.select(Submission.photo_ids).where(Submission.job.artisan == actor.member_id)
        if any(photo_id in json.loads(row["photo_ids"]) for row in submitted):
            return True
        rows = await run(REFERENCE_PHOTOS[Role.ARTISAN], actor.brand_id, actor.member_id)
    elif actor.role == Role.LEADER:
        rows = await run(REFERENCE_PHOTOS[Role.LEADER], actor.brand_id, actor.village_id or 0)
    else:
        return False
    return any(photo_id in json.loads(row["photo_ids"]) for row in rows)
