"""HTTP routes of the artisan's jobs and the coordinator's review."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from backend.core.types import Principal
from backend.http.params import Since
from backend.http.responses import Encoded, VersionedCache, encode, respond
from backend.jobs import price_feedback, service, submissions
from backend.jobs.schemas import (
    AcceptRequest,
    DeclineRequest,
    JobList,
    JobRead,
    PriceFeedbackCreate,
    PriceFeedbackRead,
    ReviewRequest,
    SubmissionCreate,
    SubmissionList,
    SubmissionRead,
    SubmissionStatus,
)

FEED_CACHE = VersionedCache()


class JobController(Controller):
    tags = ("jobs",)

    @get("/jobs", summary="Own jobs (a leader: the village's) changed since the cursor")
    async def feed(
        self, request: Request[Any, Any, Any], principal: NamedDependency[Principal], since: Since = 0
    ) -> Response[JobList]:
        async def make() -> Encoded:
            jobs, cursor = await service.list_changed_jobs(principal, since)
            return encode(JobList(jobs=jobs, cursor=str(cursor)))

        # Most calls find nothing new: answer from the encoded copy while no job changed.
        key = (principal.person_id, principal.memberships, since)
        return respond(request, await FEED_CACHE.get_or_make(key, await service.feed_version(), make))

    @post("/jobs/{job_id:int}/accept", status_code=200, summary="Accept an offer, all or part")
    async def accept(
        self, principal: NamedDependency[Principal], job_id: FromPath[int], data: JSONBody[AcceptRequest]
    ) -> JobRead:
        return await service.accept_job(principal, job_id, data.quantity)

    @post("/jobs/{job_id:int}/decline", status_code=200, summary="Decline an offer")
    async def decline(
        self, principal: NamedDependency[Principal], job_id: FromPath[int], data: JSONBody[DeclineRequest]
    ) -> JobRead:
        return await service.decline_job(principal, job_id, data.reason)

    @post("/jobs/{job_id:int}/price-feedback", status_code=200, summary="Say the piece rate is too low (价低)")
    async def price_feedback(
        self, principal: NamedDependency[Principal], job_id: FromPath[int], data: JSONBody[PriceFeedbackCreate]
    ) -> PriceFeedbackRead:
        return await price_feedback.say_price_too_low(principal, job_id, data.price_fen)

    @post("/jobs/{job_id:int}/submissions", summary="Submit finished pieces with photos")
    async def submit(
        self, principal: NamedDependency[Principal], job_id: FromPath[int], data: JSONBody[SubmissionCreate]
    ) -> SubmissionRead:
        return await submissions.submit_work(principal, job_id, data)

    @get("/submissions", summary="The brand's review queue, oldest first")
    async def queue(
        self,
        principal: NamedDependency[Principal],
        status: FromQuery[SubmissionStatus] = SubmissionStatus.SUBMITTED,
    ) -> SubmissionList:
        return SubmissionList(submissions=await submissions.review_queue(principal, status))

    @post("/submissions/{submission_id:int}/review", status_code=200, summary="Approve, or ask for rework")
    async def review(
        self, principal: NamedDependency[Principal], submission_id: FromPath[int], data: JSONBody[ReviewRequest]
    ) -> SubmissionRead:
        return await submissions.review_submission(principal, submission_id, data)
