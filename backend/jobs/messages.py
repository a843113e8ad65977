"""The SMS questions jobs ask: an offer to an artisan (the ``offer`` flow)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from backend.sms.conversations import Question, question

UNSEEN_AFTER = dt.timedelta(hours=24)


def needs_sms(person: dict[str, Any], now: dt.datetime) -> bool:
    """SMS-only artisans always; app users when they have not opened the app lately."""
    seen = person["last_seen_at"]
    return bool(person["sms_only"]) or seen is None or seen < now - UNSEEN_AFTER


def offer_question(artisan: dict[str, Any], job_id: int, code: str, order: dict[str, Any], quantity: int) -> Question:
    """The offer SMS (the ``offer`` flow's question), in the artisan's language."""
    return question(
        "offer",
        artisan,
        order["brand"],
        job_id,
        code,
        code=code,
        quantity=quantity,
        title=order["title"],
        price=order["unit_price_fen"],
        due=order["due_date"],
    )
