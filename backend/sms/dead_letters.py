"""Items of a provider's push that could not be read: set aside with the reason, never refused.

A push is a batch, and the provider repeats a refused batch as it was: refusing it for one
bad item would lose the good ones with it, for ever. So the good items are kept as usual
and each bad one is kept here, once per provider, kind and raw text (a repeat is one row),
with the brand it belongs to when that can be told: the phone of one of its people, or the
message a report names. Coordinators see their brand's; one without a brand might hold
another brand's villager's number, so brands learn only how many there are, and an
operator lists them all (``cunjiang sms dead-letters``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from typing import Any

import msgspec

from backend.accounts.service import brands_of
from backend.core.access import STAFF, require_role
from backend.core.errors import Invalid
from backend.core.i18n import N_, translate
from backend.core.phones import mask_phone, normalize_phone
from backend.core.types import Principal, as_datetime, utcnow
from backend.db.session import run, write_transaction
from backend.sms.schemas import DeadLetterList, DeadLetterRead, DeadLetterReason, PushKind

MAX_RAW = 4000  # characters of the item kept; its digest covers all of it
MAX_DETAIL = 200
PAGE = 50
MAX_MESSAGE_ID = 2**31 - 1
REASONS = {
    DeadLetterReason.NOT_AN_OBJECT: N_("Not a message: the item is not a JSON object."),
    DeadLetterReason.UNREADABLE_JSON: N_("The item's text cannot be read."),
    DeadLetterReason.MISSING_FIELD: N_("A field the message needs is missing."),
    DeadLetterReason.INVALID_FIELD: N_("A field holds a value of the wrong kind."),
    DeadLetterReason.INVALID_ID: N_("Its id cannot be stored."),
    DeadLetterReason.UNREADABLE_PHONE: N_("The phone number cannot be read."),
    DeadLetterReason.TOO_LONG: N_("The text is longer than we keep."),
    DeadLetterReason.INVALID_TEXT: N_("The text holds a character that cannot be stored."),
    DeadLetterReason.DUPLICATE_ID: N_("Its id was used before by another message."),
    DeadLetterReason.UNKNOWN_MESSAGE: N_("The report matches no message we sent."),
    DeadLetterReason.UNKNOWN_CALL: N_("The report matches no call we placed."),
}
KEEP = """
INSERT INTO sms_dead_letter (provider, kind, digest, item, reason, detail, brand, received_at)
VALUES {values} ON CONFLICT (digest) DO NOTHING RETURNING id
"""
LIST = """
SELECT id, provider, kind, item, reason, detail, received_at FROM sms_dead_letter
WHERE brand = {} {after} ORDER BY id DESC LIMIT {}
"""
ALL = """
SELECT d.id, d.provider, d.kind, d.item, d.reason, d.detail, d.received_at, b.slug AS brand
FROM sms_dead_letter d LEFT JOIN brand b ON b.id = d.brand ORDER BY d.id
"""
MESSAGES = """
SELECT reference, to_phone, brand FROM outbox_message
WHERE id >= {} AND reference IN ({references}) AND to_phone IN ({phones})
"""
# Numbers of six digits or more in a raw item: a phone number, a sign-in code a villager
# texted back. Longer than a phone number (15 digits) they are provider ids, left as they are.
NUMBER = re.compile(r"(?<![0-9])\+?[0-9]{6,15}(?![0-9])")


class Rejected(msgspec.Struct, frozen=True):
    """One item set aside: the JSON text it came as, why, and what may tell its brand."""

    raw: bytes
    reason: DeadLetterReason
    detail: str  # a few English words
    phone: str = ""  # its phone number as it came, if it has one
    out_id: str = ""  # a report's OutId (the id of our message), if it has one
    brand: int | None = None  # its brand, when what pushed it could tell (a call's)


def digest(provider: str, kind: PushKind, raw: bytes) -> str:
    """What makes a repeat of the same item one row."""
    return hashlib.sha256(f"{provider}\n{kind.value}\n".encode() + raw).hexdigest()


async def keep(provider: str, kind: PushKind, rejected: Sequence[Rejected]) -> int:
    """Set each item aside once (a repeat, in this push or an earlier one, changes nothing),
    with its brand when it can be told; how many were new."""
    if not rejected:
        return 0
    unique = {digest(provider, kind, item.raw): item for item in rejected}
    brands = await _brands(unique.values())
    now = utcnow()
    rows = [
        (provider, kind.value, key, _text(item.raw), item.reason.value, item.detail[:MAX_DETAIL], brands[item], now)
        for key, item in unique.items()
    ]
    values = ", ".join("({}, {}, {}, {}, {}, {}, {}, {})" for _ in rows)
    async with write_transaction():
        stored = await run(KEEP.replace("{values}", values), *(value for row in rows for value in row))
    return len(stored)


def _text(raw: bytes) -> str:
    """The item as text a database takes (bytes that are not UTF-8 escaped), cut if long."""
    text = raw.decode("utf-8", "backslashreplace")
    return text if len(text) <= MAX_RAW else text[:MAX_RAW] + "…"


async def _brands(items: Iterable[Rejected]) -> dict[Rejected, int | None]:
    """Each item's brand: the one it came with, else that of the person its phone number is, else
    that of the message its OutId and number name (one call's messages share an OutId, and a batch may span brands)."""
    items = list(items)
    numbers = {item.phone: number for item in items if item.phone and (number := _e164(item.phone))}
    by_phone = await brands_of(set(numbers.values()))
    sent = {
        (item.out_id, numbers[item.phone]) for item in items if item.phone in numbers and _is_message_id(item.out_id)
    }
    by_message = await _message_brands(sent)
    brands: dict[Rejected, int | None] = {}
    for item in items:
        number = numbers.get(item.phone) or ""
        brands[item] = item.brand or by_phone.get(number) or by_message.get((item.out_id, number))
    return brands


async def _message_brands(sent: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """The brand of the message each (OutId, number) names. An OutId is the id of the first
    message of its call: the others come after it."""
    if not sent:
        return {}
    references, phones = {reference for reference, _ in sent}, {phone for _, phone in sent}
    sql = MESSAGES.replace("{references}", ", ".join("{}" for _ in references))
    sql = sql.replace("{phones}", ", ".join("{}" for _ in phones))
    rows = await run(sql, min(int(reference) for reference in references), *references, *phones)
    return {
        (row["reference"], row["to_phone"]): row["brand"]
        for row in rows
        if (row["reference"], row["to_phone"]) in sent and row["brand"] is not None
    }


def _is_message_id(text: str) -> bool:
    return text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_MESSAGE_ID


def _e164(text: str) -> str | None:
    """The number in E.164 when ``text`` is one, local (13800138000) or with a country code (8613800138000)."""
    for form in (text, "+" + text.strip()):
        try:
            return normalize_phone(form)
        except Invalid:
            continue
    return None


async def list_for(actor: Principal, cursor: int | None = None) -> DeadLetterList:
    """The brand's items set aside, newest first, a page at a time, and how many have no brand."""
    require_role(actor, *STAFF)
    after, params = ("AND id < {}", [cursor]) if cursor else ("", [])
    rows = await run(LIST.replace("{after}", after), actor.brand_id, *params, PAGE + 1)
    page = rows[:PAGE]
    numbers = {match: _e164(match) for row in page for match in NUMBER.findall(row["item"])}
    brands = await brands_of({number for number in numbers.values() if number})
    ours = {text for text, number in numbers.items() if number and brands.get(number) == actor.brand_id}
    [counted] = await run("SELECT COUNT(*) AS n FROM sms_dead_letter WHERE brand IS NULL")
    return DeadLetterList(
        dead_letters=[_read(row, ours, actor.locale) for row in page],
        unattributed=int(counted["n"]),
        cursor=str(page[-1]["id"]) if len(rows) > PAGE else None,
    )


def _read(row: dict[str, Any], ours: set[str], locale: str) -> DeadLetterRead:
    reason = DeadLetterReason(row["reason"])
    return DeadLetterRead(
        id=row["id"],
        provider=row["provider"],
        kind=PushKind(row["kind"]),
        reason=reason,
        reason_text=translate(REASONS[reason], locale),
        detail=row["detail"],
        item=masked(row["item"], ours),
        received_at=as_datetime(row["received_at"]),
    )


def masked(raw: str, ours: set[str]) -> str:
    """``raw`` with each number of six digits or more masked, unless it is one of ``ours``
    (as written there): phone numbers of others (``139****0000``), and six-digit numbers,
    which may be a sign-in code texted back, entirely."""

    def mask(match: re.Match[str]) -> str:
        number = match.group()
        if number in ours:
            return number
        return "******" if len(number.lstrip("+")) == 6 else mask_phone(number)

    return NUMBER.sub(mask, raw)


async def everything() -> list[dict[str, Any]]:
    """Every item set aside, oldest first, unmasked, with its brand's slug (None without one): for operators."""
    return await run(ALL)
