"""Cunjiang asks villagers by SMS (an offer, a payment, a brand's invitation): the question goes out through the
outbox with the change that causes it, and is remembered (``backend.messages.asked``) so that
a bare "1" answers it; a call to follow it, if it stays unanswered, is queued with it
(``backend.outbox.calls``). Each question starts a flow of ``sms_flows/`` whose entry step asks
with the same message: ``cunjiang sms check`` holds the two together (``QUESTIONS``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from backend.core.types import utcnow
from backend.messages.asked import remember
from backend.messages.templates import Value, render
from backend.outbox.calls import follow_up
from backend.outbox.rows import Outgoing
from backend.outbox.service import enqueue_many

# The flows Cunjiang starts by asking, and the message each asks with (its entry step's).
QUESTIONS = {
    "offer": "offer",
    "payout": "payout_sent",
    "invitation": "invitation",
    "story": "story_proposed",
    "advance_paid": "advance_paid",
    "kit": "kit",
}
# Messages a flow's question may be sent with instead, carrying more (the offer of an order with
# estimated hours says the hourly rate): message → its flow. ``cunjiang sms check`` holds them.
VARIANTS = {"offer_hourly": "offer"}


class Question(msgspec.Struct, frozen=True, kw_only=True):
    """Ask a person about an item with a flow's entry step (``offer`` about a job…)."""

    flow: str
    phone: str
    locale: str
    member_id: int | None  # her membership of the brand asking (none yet: an invitation)
    brand_id: int
    item_id: int
    code: str
    values: dict[str, Value]
    message: str = ""  # a variant of the flow's question (``VARIANTS``), else the flow's own


def question(
    flow: str, person: Mapping[str, Any], brand_id: int, item_id: int, item_code: str, /, **values: Value
) -> Question:
    """Ask ``person`` (a member row: id, phone, locale) about an item with ``flow``'s entry
    step, which shows ``values``."""
    return Question(
        flow=flow,
        phone=person["phone"],
        locale=person["locale"],
        member_id=person["id"],
        brand_id=brand_id,
        item_id=item_id,
        code=item_code,
        values=values,
    )


async def ask(questions: Sequence[Question]) -> None:
    """Send each question (through the outbox) and remember it; inside the causing transaction."""
    if not questions:
        return
    await enqueue_many([_outgoing(question) for question in questions])
    now = utcnow()
    await remember([(q.phone, q.flow, q.item_id, q.code) for q in questions], now)
    await follow_up([(q.phone, q.flow, q.item_id, q.code, q.locale, q.member_id, q.brand_id) for q in questions], now)


def _outgoing(question: Question) -> Outgoing:
    message = render(question.message or QUESTIONS[question.flow], question.locale, **question.values)
    return Outgoing(to_phone=question.phone, message=message, brand_id=question.brand_id, member_id=question.member_id)
