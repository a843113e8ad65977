"""Numbers that asked for no more SMS (退订, T, TD, STOP), or that a gateway reports unsubscribed.

Kept per number, not per person: a number Cunjiang does not know can opt out too. The
outbox holds back every message to such a number (``backend.outbox.service.claim_due``),
except the few a person asks for themselves (the sign-in code, the goodbye).
"""

from __future__ import annotations

from collections.abc import Collection

from backend.core.types import utcnow
from backend.db.session import run

OPT_OUT = """
INSERT INTO sms_opt_out (phone, source, opted_out_at) VALUES ({}, {}, {}) ON CONFLICT (phone) DO NOTHING
"""


async def opt_out(phone: str, source: str) -> None:
    """From now on, nothing more is sent to ``phone``; call inside a write transaction."""
    await run(OPT_OUT, phone, source[:64], utcnow())


async def opt_in(phone: str) -> None:
    await run("DELETE FROM sms_opt_out WHERE phone = {}", phone)


async def is_opted_out(phone: str) -> bool:
    return bool(await run("SELECT 1 AS found FROM sms_opt_out WHERE phone = {}", phone))


async def opted_out_among(phones: Collection[str]) -> set[str]:
    """Which of these numbers opted out."""
    if not phones:
        return set()
    marks = ", ".join("{}" for _ in phones)
    rows = await run(f"SELECT phone FROM sms_opt_out WHERE phone IN ({marks})", *phones)  # noqa: S608
    return {row["phone"] for row in rows}
