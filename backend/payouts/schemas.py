"""Wire types of payouts."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

import msgspec

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
    amount_fen: int  # the net paid: gross_fen less advance_fen and kit_fen
    method: str
    reference: str
    status: PayoutStatus
    dispute_reason: str
    resolution_note: str
    created_at: dt.datetime
    confirmed_at: dt.datetime | None
    # app, sms, voice, console (a dispute settled as confirmed) or simulator (staff typed it)
    confirmed_via: str = ""
    gross_fen: int = 0  # what the job earned (approved pieces × rate, or the amount recorded)
    advance_fen: int = 0  # the job's paid advances deducted, never more than the gross
    kit_fen: int = 0  # materials short, deducted by a coordinator's decision, never more than what is left


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
    amount_fen: int  # the net: gross_fen less advance_fen and kit_fen
    approved_at: dt.datetime
    gross_fen: int = 0  # approved pieces × rate
    advance_fen: int = 0  # the job's paid advances, deducted at payment (never more than the gross)
    kit_fen: int = 0  # materials short that coordinators decided to deduct (never more than what is left)


class PayoutDueList(Wire):
    due: list[PayoutDue]


class LineKind(StrEnum):
    """What a line of a job in the income statement records. Each kind is its own line, so
    that money moves of other kinds (an advance, a deduction) join a job as lines of their own."""

    EARNED = "earned"  # approved pieces × piece rate, on the day they were approved
    PAID = "paid"  # a payout recorded (the net after any advance), on the day it was recorded
    ADVANCED = "advanced"  # an advance paid, on the day it was paid
    DEDUCTED = "deducted"  # the job's advances deducted from its payout, on the payout's day
    KIT = "kit"  # materials short deducted from its payout by a coordinator's decision, on the payout's day


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
    payout_id: int | None = None  # paid, deducted, kit
    advance_id: int | None = None  # advanced
    method: str = ""  # paid, advanced: cash, wechat, alipay or bank
    method_label: str = ""
    reference: str = ""  # paid: the transfer reference, masked (its last four characters)
    # paid, advanced: paid (awaiting her confirmation), confirmed or disputed
    status: PayoutStatus | None = None
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
    (payouts she has not answered yet); each payout counted by its status today. ``advanced``:
    advances paid to her; ``deducted``: advances taken off payouts; ``kit``: materials short taken
    off payouts by a coordinator's decision (what she received for a month is ``paid`` + ``advanced``)."""

    earned: Amount
    paid: Amount
    confirmed: Amount
    disputed: Amount
    awaiting: Amount
    advanced: Amount
    deducted: Amount
    kit: Amount


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


class AdvanceStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REFUSED = "refused"
    LAPSED = "lapsed"  # approved but the job was paid first: nothing to advance any more
    PAID = "paid"
    CONFIRMED = "confirmed"
    DISPUTED = "disputed"


class AdvanceCreate(Wire):
    amount_fen: Annotated[int, msgspec.Meta(ge=1, le=10**12)] | None = None  # none: the most she may ask


class RefuseRequest(Wire):
    reason: Reason


class AdvancePay(Wire):
    method: PayoutMethod
    reference: Reference = ""


class AdvanceRead(Wire):
    id: int
    job_id: int
    code: str
    artisan_id: int
    brand_id: int
    amount_fen: int
    status: AdvanceStatus
    reason: str  # why it was refused, or why she disputes it
    method: str
    reference: str
    requested_via: str
    created_at: dt.datetime
    decided_at: dt.datetime | None
    paid_at: dt.datetime | None
    confirmed_at: dt.datetime | None
    deducted_in: int | None  # the payout that deducted it
    resolution_note: str = ""  # how the brand closed her dispute


class AdvanceList(Wire):
    advances: list[AdvanceRead]
