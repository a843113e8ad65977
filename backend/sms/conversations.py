"""Cunjiang asks villagers by SMS (an offer, a payment) with a flow's entry step, and the
conversation remembers it (``backend.messages.asked``), so that a bare "1" answers it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from backend.core.types import utcnow
from backend.messages.asked import remember
from backend.messages.templates import Value, render
from backend.outbox import Outgoing, enqueue_many
from backend.sms.flows import flows


class Question(msgspec.Struct, frozen=True, kw_only=True):
    """Ask a person about an item with a flow's entry step (``offer`` about a job…)."""

    flow: str
    phone: str
    locale: str
    member_id: int
    brand_id: int
    item_id: int
    code: str
    values: dict[str, Value]


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


def _outgoing(question: Question) -> Outgoing:
    key = flows().entry(question.flow).message
    message = render(key, question.locale, **question.values)
    return Outgoing(to_phone=question.phone, message=message, brand_id=question.brand_id, member_id=question.member_id)
