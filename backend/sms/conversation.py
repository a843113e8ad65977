"""The conversation, whatever the channel: where an answer goes (a flow's step, about an item)
and what it does there (one action, one call to the same services as the app), and the
message that answers it. The SMS engine (``backend.sms.engine``) and voice calls
(``backend.voice``) both drive it: a reply typed and a key pressed become the same answer.
"""

from __future__ import annotations

import msgspec

from backend.accounts.consent import consent_of
from backend.core.errors import DomainError
from backend.core.i18n import Label, translate
from backend.core.types import Principal, utcnow
from backend.jobs.queries import artisan_job, artisan_job_by_code, artisan_jobs_in
from backend.jobs.schemas import JobRead
from backend.materials.reads import artisan_kit, waiting_kit_of_job
from backend.materials.schemas import KitRead
from backend.materials.service import summary
from backend.memberships.queries import (
    CODE_LETTER,
    STATUS_WORDS,
    BrandItem,
    InvitationItem,
    invitation_by_code,
    invitation_item,
)
from backend.messages.asked import remember
from backend.messages.templates import Value, messages
from backend.payouts.advances import artisan_advance, paid_advance_of_job
from backend.payouts.queries import PayoutItem, artisan_payout, payout_of_job
from backend.payouts.schemas import AdvanceRead
from backend.sms.actions import ACTIONS, Context, Done, Item, refusal_of
from backend.sms.flows import Act, Ask, Flow, Step, flows
from backend.sms.replies import Reply
from backend.sms.vocabulary import (
    AdvanceValues,
    BrandValues,
    Condition,
    InvitationValues,
    ItemKind,
    JobValues,
    KitValues,
    PayoutValues,
)

NOT_POSSIBLE = "not_possible"  # the answer to a refusal no step expected


class Route(msgspec.Struct, frozen=True):
    """Where a reply goes: a flow's step, about an item, with the values its messages show."""

    flow: Flow
    step: Step
    item: Item | None = None
    values: dict[str, Value] = {}


class Answer(msgspec.Struct, frozen=True, kw_only=True):
    """What answers the villager: a message with its values, in her language, about the
    brands whose things it shows (None: the engine cannot tell); and the outcome to record."""

    key: str
    values: dict[str, object]
    locale: str
    about: frozenset[int] | None
    outcome: str


def asked(flow: Flow, item: Item, reply: Reply, step_id: str = "") -> Route:
    """The step a yes or no leads to from the ask step that asked (default: the entry)."""
    asking = flow.step(step_id) if step_id and step_id in {s.id for s in flow.steps} else None
    ask = asking if isinstance(asking, Ask) else flows().entry(flow.id)
    target = ask.replies.get(reply.intent.value)
    # A number of pieces answers an offer, not an invitation nor a payment (收到 200 is no
    # confirmation of a payment of 225): which one was meant?
    if target is None or (reply.quantity is not None and item.kind != ItemKind.JOB):
        return condition(Condition.WHICH_ITEM, {})
    return Route(flow, flow.step(target), item, item.values)


def condition(condition: Condition, values: dict[str, Value], item: Item | None = None) -> Route:
    """The step a condition starts (``item``: the item it is about, if one)."""
    everything = flows()
    flow_id, step_id = everything.starters[condition.value]
    flow = everything.by_id[flow_id]
    return Route(flow, flow.step(step_id), item, values)


# Items: a job (by its code, as the artisan knows it), the payout of a paid job, an advance
# paid on a job (by the job's code too), a brand's
# invitation (by its code, Q1: ``backend.memberships.queries``) and a brand she works with
# (by its name).


async def items_by_code(actor: Principal, code: str) -> list[Item]:
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
    kit = await waiting_kit_of_job(actor, job.id)
    return [
        *([_payout_item(payout)] if payout else []),
        *([_advance_item(advance)] if advance else []),
        *([_kit_item(kit)] if kit else []),
        _job_item(job),
    ]


async def item_by_id(actor: Principal, kind: ItemKind, item_id: int) -> Item | None:
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
        return consent_item(actor) if item_id == actor.person_id else None
    if kind == ItemKind.STORY:
        return await _story_item(actor, item_id)
    if kind == ItemKind.ADVANCE:
        advance = await artisan_advance(actor, item_id)
        return _advance_item(advance) if advance else None
    if kind == ItemKind.KIT:
        kit = await artisan_kit(actor, item_id)
        return _kit_item(kit) if kit else None
    return None


async def items_in(actor: Principal, flow: Flow) -> list[Item]:
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


def _advance_item(advance: AdvanceRead) -> Item:
    return Item(
        kind=ItemKind.ADVANCE,
        id=advance.id,
        code=advance.code,
        status=advance.status.value,
        brand_id=advance.brand_id,
        values=_values(AdvanceValues(code=advance.code, amount=advance.amount_fen, status=Label(advance.status.value))),
    )


def _kit_item(kit: KitRead) -> Item:
    lines = [(line.material, line.quantity, line.unit, line.lot) for line in kit.lines]
    return Item(
        kind=ItemKind.KIT,
        id=kit.id,
        code=kit.code,
        status=kit.status.value,
        brand_id=kit.brand_id,
        values=_values(KitValues(code=kit.code, kit=summary(lines), status=Label(kit.status.value))),
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


def brand_item(brand: BrandItem) -> Item:
    return Item(
        kind=ItemKind.BRAND,
        id=brand.id,
        code="",
        status="active",
        brand_id=brand.id,
        values=_values(BrandValues(brand=brand.name)),
    )


def consent_item(actor: Principal) -> Item:
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


def _values(
    values: JobValues | PayoutValues | AdvanceValues | KitValues | InvitationValues | BrandValues,
) -> dict[str, Value]:
    return {name: getattr(values, name) for name in values.__struct_fields__}


# Answers.


async def carry_out(route: Route, context: Context, locale: str) -> Answer:
    """Do what the route's step does (an act: its action, once) and say what answers it; an
    ask about an item is remembered, so that a bare answer answers it."""
    step, values = route.step, dict[str, object](route.values)
    about = about_of(route)
    asks = step.id if isinstance(step, Ask) else None
    if isinstance(step, Act):
        done: Done = await ACTIONS[step.action].run(context)
        values |= done.values
        locale = done.locale or locale
        about = done.about if done.about is not None else about
        asks = step.then
    if asks is not None and route.item is not None:
        step_id = "" if asks == route.flow.entry else asks
        await remember([(context.phone, route.flow.id, route.item.id, route.item.code)], utcnow(), step_id)
    return Answer(key=step.message, values=values, locale=locale, about=about, outcome=f"{route.flow.id}.{step.id}")


def refused(route: Route, error: DomainError, locale: str) -> Answer:
    """The answer to a refusal of the route's action: the message its step maps it to."""
    refusal = refusal_of(error)
    step = route.step
    key = step.refusals.get(refusal, NOT_POSSIBLE) if isinstance(step, Act) else NOT_POSSIBLE
    values = dict[str, object](route.values) | error.params
    return Answer(
        key=key, values=values, locale=locale, about=about_of(route), outcome=f"{route.flow.id}.{step.id}: {refusal}"
    )


def about_of(route: Route) -> frozenset[int] | None:
    """The brand an answer is about: its item's (None: the engine cannot tell, or it is hers)."""
    if route.item is None or route.item.brand_id is None:
        return None
    return frozenset({route.item.brand_id})


def shown(key: str, values: dict[str, object], locale: str) -> dict[str, Value] | None:
    """The values the message ``key`` shows, labels in ``locale``; None when one is missing."""
    wanted = messages()[key].variables
    if not set(wanted) <= set(values):
        return None
    found: dict[str, Value] = {}
    for name in wanted:
        value = values[name]
        found[name] = translate(value, locale) if isinstance(value, Label) else value  # type: ignore[assignment]
    return found
