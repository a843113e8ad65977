"""Wire types of payouts."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from backend.core.types import Fen, Reason, Reference, ShortText, Wire


class PayoutMethod(StrEnum):
    CASH = "cash"
    WECHAT = "wechat"
    ALIPAY = "alipay"
    BANK = "bank"


class PayoutStatus(StrEnum):
    PAID = "paid"
    CONFIRMED = "confirmed"
    DISPUTED = "disputed"


class Resolution(StrEnum):
    PAID = "paid"
    CONFIRMED = "confirmed"


class PayoutCreate(Wire):
    method: PayoutMethod
    reference: Reference = ""
    amount_fen: Fen | None = None


class DisputeRequest(Wire):
    reason: Reason


class ResolveRequest(Wire):
    resolution: Resolution
    note: ShortText = ""


class PayoutRead(Wire):
    id: int
    job_id: int
    artisan_id: int
    brand_id: int  # whose money: a person may work with several brands (GET /me names them)
    amount_fen: int
    method: str
    reference: str
    status: PayoutStatus
    dispute_reason: str
    resolution_note: str
    created_at: dt.datetime
    confirmed_at: dt.datetime | None
    # app, sms, voice, console (a dispute settled as confirmed) or simulator (staff typed it)
    confirmed_via: str = ""


class PayoutList(Wire):
    payouts: list[PayoutRead]


class PayoutDue(Wire):
    """Approved work not paid yet; ``amount_fen`` is what a payout records by default."""

    job_id: int
    code: str
    artisan_id: int
    artisan_name: str
    village: str
    order_id: int
    order_title: str
    quantity_approved: int
    unit_price_fen: int
    amount_fen: int
    approved_at: dt.datetime


class PayoutDueList(Wire):
    due: list[PayoutDue]


class LineKind(StrEnum):
    """What a line of a job in the income statement records. Each kind is its own line, so
    that money moves of other kinds (an advance, a deduction) join a job as lines of their own."""

    EARNED = "earned"  # approved pieces × piece rate, on the day they were approved
    PAID = "paid"  # a payout recorded, on the day it was recorded


class Amount(Wire):
    """Money in fen, and as the reader writes it (Babel, her locale)."""

    fen: int
    text: str


class StatementLine(Wire):
    kind: LineKind
    at: dt.datetime
    day: dt.date  # the calendar day in China
    amount: Amount
    quantity: int | None = None  # earned: the approved pieces
    unit_price: Amount | None = None  # earned: the piece rate
    payout_id: int | None = None  # paid
    method: str = ""  # paid: cash, wechat, alipay or bank
    method_label: str = ""
    reference: str = ""  # paid: the transfer reference, masked (its last four characters)
    status: PayoutStatus | None = None  # paid: paid (awaiting her confirmation), confirmed or disputed
    status_label: str = ""
    dispute_reason: str = ""
    resolution_note: str = ""  # how the brand closed a dispute
    confirmed_at: dt.datetime | None = None


class StatementJob(Wire):
    job_id: int
    code: str
    order_title: str
    lines: list[StatementLine]


class StatementTotals(Wire):
    """Sums of a month's lines. ``paid`` = ``confirmed`` + ``disputed`` + ``awaiting``
    (payouts she has not answered yet); each payout counted by its status today."""

    earned: Amount
    paid: Amount
    confirmed: Amount
    disputed: Amount
    awaiting: Amount


class StatementBrand(Wire):
    brand_id: int
    brand_name: str
    member_id: int
    artisan_name: str  # her name as this brand knows her
    jobs: list[StatementJob]
    totals: StatementTotals


class Statement(Wire):
    """A person's income statement (收入明细) for one calendar month in China."""

    month: str  # YYYY-MM
    name: str
    locale: str
    generated_on: dt.date  # the day in China it was made: the printed page's date line
    brands: list[StatementBrand]
    totals: StatementTotals


class StatementMonths(Wire):
    months: list[str]  # YYYY-MM with any line, newest first
