"""Wire types of jobs (offers and the work on them) and submissions."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

import msgspec

from backend.core.types import Id, Quantity, ShortText, Wire
from backend.jobs.machine import Status

MAX_OFFERS = 5000


class SubmissionStatus(StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REWORK = "rework"


class Decision(StrEnum):
    APPROVE = "approve"
    REWORK = "rework"


class Offer(Wire):
    artisan_id: Id
    quantity: Quantity


class DispatchRequest(Wire):
    offers: Annotated[list[Offer], msgspec.Meta(min_length=1, max_length=MAX_OFFERS)]


class JobRead(Wire):
    id: int
    order_id: int
    artisan_id: int
    status: Status
    code: str
    quantity_offered: int
    quantity_accepted: int
    quantity_submitted: int
    quantity_approved: int
    # Pieces the artisan reported done by SMS ("完成 15"), waiting for the village leader's
    # photos; back to 0 once work is submitted.
    quantity_reported: int
    expires_at: dt.datetime
    title: str
    craft: str
    unit_price_fen: int
    hours_per_piece: float | None  # the order's estimated hours per piece; null: not estimated
    hourly_rate_fen: int | None  # unit_price_fen ÷ hours_per_piece, rounded half up
    # She said the piece rate is too low (价低), and the rate she would take (null: not said).
    price_feedback: bool
    price_asked_fen: int | None
    due_date: dt.date
    quality_notes: str
    # The order's reference photos (GET /photos/{id}/list): what the pieces must look like.
    reference_photo_ids: list[int]
    # Why the coordinator asked for the work again (while the job is in rework).
    review_reason: str
    artisan_name: str  # whose job: a village leader sees the village's
    brand_id: int  # whose work: a person may work with several brands
    brand_name: str


class JobList(Wire):
    jobs: list[JobRead]
    cursor: str | None = None


class AcceptRequest(Wire):
    quantity: Quantity | None = None


class DeclineRequest(Wire):
    reason: ShortText = ""


class PriceFeedbackCreate(Wire):
    price_fen: Annotated[int, msgspec.Meta(le=10**12)] | None = None  # the piece rate she would take


class PriceFeedbackRead(Wire):
    job_id: int
    price_fen: int | None
    channel: str
    at: dt.datetime


class PriceAnswer(Wire):
    """One artisan's word on an order's piece rate, for its coordinators."""

    job_id: int
    artisan_id: int
    name: str
    village: str
    price_fen: int | None
    channel: str
    at: dt.datetime


class PriceFeedbackSummary(Wire):
    answers: list[PriceAnswer]  # oldest answer first
    count: int
    offers_open: int  # offers of the order still waiting for an answer
    median_price_fen: int | None  # of the prices asked; null: none named one


class SubmissionCreate(Wire):
    quantity: Quantity
    photo_ids: Annotated[list[Id], msgspec.Meta(min_length=1, max_length=20)]
    note: ShortText = ""


class Lot(Wire):
    """A material's lot the work was made with (from the job's kits, at submission)."""

    material: str
    lot: str


class SubmissionRead(Wire):
    id: int
    job_id: int
    quantity: int
    photo_ids: list[int]
    note: str
    status: SubmissionStatus
    channel: str
    review_reason: str
    created_at: dt.datetime
    lots: list[Lot]  # the kit lots (material, lot) of the job when it was submitted


class ReviewItem(SubmissionRead):
    """A submission in the review queue, with what the reviewer compares it to."""

    job_code: str
    artisan_id: int
    artisan_name: str
    village: str
    order_id: int
    order_title: str
    quality_notes: str
    reference_photo_ids: list[int]
    quantity_accepted: int


class SubmissionList(Wire):
    submissions: list[ReviewItem]


class ReviewRequest(Wire):
    decision: Decision
    reason: ShortText = ""


class SuggestionFilter(msgspec.Struct, frozen=True, kw_only=True):
    """Whom a dispatch suggestion may name, and for how many pieces (None: the defaults)."""

    village_ids: list[int] | None = None  # default: every village
    crafts: list[str] | None = None  # default: the order's craft
    artisan_ids: list[int] | None = None  # default: anyone who fits
    quantity: int | None = None  # default: what the order still needs


class SuggestedOffer(Wire):
    artisan_id: int
    name: str
    village_id: int
    village: str
    crafts: list[str]
    quantity: int  # the pieces suggested for this artisan
    # Jobs on time ÷ jobs finished or overdue in the last 180 days (backend.jobs.record);
    # null: nothing finished or overdue in that time.
    on_time_rate: float | None
    open_load: int  # pieces accepted and not yet handed in (accepted or in rework), for every brand she works with
    finished_jobs: int  # jobs finished (approved) in the last 180 days
    sms_only: bool
    score: float  # what the ranking sorts by (backend.jobs.suggestion)


class Suggestion(Wire):
    remaining: int  # what the order still needs: quantity - accepted - open offers, at least 0
    wanted: int  # the pieces split among the offers: the quantity asked for, else the remaining
    offers: list[SuggestedOffer]  # best first; only artisans suggested at least one piece
    candidates: int  # the artisans who fit the filters
    # The next best who fit but were given no piece (quantity 0), at most MORE_CANDIDATES:
    # the coordinator may still choose them.
    others: list[SuggestedOffer] = msgspec.field(default_factory=list)
