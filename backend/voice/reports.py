"""What the voice provider reports about a call, stored first (once per provider, call and
kind: a repeated push is one row), then applied: the keys pressed become her answer
(``backend.voice.answers``), once; the call's end settles it. A call unanswered, or answered
by a machine that pressed no key of the menu, is never taken as a reply: it is tried again
within the budget while attempts are left, else it ends as ``no_answer``. Each attempt's
cost is added to the call once, when its end is applied: the provider's figure, or our
estimate when it gives none (``cost_of``).
"""

from __future__ import annotations

import datetime as dt
import logging
from enum import StrEnum
from typing import Any

import msgspec

from backend.core.settings import get_settings
from backend.core.types import utcnow
from backend.db.session import run, write_transaction
from backend.outbox.calls import MAX_ATTEMPTS, CallStatus
from backend.sms.inbox import Typist
from backend.voice.answers import take_keys

log = logging.getLogger("cunjiang.voice")

MAX_ID = 64
MAX_CALL_ID = 2**31 - 1

STORE = """
INSERT INTO voice_report (provider, call_id, kind, out_id, item, received_at) VALUES ({}, {}, {}, {}, {}, {})
ON CONFLICT (provider, call_id, kind) DO NOTHING RETURNING id
"""
# By the provider's call id; by our OutId only while the provider's id of the call is not
# recorded yet (its placing went unanswered), never for a call the provider knows by another id.
FIND_CALL = """
SELECT id FROM voice_call WHERE (provider = {} AND provider_call_id = {})
  OR (CAST(id AS TEXT) = {} AND {} != '' AND provider_call_id IS NULL)
ORDER BY id LIMIT 1
"""
END = """
UPDATE voice_call SET status = {}, due_at = {}, outcome = {}, duration_s = COALESCE({}, duration_s), updated_at = {}
WHERE id = {} AND status = '{CALLING}' AND key_pressed = {}
RETURNING id
""".replace("{CALLING}", CallStatus.CALLING.value)
LENGTH = "UPDATE voice_call SET duration_s = COALESCE({}, duration_s) WHERE id = {}"
# Each attempt's cost is added once: the attempt (the provider's id of it) is recorded with it.
COST = """
UPDATE voice_call SET cost_fen = COALESCE(cost_fen, 0) + {}, cost_estimated = ({} OR cost_estimated),
  costed_call_id = {}
WHERE id = {} AND COALESCE(costed_call_id, '') != {}
"""


class ReportKind(StrEnum):
    KEYS = "keys"  # the keys she pressed
    END = "end"  # the call ended


class Report(msgspec.Struct, frozen=True, kw_only=True):
    """One report, whatever the provider: which call, what kind, what it says."""

    provider: str
    call_id: str  # the provider's
    kind: ReportKind
    out_id: str = ""  # ours, as the provider echoes it
    keys: str = ""
    answered: bool = False  # (an end) someone picked up
    duration_s: int | None = None
    cost_fen: int | None = None
    typed_by: Typist | None = None  # (keys) pressed by staff in the console's call view


async def receive(report: Report) -> int | None:
    """Store one report; the id to apply, or None for a repeat (stored before)."""
    rows = await run(
        STORE,
        report.provider,
        report.call_id[:64],
        report.kind.value,
        report.out_id[:64],
        msgspec.json.encode(report).decode(),
        utcnow(),
    )
    return rows[0]["id"] if rows else None


async def apply(report_id: int, now: dt.datetime | None = None) -> str | None:
    """Apply a stored report to its call (again after a crash: it changes nothing twice); the
    outcome, or None when it was applied already."""
    now = now or utcnow()
    rows = await run("SELECT item, provider, kind FROM voice_report WHERE id = {} AND processed_at IS NULL", report_id)
    if not rows:
        return None
    report = _decoded(rows[0])
    call_id = await call_of(report)
    if call_id is None:
        outcome = "no call of ours has this call id or out id"
    elif report.kind == ReportKind.KEYS:
        outcome = await take_keys(call_id, report.keys, now, typed_by=report.typed_by) or "keys taken already"
    else:
        outcome = await _end(call_id, report, now)
    await run(
        "UPDATE voice_report SET processed_at = {}, outcome = {} WHERE id = {} AND processed_at IS NULL",
        now,
        outcome[:500],
        report_id,
    )
    return outcome


async def call_of(report: Report) -> int | None:
    """Our call the report is about: by the provider's id of it, or by our id while the
    provider's is not recorded yet; None when no call of ours matches."""
    calls = await run(FIND_CALL, report.provider, report.call_id, report.out_id, report.out_id)
    return calls[0]["id"] if calls else None


async def brands_of_calls(out_ids: set[str]) -> dict[str, int]:
    """The brand of each of our calls these ids (as echoed by a provider) name."""
    ids = [int(text) for text in out_ids if text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_CALL_ID]
    if not ids:
        return {}
    marks = ", ".join("{}" for _ in ids)
    rows = await run(f"SELECT id, brand FROM voice_call WHERE id IN ({marks})", *ids)  # noqa: S608 - marks only
    return {str(row["id"]): row["brand"] for row in rows if row["brand"] is not None}


async def apply_pending(limit: int = 100) -> int:
    """Apply the stored reports not applied yet, oldest first (the worker's sweep); how many."""
    rows = await run("SELECT id FROM voice_report WHERE processed_at IS NULL ORDER BY id LIMIT {}", limit)
    applied = 0
    for row in rows:
        try:
            applied += await apply(row["id"]) is not None
        except Exception:
            log.exception("voice report %s could not be applied", row["id"])
    return applied


def _decoded(row: dict[str, Any]) -> Report:
    return msgspec.json.decode(row["item"], type=Report)


async def _end(call_id: int, report: Report, now: dt.datetime) -> str:
    """The call ended: her keys (an end report carries them too) answer, once; without an
    answer the call is tried again within the budget, or ends unanswered."""
    if report.keys:
        await take_keys(call_id, report.keys, now)
    async with write_transaction():
        rows = await run("SELECT status, attempts, key_pressed FROM voice_call WHERE id = {}", call_id)
        await run(LENGTH, report.duration_s, call_id)
        await _add_cost(call_id, report)
        if not rows or rows[0]["status"] != CallStatus.CALLING:
            return "ended"
        again = rows[0]["attempts"] < MAX_ATTEMPTS
        status = CallStatus.QUEUED if again else CallStatus.NO_ANSWER
        why = "answered, no key of the menu" if report.answered else "not answered"
        outcome = f"{why}: {'a second attempt' if again else 'no attempt left'}"
        ended = await run(END, status.value, now, outcome, report.duration_s, now, call_id, rows[0]["key_pressed"])
        return outcome if ended else "ended"


def cost_of(report: Report) -> tuple[int, bool] | None:
    """What the attempt a call's end reports cost, and whether it is our estimate: the
    provider's figure, else each minute started on the line at ``CUNJIANG_VOICE_FEN_PER_MINUTE``
    (a call picked up, by her or by a machine, is billed); None for a call never picked up."""
    if report.cost_fen is not None:
        return max(0, report.cost_fen), False
    if not report.duration_s or report.duration_s <= 0:
        return None
    minutes = -(-report.duration_s // 60)
    return minutes * get_settings().voice_fen_per_minute, True


async def _add_cost(call_id: int, report: Report) -> None:
    cost = cost_of(report)
    if cost is not None:
        fen, estimated = cost
        await run(COST, fen, estimated, report.call_id[:MAX_ID], call_id, report.call_id[:MAX_ID])
