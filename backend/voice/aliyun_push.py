"""Aliyun's voice pushes, read item by item into reports: a ``VoiceReport`` (the call ended:
it has a start, an end or a duration) or a ``VoiceCallReport`` (where the call stands; only
the one with keys pressed, status 300000, matters). As for its SMS pushes
(``backend.sms.aliyun_push``), an item that cannot be read, or that matches no call of ours,
is set aside as a dead letter (``backend.sms.dead_letters``: kind ``voice_report``, with the
brand of the call its ``out_id`` names, if any) and the push still succeeds, since Aliyun
would repeat it, good items and all. A report set aside is not stored: a later push about
the same call, once it matches, is stored and applied."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from backend.gateways.aliyun_voice import ANSWERED, PRESSED, AliyunEndReport, AliyunKeysReport
from backend.sms import dead_letters
from backend.sms.aliyun_push import read_item, set_aside, storable_id
from backend.sms.dead_letters import Rejected
from backend.sms.schemas import DeadLetterReason, PushKind
from backend.voice import reports
from backend.voice.reports import Report, ReportKind

PROVIDER = "aliyun"
MAX_KEYS = 32
ENDING = (b'"end_time"', b'"duration"', b'"start_time"', b'"status_msg"')


async def receive(items: Sequence[bytes]) -> list[int]:
    """Store each report once (per call and kind) and set each bad item aside; the ids stored
    now, to apply."""
    stored: list[int] = []
    rejected: list[Rejected] = []
    for raw in items:
        report = _read(raw)
        if report is None:
            continue
        if isinstance(report, Rejected):
            rejected.append(report)
            continue
        if await reports.call_of(report) is None:
            detail = "no call of ours has this call_id, or this out_id"
            rejected.append(set_aside(raw, DeadLetterReason.UNKNOWN_CALL, detail))
            continue
        report_id = await reports.receive(report)
        if report_id is not None:
            stored.append(report_id)
    if rejected:
        brands = await reports.brands_of_calls({item.out_id for item in rejected})
        rejected = [msgspec.structs.replace(item, brand=brands.get(item.out_id)) for item in rejected]
        await dead_letters.keep(PROVIDER, PushKind.VOICE_REPORT, rejected)
    return stored


def _read(raw: bytes) -> Report | Rejected | None:
    """The report an item carries; set aside when it cannot be read; None when it tells
    nothing that matters (ringing, picked up…: the keys and the end tell what matters)."""
    if any(field in raw for field in ENDING):
        end = read_item(raw, AliyunEndReport, _problem)
        if isinstance(end, Rejected):
            return end
        answered = end.status_code == ANSWERED or bool(end.start_time)
        return _report(end.call_id, ReportKind.END, end.out_id, end.dtmf, answered, _seconds(end.duration))
    step = read_item(raw, AliyunKeysReport, _problem)
    if isinstance(step, Rejected):
        return step
    if step.status_code != PRESSED and not step.dtmf:
        return None
    return _report(step.call_id, ReportKind.KEYS, step.out_id, step.dtmf, True, None)


def _problem(raw: bytes, item: AliyunEndReport | AliyunKeysReport) -> Rejected | None:
    if not storable_id(item.call_id) or (item.out_id and not storable_id(item.out_id)):
        detail = "call_id or out_id is blank, too long or has control characters"
        return set_aside(raw, DeadLetterReason.INVALID_ID, detail)
    if "\x00" in item.dtmf:
        return set_aside(raw, DeadLetterReason.INVALID_TEXT, "dtmf has a NUL character")
    return None


def _report(call_id: str, kind: ReportKind, out_id: str, keys: str, answered: bool, seconds: int | None) -> Report:
    return Report(
        provider=PROVIDER,
        call_id=call_id,
        kind=kind,
        out_id=out_id,
        keys=keys[:MAX_KEYS],
        answered=answered,
        duration_s=seconds,
    )


def _seconds(value: int | str) -> int | None:
    try:
        return max(0, int(str(value).removesuffix("秒").strip()))
    except ValueError:
        return None
