"""Wire types of orders."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from backend.core.types import CraftCode, Fen, LongText, Quantity, Title, Wire


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
    status: OrderStatus
    created_at: dt.datetime
    progress: Progress | None = None


class OrderList(Wire):
    orders: list[OrderRead]
    cursor: str | None
