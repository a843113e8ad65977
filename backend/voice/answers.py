"""A key pressed in a call, taken as her answer: once per call, through the very conversation
an SMS reply goes through (the same step, the same service call, audited on channel
``voice``), answered by SMS in her language, as the flow's step says.

The first statement of the transaction takes the keys (conditionally: a report pushed three
times, or by two workers at once, takes them once); the effect and the SMS that confirms it
commit with it. A refusal (the order is full) undoes the attempt, then a second short
transaction takes the keys again and queues the refusal's answer, as the SMS engine does.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import msgspec

from backend.accounts.service import principal_by_phone
from backend.core.access import within
from backend.core.errors import DomainError
from backend.core.types import Channel, Principal, utcnow
from backend.db.session import run, write_transaction
from backend.messages.templates import render
from backend.outbox import enqueue
from backend.outbox.calls import CallStatus
from backend.sms import conversation
from backend.sms.actions import Context
from backend.sms.conversation import NOT_POSSIBLE, Answer, Route
from backend.sms.flows import Ask, flows
from backend.sms.inbox import Typist
from backend.sms.replies import Intent, Reply
from backend.voice.menu import answer_of

log = logging.getLogger("cunjiang.voice")

TAKE_KEYS = """
UPDATE voice_call SET key_pressed = {}, updated_at = {}
WHERE id = {} AND key_pressed = '' AND attempts > 0 AND status NOT IN ({}, {}, {})
RETURNING id, to_phone, flow, item_id, locale, brand, member
"""


async def take_keys(
    call_id: int, keys: str, now: dt.datetime | None = None, *, typed_by: Typist | None = None
) -> str | None:
    """Her keys, pressed in the call ``call_id``: the answer they give, carried out once; the
    outcome, or None when the call's keys were taken already (or it is over). ``typed_by``:
    staff pressed them for her in the console's call view, and the SMS simulator's rules hold
    (their own brand's work only; the audit trail names them, on her behalf)."""
    now = now or utcnow()
    route: Route | None = None
    actor: Principal | None = None
    try:
        async with write_transaction():
            row = await _take(call_id, keys, now)
            if row is None:
                return None
            actor, route, reply = await _route(row, keys, typed_by)
            if actor is None or route is None or reply is None:
                return await _finish(row, "keys outside the menu, or the item is gone: no answer", now)
            context = Context(actor=actor, phone=row["to_phone"], reply=reply, body=f"voice: {keys}", item=route.item)
            answer = await conversation.carry_out(route, context, actor.locale)
            return await _finish(row, await _send(row, answer), now, answered=True)
    except DomainError as error:
        if actor is None or route is None:
            raise
        async with write_transaction():
            row = await _take(call_id, keys, now)
            if row is None:
                return None
            answer = conversation.refused(route, error, actor.locale)
            return await _finish(row, await _send(row, answer), now, answered=True)


async def _take(call_id: int, keys: str, now: dt.datetime) -> dict[str, Any] | None:
    closed = (CallStatus.ANSWERED.value, CallStatus.FAILED.value, CallStatus.CANCELLED.value)
    rows = await run(TAKE_KEYS, keys[:32], now, call_id, *closed)
    return rows[0] if rows else None


def menu_of(flow_id: str) -> dict[str, str]:
    if flow_id not in flows().by_id:
        return {}
    ask: Ask = flows().entry(flow_id)
    return ask.voice.keys if ask.voice else {}


Found = tuple[Principal | None, Route | None, Reply | None]


async def _route(row: dict[str, Any], keys: str, typed_by: Typist | None) -> Found:
    """Her, where her answer goes (the flow's reply to it, about the item of the call), and
    the answer as the conversation reads it."""
    nothing: Found = (None, None, None)
    answer = answer_of(keys, menu_of(row["flow"]))
    if answer is None or row["flow"] not in flows().by_id:
        return nothing
    actor = await principal_by_phone(row["to_phone"], Channel.VOICE)
    if actor is not None and typed_by is not None:
        actor = within(actor, typed_by.brand_id)
        actor = msgspec.structs.replace(actor, typed_by=typed_by.member_id) if actor else None
    if actor is None:
        return nothing
    flow = flows().by_id[row["flow"]]
    item = await conversation.item_by_id(actor, flow.item, row["item_id"])
    if item is None:
        return nothing
    reply = Reply(intent=Intent(answer))
    return actor, conversation.asked(flow, item, reply), reply


async def _send(row: dict[str, Any], answer: Answer) -> str:
    """The answer, confirmed by SMS (a call leaves no trace she can show), filed under the
    brand whose item it is; the outcome."""
    key, values = answer.key, conversation.shown(answer.key, answer.values, answer.locale)
    if values is None:
        log.error("call %s: %s lacks values; sent %s instead", row["id"], key, NOT_POSSIBLE)
        key, values = NOT_POSSIBLE, {}
    message = render(key, answer.locale, **values)
    await enqueue(row["to_phone"], message, brand_id=row["brand"], member_id=row["member"], answers=True)
    return answer.outcome


async def _finish(row: dict[str, Any], outcome: str, now: dt.datetime, *, answered: bool = False) -> str:
    status = "status = {}, " if answered else ""
    values = [CallStatus.ANSWERED.value] if answered else []
    await run(
        f"UPDATE voice_call SET {status}outcome = {{}}, updated_at = {{}} WHERE id = {{}}",  # noqa: S608
        *values,
        outcome[:500],
        now,
        row["id"],
    )
    return outcome
