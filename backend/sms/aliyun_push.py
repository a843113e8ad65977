"""Aliyun's pushes, read item by item: each good reply stored (inbox-first), each good report
applied, each bad item set aside with its reason (``backend.sms.dead_letters``).

Aliyun repeats a refused push as it was, so one bad item must cost nothing but itself. An
item is bad when it is not an object, lacks a field or has one of the wrong type (decoded
as leniently as the rest of the API: ``"5"`` is 5), or when what it carries could not be
stored or used: an id that is blank, too long or has control characters, a phone number
that is not one, a text longer than the inbox keeps or with a NUL in it, a reply whose
``sequence_id`` was stored before with another number or text, a report that matches no
message of ours.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import msgspec

from backend.core.errors import IdempotencyMismatch
from backend.core.phones import phone_or_as_given
from backend.gateways.aliyun import AliyunReply, AliyunReport
from backend.outbox import record_status
from backend.sms import dead_letters, inbox
from backend.sms.dead_letters import Rejected
from backend.sms.schemas import DeadLetterReason, PushKind

PROVIDER = "aliyun"
MAX_ID = 64  # the inbox and the outbox keep provider ids in 64 characters
MAX_SEGMENTS = 255  # what one concatenated SMS can be made of
PHONE = re.compile(r"\+?[0-9][0-9 ()-]{1,30}")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
Item = TypeVar("Item", bound=msgspec.Struct)


class _Hints(msgspec.Struct):
    """What may tell a bad item's brand, whatever else is wrong with it."""

    phone_number: Any = None
    out_id: Any = None


async def receive_replies(items: Sequence[bytes]) -> list[int]:
    """Store each good reply once per ``sequence_id`` and set each bad item aside; the inbox
    ids stored now (a repeat is not stored again), for the conversation to answer."""
    stored: list[int] = []
    rejected: list[Rejected] = []
    for raw in items:
        reply = read_item(raw, AliyunReply, _reply_problem)
        if isinstance(reply, Rejected):
            rejected.append(reply)
            continue
        sequence_id = str(reply.sequence_id)
        try:
            received = await inbox.receive(PROVIDER, sequence_id, reply.phone_number, reply.dest_code, reply.content)
        except IdempotencyMismatch:
            detail = "sequence_id was stored before with another phone_number or content"
            rejected.append(set_aside(raw, DeadLetterReason.DUPLICATE_ID, detail))
            continue
        if received.inbox_id is not None:
            stored.append(received.inbox_id)
    await dead_letters.keep(PROVIDER, PushKind.UP, rejected)
    return stored


async def apply_reports(items: Sequence[bytes]) -> None:
    """Apply each good report to its message (by Aliyun's id and the number, or by our OutId)
    and set each bad item aside, a report that matches no message of ours included."""
    rejected: list[Rejected] = []
    for raw in items:
        report = read_item(raw, AliyunReport, _report_problem)
        if isinstance(report, Rejected):
            rejected.append(report)
            continue
        found = await record_status(
            report.biz_id,
            "delivered" if report.success else "undelivered",
            error_code="" if report.success else report.err_code,
            phone=phone_or_as_given(report.phone_number),
            segments=_size(report.sms_size),
            reference=report.out_id,
        )
        if not found:
            detail = "no message has this biz_id and phone_number, or this out_id"
            rejected.append(set_aside(raw, DeadLetterReason.UNKNOWN_MESSAGE, detail))
    await dead_letters.keep(PROVIDER, PushKind.REPORT, rejected)


def read_item(raw: bytes, kind: type[Item], problem: Callable[[bytes, Item], Rejected | None]) -> Item | Rejected:
    """The item decoded, or set aside: it cannot be decoded, or ``problem`` finds it unusable."""
    if not raw.startswith(b"{"):
        return set_aside(raw, DeadLetterReason.NOT_AN_OBJECT, "the item is not a JSON object")
    try:
        item = msgspec.json.decode(raw, type=kind, strict=False)
    except msgspec.ValidationError as error:
        missing = "missing required field" in str(error)
        reason = DeadLetterReason.MISSING_FIELD if missing else DeadLetterReason.INVALID_FIELD
        return set_aside(raw, reason, str(error))
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError) as error:  # Unicode…: a string not in UTF-8
        return set_aside(raw, DeadLetterReason.UNREADABLE_JSON, str(error))
    return problem(raw, item) or item


def _reply_problem(raw: bytes, reply: AliyunReply) -> Rejected | None:
    if not storable_id(str(reply.sequence_id)):
        return set_aside(raw, DeadLetterReason.INVALID_ID, "sequence_id is blank, too long or has control characters")
    if not PHONE.fullmatch(reply.phone_number.strip()):
        return set_aside(raw, DeadLetterReason.UNREADABLE_PHONE, "phone_number is not a phone number")
    if len(reply.content) > inbox.MAX_BODY:
        detail = f"content has {len(reply.content)} characters; at most {inbox.MAX_BODY} are kept"
        return set_aside(raw, DeadLetterReason.TOO_LONG, detail)
    if "\x00" in reply.content or "\x00" in reply.dest_code:
        return set_aside(raw, DeadLetterReason.INVALID_TEXT, "content or dest_code has a NUL character")
    return None


def _report_problem(raw: bytes, report: AliyunReport) -> Rejected | None:
    if not PHONE.fullmatch(report.phone_number.strip()):
        return set_aside(raw, DeadLetterReason.UNREADABLE_PHONE, "phone_number is not a phone number")
    if not report.biz_id and not report.out_id:
        return set_aside(raw, DeadLetterReason.MISSING_FIELD, "neither biz_id nor out_id")
    if not all(storable_id(value) for value in (report.biz_id, report.out_id) if value):
        return set_aside(
            raw, DeadLetterReason.INVALID_ID, "biz_id or out_id is blank, too long or has control characters"
        )
    if "\x00" in report.err_code:
        return set_aside(raw, DeadLetterReason.INVALID_TEXT, "err_code has a NUL character")
    return None


def storable_id(value: str) -> bool:
    return bool(value.strip()) and len(value) <= MAX_ID and not CONTROL.search(value)


def set_aside(raw: bytes, reason: DeadLetterReason, detail: str) -> Rejected:
    """The item set aside, with its phone number and OutId if it has readable ones."""
    try:
        hints = msgspec.json.decode(raw, type=_Hints)
    except (msgspec.MsgspecError, UnicodeDecodeError, RecursionError):
        return Rejected(raw, reason, detail)
    return Rejected(raw, reason, detail, phone=_scalar(hints.phone_number), out_id=_scalar(hints.out_id))


def _scalar(value: object) -> str:
    return str(value)[:MAX_ID] if isinstance(value, str | int) and not isinstance(value, bool) else ""


def _size(value: int | str) -> int | None:
    """The segments Aliyun counted; None (the text's own count stays) when no SMS is that size."""
    try:
        size = int(value)
    except ValueError:
        return None
    return max(1, size) if size <= MAX_SEGMENTS else None
