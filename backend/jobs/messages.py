"""The SMS jobs send: an offer to an artisan (the ``offer`` flow's question), and work sent
back for rework, or paid although the order was cancelled."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from backend.db.session import run
from backend.messages.templates import Value, render
from backend.orders.rates import hourly_rate_fen
from backend.outbox import enqueue
from backend.outbox.questions import Question, question

UNSEEN_AFTER = dt.timedelta(hours=24)
MOST_HOURLY_SAID = 99_900  # fen: ¥999 an hour, the longest rate the offer SMS is proved to hold
REWORKED = """
SELECT m.id, p.phone, p.locale, j.code, j.brand FROM job j JOIN member m ON m.id = j.artisan
JOIN person p ON p.id = m.person WHERE j.id = {}
"""


def needs_sms(person: dict[str, Any], now: dt.datetime) -> bool:
    """SMS-only artisans always; app users when they have not opened the app lately."""
    seen = person["last_seen_at"]
    return bool(person["sms_only"]) or seen is None or seen < now - UNSEEN_AFTER


def offer_question(artisan: dict[str, Any], job_id: int, code: str, order: dict[str, Any], quantity: int) -> Question:
    """The offer SMS (the ``offer`` flow's question), in the artisan's language; with the hourly
    rate beside the piece rate when the order has estimated hours (``offer_hourly``), unless the
    rate is beyond what one segment holds (over ¥999 an hour: a typo more than a wage)."""
    values: dict[str, Value] = {
        "code": code,
        "quantity": quantity,
        "title": order["title"],
        "price": order["unit_price_fen"],
        "due": order["due_date"],
    }
    asked = question("offer", artisan, order["brand"], job_id, code, **values)
    rate = hourly_rate_fen(order["unit_price_fen"], order.get("hours_tenths"))
    if rate is None or not 0 < rate <= MOST_HOURLY_SAID:
        return asked
    return msgspec.structs.replace(asked, message="offer_hourly", values=values | {"rate": rate})


async def tell_rework(job_id: int, reason: str) -> None:
    """Work sent back is told by SMS as well as in the app: it holds up the artisan's pay."""
    rows = await run(REWORKED, job_id)
    if rows:
        [artisan] = rows
        message = render("rework", artisan["locale"], code=artisan["code"], reason=reason)
        await enqueue(artisan["phone"], message, brand_id=artisan["brand"], member_id=artisan["id"])


async def tell_paid_on_cancel(job_id: int, quantity: int) -> None:
    """The brand cancelled the order: the pieces she reported done are still paid."""
    rows = await run(REWORKED, job_id)
    if rows:
        [artisan] = rows
        message = render("cancel_paid", artisan["locale"], code=artisan["code"], quantity=quantity)
        await enqueue(artisan["phone"], message, brand_id=artisan["brand"], member_id=artisan["id"])
