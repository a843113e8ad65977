"""Wire types of material kits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

import msgspec

from backend.core.types import TEXT, Fen, Reason, ShortText, Wire

# Lengths are the service's rules (a 422 naming the line and field); these only bound the body.
Text = Annotated[str, msgspec.Meta(max_length=500, pattern=TEXT)]


class KitStatus(StrEnum):
    HANDED_OUT = "handed_out"  # waiting for her word
    RECEIVED = "received"  # she got all of it
    SHORT = "short"  # she says something is missing: waits for a coordinator's decision
    ADJUSTED = "adjusted"  # decided: what she got is recorded, nothing deducted (the brand's loss)
    DEDUCTED = "deducted"  # decided: an amount comes off that job's payout


class KitDecisionKind(StrEnum):
    ADJUST = "adjust"
    DEDUCT = "deduct"


class KitLineIn(Wire):
    material: Text  # 1 to 60 characters
    # A number or a decimal text ("2.5"); at most three decimals, more than 0, at most 1,000,000.
    quantity: Decimal
    unit: Text  # 1 to 16 characters: 把, 克, 米, 张, pieces…
    lot: Text = ""  # at most 60 characters


class KitCreate(Wire):
    lines: Annotated[list[KitLineIn], msgspec.Meta(max_length=100)]  # 1 to 20 (the service says which)


class ShortRequest(Wire):
    note: ShortText = ""


class ReceivedLine(Wire):
    line_id: int
    quantity: Decimal  # what she actually got (0 allowed)


class KitDecide(Wire):
    decision: KitDecisionKind
    reason: Reason
    amount_fen: Annotated[int, msgspec.Meta(ge=1, le=10**12)] | None = None  # deduct only
    received_lines: Annotated[list[ReceivedLine], msgspec.Meta(max_length=20)] = []  # noqa: RUF012


class KitLineRead(Wire):
    id: int
    material: str
    quantity: str  # decimal text, e.g. "2.5"
    unit: str
    lot: str
    received: str | None  # what she actually got, as a coordinator recorded it


class KitDecisionRead(Wire):
    decision: KitDecisionKind
    amount_fen: Fen
    reason: str
    decided_by: int | None
    decided_at: dt.datetime
    deducted_in: int | None  # the payout that deducted it


class KitRead(Wire):
    id: int
    job_id: int
    code: str  # the job's
    order_id: int
    artisan_id: int
    artisan_name: str
    brand_id: int
    status: KitStatus
    note: str
    lines: list[KitLineRead]
    handed_by: int | None
    handed_at: dt.datetime
    confirmed_at: dt.datetime | None
    confirmed_via: str
    decision: KitDecisionRead | None


class KitList(Wire):
    kits: list[KitRead]


class KitOut(Wire):
    """A material out in a village: the sum of every kit line of one material, unit and lot."""

    village_id: int | None
    village: str
    material: str
    unit: str
    lot: str
    handed_out: str  # decimal text: everything handed out (every kit not settled as received or decided)
    outstanding: str  # of which not yet accounted for: waiting for her word, or short and undecided
    kits: int


class KitOutList(Wire):
    out: list[KitOut]
