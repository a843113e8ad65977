"""Wire types of the dashboard: series shaped for drawing charts."""

from __future__ import annotations

import datetime as dt

from backend.core.types import Wire
from backend.orders.schemas import OrderStatus


class OrderBar(Wire):
    """One order's pieces at each stage (a stacked bar)."""

    id: int
    title: str
    status: OrderStatus
    due_date: dt.date
    quantity: int
    offered_open: int  # offered and not yet answered
    accepted: int
    submitted: int
    approved: int
    paid: int
    late: bool  # open, its due date passed (China time), and fewer pieces approved than ordered


class OrdersBoard(Wire):
    orders: list[OrderBar]  # newest first


class VillageMonth(Wire):
    month: str  # 2026-11, China time
    # Jobs on time ÷ jobs finished or overdue in the month (backend.jobs.record); null: neither.
    on_time_rate: float | None
    jobs_finished: int  # approved in the month
    jobs_overdue: int  # accepted, not approved, due in the month (and past due)
    pieces_approved: int  # the pieces of the jobs finished in the month
    earnings_fen: int  # payouts recorded in the month for the village's artisans


class VillageSeries(Wire):
    village_id: int
    village: str
    months: list[VillageMonth]  # oldest first, one per month asked for


class VillagesBoard(Wire):
    months: list[str]  # the months of every series, oldest first, this one last
    villages: list[VillageSeries]
