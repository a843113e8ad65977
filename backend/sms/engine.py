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
from collections.abc import Mapping

import msgspec

from backend.accounts.consent import consent_of
from backend.accounts.service import principal_by_phone
from backend.core.access import within
from backend.core.errors import DomainError
from backend.core.i18n import DEFAULT_LOCALE, Label, translate
from backend.core.phones import phone_or_as_given
from backend.core.types import Channel, Principal, utcnow
from backend.db.session import in_transaction, run, write_transaction
from backend.jobs.queries import artisan_job, artisan_job_by_code, artisan_jobs_in
from backend.jobs.schemas import JobRead
from backend.memberships.queries import (
    CODE_LETTER,
    STATUS_WORDS,
    BrandItem,
    InvitationItem,
    brands_named,
    brands_of,
    invitation_by_code,
    invitation_item,
)
from backend.messages.asked import recall, remember
from backend.messages.optout import is_opted_out
from backend.messages.templates import Value, messages, render
from backend.outbox import enqueue
from backend.payouts.advances import artisan_advance, paid_advance_of_job
from backend.payouts.queries import PayoutItem, artisan_payout, payout_of_job
from backend.payouts.schemas import AdvanceRead
from backend.sms.actions import ACTIONS, Context, Done, Item, refusal_of
from backend.sms.flows import Act, Ask, Flow, Step, flows
from backend.sms.replies import Intent, Reply, parse
from backend.sms.vocabulary import (
    AdvanceValues,
    BrandValues,
    Condition,
    InvitationValues,
    ItemKind,
    JobValues,
    PayoutValues,
)

log = logging.getLogger("cunjiang.sms")

CLAIM = """
UPDATE sms_inbox SET processed_at = {} WHERE id = {} AND processed_at IS NULL
RETURNING id, from_phone, body, typed_by, typed_brand
"""
NOT_POSSIBLE = "not_possible"  # the answer to a refusal no step expected
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


class Route(msgspec.Struct, frozen=True):
    """Where a reply goes: a flow's step, about an item, with the values its messages show."""

    flow: Flow
    step: Step
    item: Item | None = None
    values: dict[str, Value] = {}


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
    if intent in (Intent.YES, Intent.NO):
        return await _answer(turn)
    flow_id, step_id = everything.starters[intent.value]
    flow = everything.by_id[flow_id]
    if flow.item == ItemKind.NONE:
        return Route(flow, flow.step(step_id))
    if flow.item == ItemKind.BRAND:
        return await _brand_named(turn, flow, step_id)
    if flow.item == ItemKind.CONSENT:
        item = _consent_item(_person(turn))
        return Route(flow, flow.step(step_id), item, item.values)
    return await _started_about_item(turn, flow, step_id)


async def _answer(turn: Turn) -> Route:
    """A yes or a no: to the item its code names, else to what was asked last."""
    actor = _person(turn)
    everything = flows()
    if turn.reply.code:
        items = await _items_by_code(actor, turn.reply.code)
        if not items:
            return _condition(Condition.NO_SUCH_ITEM, {"code": turn.reply.code})
        for named in items:
            answering = everything.answering(named.kind, named.status)
            if answering is not None:
                return _asked(answering, named, turn.reply)
        return _condition(Condition.ITEM_CLOSED, items[0].values, items[0])
    asked = await recall(turn.phone)
    if asked is not None and asked.flow in everything.by_id:
        flow = everything.by_id[asked.flow]
        item = await _item_by_id(actor, flow.item, asked.item_id)
        if item is not None:
            return _asked(flow, item, turn.reply, asked.step)
    return _condition(Condition.WHICH_ITEM, {})


def _asked(flow: Flow, item: Item, reply: Reply, step_id: str = "") -> Route:
    """The step a yes or no leads to from the ask step that asked (default: the entry)."""
    asking = flow.step(step_id) if step_id and step_id in {s.id for s in flow.steps} else None
    ask = asking if isinstance(asking, Ask) else flows().entry(flow.id)
    target = ask.replies.get(reply.intent.value)
    # A number of pieces answers an offer, not an invitation nor a payment (收到 200 is no
    # confirmation of a payment of 225): which one was meant?
    if target is None or (reply.quantity is not None and item.kind != ItemKind.JOB):
        return _condition(Condition.WHICH_ITEM, {})
    return Route(flow, flow.step(target), item, item.values)


def _condition(condition: Condition, values: dict[str, Value], item: Item | None = None) -> Route:
    """The step a condition starts (``item``: the item it is about, if one)."""
    everything = flows()
    flow_id, step_id = everything.starters[condition.value]
    flow = everything.by_id[flow_id]
    return Route(flow, flow.step(step_id), item, values)


async def _started_about_item(turn: Turn, flow: Flow, step_id: str) -> Route:
    """A reply that starts a flow about an item ("完成 15"): the item its code names, else the
    one asked about last if it fits, else the only one that fits; never a guess among several."""
    actor = _person(turn)
    if turn.reply.code:
        items = [i for i in await _items_by_code(actor, turn.reply.code) if i.kind == flow.item]
        if not items:
            return _condition(Condition.NO_SUCH_ITEM, {"code": turn.reply.code})
        if items[0].status not in flow.statuses:
            return _condition(Condition.ITEM_CLOSED, items[0].values, items[0])
        return Route(flow, flow.step(step_id), items[0], items[0].values)
    asked = await recall(turn.phone)
    if asked is not None and flows().by_id.get(asked.flow, flow).item == flow.item:
        item = await _item_by_id(actor, flow.item, asked.item_id)
        if item is not None and item.status in flow.statuses:
            return Route(flow, flow.step(step_id), item, item.values)
    fitting = await _items_in(actor, flow)
    if len(fitting) == 1:
        return Route(flow, flow.step(step_id), fitting[0], fitting[0].values)
    return _condition(Condition.WHICH_ITEM, {})


async def _brand_named(turn: Turn, flow: Flow, step_id: str) -> Route:
    """A reply that names a brand she works with ("退出 王家"): exactly one of hers, by its short
    name or name; else the list of hers (never a guess, never a brand she does not work with)."""
    actor = _person(turn)
    named = await brands_named(actor, turn.reply.name or "")
    if len(named) == 1:
        item = _brand_item(named[0])
        return Route(flow, flow.step(step_id), item, item.values)
    hers = await brands_of(actor)
    names = [brand.name for brand in hers]
    # Two of hers called alike (both 李家) are listed by their names, which tell them apart.
    shown = [brand.full_name if names.count(brand.name) > 1 else brand.name for brand in hers]
    joiner = "、" if actor.locale.startswith("zh") else ", "
    return _condition(Condition.WHICH_BRAND, {"brands": joiner.join(shown)})


def _person(turn: Turn) -> Principal:
    if turn.actor is None:  # screened out before (only opting in and out need no person)
        raise TypeError("a reply about an item needs a person")
    return turn.actor


# Items: a job (by its code, as the artisan knows it), the payout of a paid job, a brand's
# invitation (by its code, Q1: ``backend.memberships.queries``) and a brand she works with
# (by its name).


async def _items_by_code(actor: Principal, code: str) -> list[Item]:
    """The invitation with this code; or the job with this code, and its payout when it has
    one (the payout first)."""
    if code.startswith(CODE_LETTER):
        invitation = await invitation_by_code(actor, code)
        return [_invitation_item(invitation)] if invitation else []
    job = await artisan_job_by_code(actor, code)
    if job is None:
        return []
    payout = await payout_of_job(actor, job.id)
    advance = await paid_advance_of_job(actor, job.id)
    return [*([_payout_item(payout)] if payout else []), *([_advance_item(advance)] if advance else []), _job_item(job)]


async def _item_by_id(actor: Principal, kind: ItemKind, item_id: int) -> Item | None:
    if kind == ItemKind.JOB:
        job = await artisan_job(actor, item_id)
        return _job_item(job) if job else None
    if kind == ItemKind.PAYOUT:
        payout = await artisan_payout(actor, item_id)
        return _payout_item(payout) if payout else None
    if kind == ItemKind.INVITATION:
        invitation = await invitation_item(actor, item_id)
        return _invitation_item(invitation) if invitation else None
    if kind == ItemKind.CONSENT:
        return _consent_item(actor) if item_id == actor.person_id else None
    if kind == ItemKind.STORY:
        return await _story_item(actor, item_id)
    if kind == ItemKind.ADVANCE:
        advance = await artisan_advance(actor, item_id)
        return _advance_item(advance) if advance else None
    return None


async def _items_in(actor: Principal, flow: Flow) -> list[Item]:
    """The person's items of the flow's kind in the states it handles (jobs only)."""
    if flow.item != ItemKind.JOB:
        return []
    return [_job_item(job) for job in await artisan_jobs_in(actor, flow.statuses)]


def _job_item(job: JobRead) -> Item:
    return Item(
        kind=ItemKind.JOB,
        id=job.id,
        code=job.code,
        status=job.status.value,
        brand_id=job.brand_id,
        values=_values(
            JobValues(
                code=job.code,
                title=job.title,
                quantity=job.quantity_offered,
                price=job.unit_price_fen,
                due=job.due_date,
                status=Label(job.status.value),
            )
        ),
    )


def _payout_item(payout: PayoutItem) -> Item:
    return Item(
        kind=ItemKind.PAYOUT,
        id=payout.id,
        code=payout.code,
        status=payout.status.value,
        brand_id=payout.brand_id,
        values=_values(PayoutValues(code=payout.code, amount=payout.amount_fen, status=Label(payout.status.value))),
    )


def _advance_item(advance: AdvanceRead) -> Item:
    return Item(
        kind=ItemKind.ADVANCE,
        id=advance.id,
        code=advance.code,
        status=advance.status.value,
        brand_id=advance.brand_id,
        values=_values(AdvanceValues(code=advance.code, amount=advance.amount_fen, status=Label(advance.status.value))),
    )


def _invitation_item(invitation: InvitationItem) -> Item:
    return Item(
        kind=ItemKind.INVITATION,
        id=invitation.id,
        code=invitation.code,
        status=invitation.status.value,
        brand_id=invitation.brand_id,
        values=_values(
            InvitationValues(
                code=invitation.code, brand=invitation.brand, status=Label(STATUS_WORDS[invitation.status])
            )
        ),
    )


def _brand_item(brand: BrandItem) -> Item:
    return Item(
        kind=ItemKind.BRAND,
        id=brand.id,
        code="",
        status="active",
        brand_id=brand.id,
        values=_values(BrandValues(brand=brand.name)),
    )


def _consent_item(actor: Principal) -> Item:
    """What buyers may see of her: hers, of no one brand (the answer is filed as hers)."""
    return Item(kind=ItemKind.CONSENT, id=actor.person_id, code="", status="open", brand_id=None, values={})


async def _story_item(actor: Principal, proposal: int) -> Item:
    """A proposal of her story, by its number: waiting while it is the one she was asked about."""
    consent = await consent_of(actor.person_id)
    pending = consent.story_proposal == proposal
    return Item(
        kind=ItemKind.STORY,
        id=proposal,
        code="",
        status="pending" if pending else "settled",
        brand_id=None,
        values={"story": consent.story_proposed or "" if pending else ""},
    )


def _values(values: JobValues | PayoutValues | AdvanceValues | InvitationValues | BrandValues) -> dict[str, Value]:
    return {name: getattr(values, name) for name in values.__struct_fields__}


# Answers.


async def _perform(turn: Turn, route: Route) -> str:
    step, values = route.step, dict(route.values)
    locale = turn.actor.locale if turn.actor else DEFAULT_LOCALE
    about = _about(route)
    asks = step.id if isinstance(step, Ask) else None
    if isinstance(step, Act):
        context = Context(actor=turn.actor, phone=turn.phone, reply=turn.reply, body=turn.body, item=route.item)
        done: Done = await ACTIONS[step.action].run(context)
        values |= done.values
        locale = done.locale or locale
        about = done.about if done.about is not None else about
        asks = step.then
    if asks is not None and route.item is not None:
        step_id = "" if asks == route.flow.entry else asks
        await remember([(turn.phone, route.flow.id, route.item.id, route.item.code)], utcnow(), step_id)
    await _send(turn, step.message, values, locale, about)
    return f"{route.flow.id}.{step.id}"


async def _refuse(turn: Turn, route: Route, error: DomainError) -> str:
    locale = turn.actor.locale if turn.actor else DEFAULT_LOCALE
    refusal = refusal_of(error)
    step = route.step
    key = step.refusals.get(refusal, NOT_POSSIBLE) if isinstance(step, Act) else NOT_POSSIBLE
    await _send(turn, key, route.values | error.params, locale, _about(route))
    return f"{route.flow.id}.{step.id}: {refusal}"


def _about(route: Route) -> frozenset[int] | None:
    """The brand an answer is about: its item's (None: the engine cannot tell, or it is hers)."""
    if route.item is None or route.item.brand_id is None:
        return None
    return frozenset({route.item.brand_id})


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


async def _send(
    turn: Turn, key: str, values: Mapping[str, object], locale: str, about: frozenset[int] | None = None
) -> None:
    """Queue the message ``key`` to the villager, with the values it shows, in ``locale``,
    filed under the brand it is ``about`` (see :func:`_filed_under`)."""
    wanted = messages()[key].variables
    if not set(wanted) <= set(values):
        log.error(
            "SMS %s: %s lacks %s; sent %s instead", turn.inbox_id, key, sorted(set(wanted) - set(values)), NOT_POSSIBLE
        )
        key, wanted = NOT_POSSIBLE, {}
    shown: dict[str, Value] = {}
    for name in wanted:
        value = values[name]
        shown[name] = translate(value, locale) if isinstance(value, Label) else value  # type: ignore[assignment]
    brand_id, member_id = _filed_under(turn, about)
    await enqueue(turn.phone, render(key, locale, **shown), brand_id=brand_id, member_id=member_id, answers=True)
    turn.filed_brand = brand_id  # her text goes where its answer went
