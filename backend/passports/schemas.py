"""Wire types of piece passports: the staff's list and the public, signed facts."""

from __future__ import annotations

import datetime as dt

import msgspec

from backend.core.types import Reason, Wire


class PassportItem(Wire):
    """One passport as the brand's staff see it (her name included: staff know her)."""

    id: str
    url: str
    status: str  # "valid" or "withdrawn"
    submission_id: int
    job_id: int
    job_code: str
    artisan_name: str
    quantity: int
    approved_at: dt.datetime
    withdrawn_at: dt.datetime | None
    withdrawn_reason: str
    scans_total: int
    scans_last_30_days: int
    busiest_day_scans: int
    flagged: bool  # likely a copied label: see ``service.COPY_RULE``


class PassportList(Wire):
    """An order's passports and its scans, summed over them (scans per product)."""

    order_id: int
    order_title: str
    scans_total: int
    scans_last_30_days: int
    flagged: int  # how many of its passports are flagged
    passports: list[PassportItem]


class WithdrawRequest(Wire):
    reason: Reason


class Maker(msgspec.Struct, frozen=True, kw_only=True):
    """The maker as she chose to be shown: ``name`` is None unless she agreed to be named."""

    named: bool
    name: str | None
    words: str | None = None  # her own words as she approved them, only with her consent


class Facts(msgspec.Struct, frozen=True, kw_only=True):
    """What a passport says in public, the same in every language (the page picks the words);
    signed as it is. Nothing of the never list: no phone, ID, address below the village, GPS,
    amount, other piece or other person."""

    id: str
    url: str
    status: str  # "valid" or "withdrawn"
    brand: str
    product: str
    craft: dict[str, str]  # the brand's names of the craft, by language
    pieces: int
    county: str
    province: str
    village: str | None  # only with her consent
    approved_month: str  # YYYY-MM, China time
    design_story: str
    pattern_photo: str | None  # a public URL under /p/ID/
    maker: Maker
    work_photo: str | None  # her approved photo of the work, only with her consent
    paid_confirmed_month: str | None  # she confirmed she was paid (YYYY-MM); never an amount


class SignedPassport(msgspec.Struct, frozen=True, kw_only=True):
    """``GET /p/ID.json``: the facts and an Ed25519 signature over their canonical JSON."""

    facts: Facts
    alg: str
    kid: str
    signature: str  # base64url
