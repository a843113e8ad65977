"""Aliyun's voice pushes, read item by item into reports: a ``VoiceReport`` (the call ended:
it has a start, an end or a duration) or a ``VoiceCallReport`` (where the call stands; only
the one with keys pressed, status 300000, matters). An item that cannot be read is logged
and skipped: the push still succeeds, since Aliyun would repeat it, good items and all."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import msgspec

from backend.gateways.aliyun_voice import ANSWERED, PRESSED, AliyunEndReport, AliyunKeysReport
from backend.voice import reports
from backend.voice.reports import Report, ReportKind

log = logging.getLogger("cunjiang.voice")

PROVIDER = "aliyun"
MAX_KEYS = 32
ENDING = (b'"end_time"', b'"duration"', b'"start_time"', b'"status_msg"')


async def receive(items: Sequence[bytes]) -> list[int]:
    """Store each report once (per call and kind); the ids stored now, to apply."""
    stored = []
    for raw in items:
        report = _read(raw)
        if report is None:
            continue
        report_id = await reports.receive(report)
        if report_id is not None:
            stored.append(report_id)
    return stored


def _read(raw: bytes) -> Report | None:
    try:
        if any(field in raw for field in ENDING):
            end = msgspec.json.decode(raw, type=AliyunEndReport, strict=False)
            answered = end.status_code == ANSWERED or bool(end.start_time)
            return _report(end.call_id, ReportKind.END, end.out_id, end.dtmf, answered, _seconds(end.duration))
        step = msgspec.json.decode(raw, type=AliyunKeysReport, strict=False)
    except (msgspec.MsgspecError, UnicodeDecodeError, RecursionError) as error:
        log.warning("Aliyun voice push: an item could not be read (%s)", error)
        return None
    if step.status_code != PRESSED and not step.dtmf:
        return None  # ringing, picked up…: the keys and the end tell what matters
    return _report(step.call_id, ReportKind.KEYS, step.out_id, step.dtmf, True, None)


def _report(
    call_id: str, kind: ReportKind, out_id: str, keys: str, answered: bool, seconds: int | None
) -> Report | None:
    if not call_id.strip() or len(call_id) > reports.MAX_ID or len(out_id) > reports.MAX_ID:
        log.warning("Aliyun voice push: an item with a blank or too long call_id or out_id")
        return None
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
