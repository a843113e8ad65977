"""The conversation: one stored SMS → the step of a flow → one service call → one reply.

Each inbound message is answered exactly once: the first statement of its transaction
marks it processed (conditionally), and the effect and the reply (queued in the outbox)
commit with that mark. A refusal (the order is full, the offer was withdrawn) undoes the
attempt, then a second short transaction marks the message and queues the answer that
the flow's step gives that refusal. Replies go out in the villager's language.

A person may work with several brands, and each brand's console shows the SMS filed under
it: an answer is filed under the brand whose item it is about (her offer from that brand),
or, about no item, under her brand when she has one only; an answer that shows the things
of several brands (a menu of her open work) is filed under none, so that no brand ever
reads of her work for another.
"""

from __future__ import annotations

import datetime as dt
import logging

import msgspec

from backend.accounts.service import principal_by_phone
from backend.core.access import within
from backend.core.errors import DomainError
from backend.core.i18n import DEFAULT_LOCALE
from backend.core.phones import phone_or_as_given
from backend.core.types import Channel, Principal, utcnow
from backend.db.session import in_transaction, run, write_transaction
from backend.memberships.queries import brands_named, brands_of
from backend.messages.asked import recall
from backend.messages.optout import is_opted_out
from backend.messages.templates import messages, render
from backend.outbox import enqueue
from backend.sms import conversation
from backend.sms.actions import Context
from backend.sms.conversation import NOT_POSSIBLE, Answer, Route
from backend.sms.flows import Flow, flows
from backend.sms.replies import Intent, Reply, parse
from backend.sms.vocabulary import ANSWERS, Condition, ItemKind

log = logging.getLogger("cunjiang.sms")

CLAIM = """
UPDATE sms_inbox SET processed_at = {} WHERE id = {} AND processed_at IS NULL
RETURNING id, from_phone, body, typed_by, typed_brand
"""
NOT_REGISTERED = "not_registered"  # the answer to a number Cunjiang does not know, once a day
STRANGER_EVERY = dt.timedelta(days=1)
TOLD_LATELY = """
SELECT 1 AS told FROM outbox_message
WHERE to_phone = {} AND kind = {} AND created_at > {} AND COALESCE(brand, 0) = {} LIMIT 1
"""


class Turn(msgspec.Struct, kw_only=True):
    """One inbound SMS on its way to an answer."""

    inbox_id: int
    phone: str
    body: str
    reply: Reply
    actor: Principal | None
    typed_brand: int | None = None  # typed in the SMS simulator by this brand's staff
    # The brand its text is filed under (the simulator shows it to that brand only): her only
    # brand's, until an answer goes under the brand it is about (``_send``).
    filed_brand: int | None = None


async def process(inbox_id: int) -> str | None:
    """Answer one stored SMS; its outcome, or None when it was answered already.

    Runs its own transactions (a refusal is undone, then answered): never inside another."""
    if in_transaction():
        raise RuntimeError("the conversation runs its own transactions")
    turn: Turn | None = None
    route: Route | None = None
    try:
        async with write_transaction():
            row = await _claim(inbox_id)
            if row is None:
                return None
            turn = await _turn(row)
            screened = await _screen(turn)
            if screened is not None:
                return await _record(inbox_id, screened, turn)
            route = await _route(turn)
            return await _record(inbox_id, await _perform(turn, route), turn)
    except DomainError as error:
        if turn is None or route is None:
            raise
        async with write_transaction():
            if await _claim(inbox_id) is None:
                return None  # another worker answered it meanwhile
            return await _record(inbox_id, await _refuse(turn, route, error), turn)


async def process_pending(limit: int = 100) -> int:
    """Answer stored messages not answered yet, oldest first (the worker's sweep); how many."""
    rows = await run("SELECT id FROM sms_inbox WHERE processed_at IS NULL ORDER BY id LIMIT {}", limit)
    answered = 0
    for row in rows:
        try:
            answered += await process(row["id"]) is not None
        except Exception as error:
            log.exception("SMS %s could not be answered", row["id"])
            async with write_transaction():
                if await _claim(row["id"]) is not None:
                    await _record(row["id"], f"failed: {type(error).__name__}")
    return answered


async def _claim(inbox_id: int) -> dict[str, object] | None:
    rows = await run(CLAIM, utcnow(), inbox_id)
    return rows[0] if rows else None


async def _record(inbox_id: int, outcome: str, turn: Turn | None = None) -> str:
    """Its outcome, and the brand it is filed under, in one statement."""
    brand = turn.filed_brand if turn else None
    await run("UPDATE sms_inbox SET outcome = {}, brand = {} WHERE id = {}", outcome[:500], brand, inbox_id)
    return outcome


async def _turn(row: dict[str, object]) -> Turn:
    phone = phone_or_as_given(str(row["from_phone"]))
    typed_by = row["typed_by"]
    actor = await principal_by_phone(phone, Channel.SIMULATOR if typed_by else Channel.SMS)
    if actor is not None and typed_by:
        # Staff typing as her act on their own brand's work only.
        actor = within(actor, int(str(row["typed_brand"])))
        actor = msgspec.structs.replace(actor, typed_by=int(str(typed_by))) if actor else None
    brands = {m.brand_id for m in actor.memberships} if actor else set()
    return Turn(
        inbox_id=int(str(row["id"])),
        phone=phone,
        body=str(row["body"]),
        reply=parse(str(row["body"])),
        actor=actor,
        typed_brand=int(str(row["typed_brand"])) if row["typed_brand"] else None,
        filed_brand=brands.pop() if len(brands) == 1 else None,
    )


async def _screen(turn: Turn) -> str | None:
    """The outcome of a message no flow answers: from a number that opted out (nothing is
    sent until it opts back in), or from a number Cunjiang does not know."""
    opting = turn.reply.intent in (Intent.STOP, Intent.START)
    if turn.reply.intent != Intent.START and await is_opted_out(turn.phone):
        return "ignored: the number opted out"
    if turn.actor is None and not opting:
        return await _tell_stranger(turn)
    return None


async def _tell_stranger(turn: Turn) -> str:
    """Tell an unknown number once a day that it is not registered (no more: SMS cost money,
    and a stranger's messages must not make Cunjiang text anyone at will)."""
    since = utcnow() - STRANGER_EVERY
    # A simulated stranger is the simulating brand's own conversation, apart from real ones.
    told = await run(TOLD_LATELY, turn.phone, NOT_REGISTERED, since, turn.typed_brand or 0)
    if told:
        return "unregistered number: told already today"
    await enqueue(turn.phone, render(NOT_REGISTERED, DEFAULT_LOCALE), brand_id=turn.typed_brand, answers=True)
    return "unregistered number"


async def _route(turn: Turn) -> Route:
    everything = flows()
    intent = turn.reply.intent
    if intent.value in ANSWERS:
        return await _answer(turn)
    flow_id, step_id = everything.starters[intent.value]
    flow = everything.by_id[flow_id]
    if flow.item == ItemKind.NONE:
        return Route(flow, flow.step(step_id))
    if flow.item == ItemKind.BRAND:
        return await _brand_named(turn, flow, step_id)
    if flow.item == ItemKind.CONSENT:
        item = conversation.consent_item(_person(turn))
        return Route(flow, flow.step(step_id), item, item.values)
    return await _started_about_item(turn, flow, step_id)


async def _answer(turn: Turn) -> Route:
    """A yes or a no: to the item its code names, else to what was asked last."""
    actor = _person(turn)
    everything = flows()
    if turn.reply.code:
        items = await conversation.items_by_code(actor, turn.reply.code)
        if not items:
            return conversation.condition(Condition.NO_SUCH_ITEM, {"code": turn.reply.code})
        for named in items:
            answering = everything.answering(named.kind, named.status)
            if answering is not None:
                return conversation.asked(answering, named, turn.reply)
        return conversation.condition(Condition.ITEM_CLOSED, items[0].values, items[0])
    asked = await recall(turn.phone)
    if asked is not None and asked.flow in everything.by_id:
        flow = everything.by_id[asked.flow]
        item = await conversation.item_by_id(actor, flow.item, asked.item_id)
        if item is not None:
            return conversation.asked(flow, item, turn.reply, asked.step)
    return conversation.condition(Condition.WHICH_ITEM, {})


async def _started_about_item(turn: Turn, flow: Flow, step_id: str) -> Route:
    """A reply that starts a flow about an item ("完成 15"): the item its code names, else the
    one asked about last if it fits, else the only one that fits; never a guess among several."""
    actor = _person(turn)
    if turn.reply.code:
        items = [i for i in await conversation.items_by_code(actor, turn.reply.code) if i.kind == flow.item]
        if not items:
            return conversation.condition(Condition.NO_SUCH_ITEM, {"code": turn.reply.code})
        if items[0].status not in flow.statuses:
            return conversation.condition(Condition.ITEM_CLOSED, items[0].values, items[0])
        return Route(flow, flow.step(step_id), items[0], items[0].values)
    asked = await recall(turn.phone)
    if asked is not None and flows().by_id.get(asked.flow, flow).item == flow.item:
        item = await conversation.item_by_id(actor, flow.item, asked.item_id)
        if item is not None and item.status in flow.statuses:
            return Route(flow, flow.step(step_id), item, item.values)
    fitting = await conversation.items_in(actor, flow)
    if len(fitting) == 1:
        return Route(flow, flow.step(step_id), fitting[0], fitting[0].values)
    return conversation.condition(Condition.WHICH_ITEM, {})


async def _brand_named(turn: Turn, flow: Flow, step_id: str) -> Route:
    """A reply that names a brand she works with ("退出 王家"): exactly one of hers, by its short
    name or name; else the list of hers (never a guess, never a brand she does not work with)."""
    actor = _person(turn)
    named = await brands_named(actor, turn.reply.name or "")
    if len(named) == 1:
        item = conversation.brand_item(named[0])
        return Route(flow, flow.step(step_id), item, item.values)
    hers = await brands_of(actor)
    names = [brand.name for brand in hers]
    # Two of hers called alike (both 李家) are listed by their names, which tell them apart.
    shown = [brand.full_name if names.count(brand.name) > 1 else brand.name for brand in hers]
    joiner = "、" if actor.locale.startswith("zh") else ", "
    return conversation.condition(Condition.WHICH_BRAND, {"brands": joiner.join(shown)})


def _person(turn: Turn) -> Principal:
    if turn.actor is None:  # screened out before (only opting in and out need no person)
        raise TypeError("a reply about an item needs a person")
    return turn.actor


# Answers.


async def _perform(turn: Turn, route: Route) -> str:
    locale = turn.actor.locale if turn.actor else DEFAULT_LOCALE
    context = Context(actor=turn.actor, phone=turn.phone, reply=turn.reply, body=turn.body, item=route.item)
    return await _send(turn, await conversation.carry_out(route, context, locale))


async def _refuse(turn: Turn, route: Route, error: DomainError) -> str:
    locale = turn.actor.locale if turn.actor else DEFAULT_LOCALE
    return await _send(turn, conversation.refused(route, error, locale))


def _filed_under(turn: Turn, about: frozenset[int] | None) -> tuple[int | None, int | None]:
    """The brand an answer is filed under, and her membership there: the one brand whose
    things it shows (about no item: each of hers), else none. Typed in the SMS simulator, the
    simulating brand's, whose staff typed it."""
    actor = turn.actor
    if turn.typed_brand is not None:
        return turn.typed_brand, actor.member_id if actor else None
    if actor is None:
        return None, None
    hers = {m.brand_id: m.member_id for m in actor.memberships} or {actor.brand_id: actor.member_id}
    brands = about if about is not None else frozenset(hers)
    if len(brands) != 1:
        return None, None
    [brand] = brands
    return brand, hers.get(brand)


async def _send(turn: Turn, answer: Answer) -> str:
    """Queue the answer to the villager, with the values it shows, in her language, filed
    under the brand it is about (see :func:`_filed_under`); its outcome."""
    key, values = answer.key, conversation.shown(answer.key, answer.values, answer.locale)
    if values is None:
        missing = sorted(set(messages()[key].variables) - set(answer.values))
        log.error("SMS %s: %s lacks %s; sent %s instead", turn.inbox_id, key, missing, NOT_POSSIBLE)
        key, values = NOT_POSSIBLE, {}
    brand_id, member_id = _filed_under(turn, answer.about)
    await enqueue(
        turn.phone, render(key, answer.locale, **values), brand_id=brand_id, member_id=member_id, answers=True
    )
    turn.filed_brand = brand_id  # her text goes where its answer went
    return answer.outcome
