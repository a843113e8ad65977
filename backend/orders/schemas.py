"""Wire types of orders."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

import msgspec
from msgspec import UNSET, UnsetType

from backend.core.types import CraftCode, Fen, Id, LongText, Quantity, Title, Wire

MAX_REFERENCE_PHOTOS = 8
ReferencePhotos = Annotated[list[Id], msgspec.Meta(max_length=MAX_REFERENCE_PHOTOS)]
# Estimated working hours per piece, at most one decimal (2.5); stored in tenths (backend.orders.rates).
HoursPerPiece = Annotated[
    float, msgspec.Meta(gt=0, le=1000, description="Estimated hours of work per piece, at most one decimal.")
]


class OrderStatus(StrEnum):
    OPEN = "open"
    CANCELLED = "cancelled"


class OrderCreate(Wire):
    title: Title
    craft: CraftCode
    quantity: Quantity
    unit_price_fen: Fen
    due_date: dt.date
    description: LongText = ""
    quality_notes: LongText = ""
    photo_ids: ReferencePhotos = msgspec.field(default_factory=list)
    hours_per_piece: HoursPerPiece | None = None


class OrderUpdate(Wire):
    """What may change before the order is dispatched (afterwards artisans rely on it)."""

    title: Title | UnsetType = UNSET
    craft: CraftCode | UnsetType = UNSET
    quantity: Quantity | UnsetType = UNSET
    unit_price_fen: Fen | UnsetType = UNSET
    due_date: dt.date | UnsetType = UNSET
    description: LongText | UnsetType = UNSET
    quality_notes: LongText | UnsetType = UNSET
    photo_ids: ReferencePhotos | UnsetType = UNSET
    hours_per_piece: HoursPerPiece | UnsetType | None = UNSET  # null: no estimate any more


class Progress(Wire):
    quantity: int
    accepted: int
    submitted: int
    approved: int
    paid: int
    offered_open: int
    price_low: int = 0  # jobs whose artisan said the piece rate is too low (GET /orders/{id}/price-feedback)


class OrderRead(Wire):
    id: int
    title: str
    description: str
    craft: str
    quantity: int
    unit_price_fen: int
    hours_per_piece: float | None  # estimated hours per piece; null: not estimated
    hourly_rate_fen: int | None  # unit_price_fen ÷ hours_per_piece, rounded half up; null without hours
    due_date: dt.date
    quality_notes: str
    photo_ids: list[int]
    status: OrderStatus
    created_at: dt.datetime
    progress: Progress


class OrderList(Wire):
    orders: list[OrderRead]
    cursor: str | None
