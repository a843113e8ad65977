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
