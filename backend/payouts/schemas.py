"""Wire types of payouts."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

import msgspec

from backend.core.types import Fen, ShortText, Wire


class PayoutMethod(StrEnum):
    CASH = "cash"
    WECHAT = "wechat"
    ALIPAY = "alipay"
    BANK = "bank"


class PayoutCreate(Wire):
    method: PayoutMethod
    reference: ShortText = ""
    amount_fen: Fen | None = None


class DisputeRequest(Wire):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


class ResolveRequest(Wire):
    resolution: Literal["paid", "confirmed"]
    note: ShortText = ""


class PayoutRead(Wire):
    id: int
    job_id: int
    artisan_id: int
    amount_fen: int
    method: str
    reference: str
    status: str
    dispute_reason: str
    resolution_note: str
    created_at: dt.datetime
    confirmed_at: dt.datetime | None


class PayoutList(Wire):
    payouts: list[PayoutRead]
