"""Wire types of orders, jobs and submissions."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from backend.core.types import Craft, Fen, Id, LongText, Quantity, ShortText, Title, Wire


class OrderCreate(Wire):
    title: Title
    craft: Craft
    quantity: Quantity
    unit_price_fen: Fen
    due_date: dt.date
    description: LongText = ""
    quality_notes: LongText = ""


class Progress(Wire):
    quantity: int
    accepted: int
    submitted: int
    approved: int
    paid: int
    offered_open: int


class OrderRead(Wire):
    id: int
    title: str
    description: str
    craft: str
    quantity: int
    unit_price_fen: int
    due_date: dt.date
    quality_notes: str
    status: str
    created_at: dt.datetime
    progress: Progress | None = None


class OrderList(Wire):
    orders: list[OrderRead]
    cursor: str | None


class Offer(Wire):
    artisan_id: Id
    quantity: Quantity


class DispatchRequest(Wire):
    offers: Annotated[list[Offer], msgspec.Meta(min_length=1, max_length=500)]


class JobRead(Wire):
    id: int
    order_id: int
    artisan_id: int
    status: str
    code: str
    quantity_offered: int
    quantity_accepted: int
    quantity_submitted: int
    quantity_approved: int
    expires_at: dt.datetime
    title: str
    craft: str
    unit_price_fen: int
    due_date: dt.date
    change_seq: int


class JobList(Wire):
    jobs: list[JobRead]
    cursor: str | None = None


class AcceptRequest(Wire):
    quantity: Quantity | None = None


class DeclineRequest(Wire):
    reason: ShortText = ""


class SubmissionCreate(Wire):
    quantity: Quantity
    photo_ids: Annotated[list[Id], msgspec.Meta(min_length=1, max_length=20)]
    note: ShortText = ""


class SubmissionRead(Wire):
    id: int
    job_id: int
    quantity: int
    photo_ids: list[int]
    note: str
    status: str
    channel: str
    review_reason: str
    created_at: dt.datetime


class SubmissionList(Wire):
    submissions: list[SubmissionRead]


class ReviewRequest(Wire):
    decision: Literal["approve", "rework"]
    reason: ShortText = ""
