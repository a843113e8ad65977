"""The actions a flow's ``act`` step may name, each declared once: its name, the item it needs,
the values it gives the step's message, the refusals it can make (with the values each
gives), a reply that leads to it, and what it does: one call to the same services the app
uses. ``cunjiang sms check`` validates flows against this registry; the engine runs from it.
Services raise their domain errors; the engine turns each into the refusal the flow's step
maps to a message.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import msgspec

from backend.accounts.consent import SWITCHES, change_consent
from backend.accounts.schemas import StoryDecision, StoryDecisionWord, TakesCalls
from backend.accounts.service import set_own_locale
from backend.core.errors import DomainError, Forbidden, Invalid, OrderFull
from backend.core.i18n import N_, translate
from backend.core.types import Principal, utcnow
from backend.jobs.machine import Status
from backend.jobs.price_feedback import say_price_too_low
from backend.jobs.queries import artisan_open_codes
from backend.jobs.service import accept_job, decline_job
from backend.jobs.submissions import report_done
from backend.materials.service import receive_kit, report_short
from backend.memberships import invitations
from backend.memberships.queries import open_invitations
from backend.memberships.service import leave
from backend.memberships.story import decide_story
from backend.messages import optout
from backend.messages.templates import Value
from backend.payouts.advances import confirm_advance, dispute_advance, request_advance
from backend.payouts.schemas import AdvanceCreate
from backend.payouts.service import confirm_payout, dispute_payout
from backend.sms.replies import Reply
from backend.sms.vocabulary import ItemKind

MENU_ITEMS = 3
NOTHING: frozenset[str] = frozenset()
# An item that went away or moved on meanwhile (withdrawn, expired, answered in the app).
GONE = {"not_found": NOTHING, "invalid_transition": frozenset({"status"})}
Run = Callable[["Context"], Awaitable["Done"]]


class Action(msgspec.Struct, frozen=True, kw_only=True):
    """One action of the flows, declared once."""

    name: str
    item: ItemKind | None  # None: any item, or none
    provides: frozenset[str]  # values it adds for the step's message
    refusals: dict[str, frozenset[str]]  # refusal → the values it gives its message
    example: str  # a reply that leads to it, in its flow
    run: Run


ACTIONS: dict[str, Action] = {}


def action(
    name: str,
    *,
    item: ItemKind | None,
    example: str,
    provides: frozenset[str] = NOTHING,
    refusals: dict[str, frozenset[str]] | None = None,
) -> Callable[[Run], Run]:
    """Register the decorated function as the action ``name`` of the flows."""

    def register(run: Run) -> Run:
        if name in ACTIONS:
            raise ValueError(f"action {name!r} is registered twice")
        ACTIONS[name] = Action(
            name=name, item=item, provides=provides, refusals=refusals or {}, example=example, run=run
        )
        return run

    return register


class Item(msgspec.Struct, frozen=True, kw_only=True):
    """The job or payout a reply is about, with the values its messages show."""

    kind: ItemKind
    id: int
    code: str
    status: str
    brand_id: int | None  # whose it is: the answer about it is filed under this brand (None: hers)
    values: dict[str, Value]


class Context(msgspec.Struct, frozen=True, kw_only=True):
    actor: Principal | None  # None: a number Cunjiang does not know (it may still opt out)
    phone: str
    reply: Reply
    body: str
    item: Item | None


class Done(msgspec.Struct, frozen=True):
    values: dict[str, Value] = {}
    locale: str | None = None  # the reply's language, when the action changed it
    # The brands whose things the answer shows, when the action knows better than the
    # engine (a menu of open items); the answer is filed under one brand only if it is one.
    about: frozenset[int] | None = None


class NothingOpen(DomainError):
    code = "nothing_open"
    message = N_("Nothing is open for you now.")


def _actor(context: Context) -> Principal:
    if context.actor is None:
        raise TypeError("this action needs a person")
    return context.actor


def _item(context: Context) -> Item:
    if context.item is None:
        raise TypeError("this action needs an item")
    return context.item


@action(
    "accept_offer",
    item=ItemKind.JOB,
    example="接 10",
    provides=frozenset({"quantity"}),
    refusals={
        **GONE,
        "order_full": frozenset({"remaining", "quantity"}),
        "order_taken": NOTHING,  # full: nothing left at all
        "order_closed": NOTHING,
        "offer_expired": NOTHING,
        "above_offer": frozenset({"offered"}),
    },
)
async def _accept_offer(context: Context) -> Done:
    job = await accept_job(_actor(context), _item(context).id, context.reply.quantity)
    return Done({"quantity": job.quantity_accepted})


@action("decline_offer", item=ItemKind.JOB, example="不接", refusals=GONE)
async def _decline_offer(context: Context) -> Done:
    await decline_job(_actor(context), _item(context).id, reason=context.body[:500])
    return Done()


@action(
    "price_feedback",
    item=ItemKind.JOB,
    example="价低 30",
    refusals={**GONE, "price_too_high": NOTHING, "offer_expired": NOTHING},
)
async def _price_feedback(context: Context) -> Done:
    """价低, perhaps with the yuan she would take a piece ("价低 30"), in fen for the service."""
    yuan = context.reply.yuan
    await say_price_too_low(_actor(context), _item(context).id, None if yuan is None else yuan * 100)
    return Done()


@action("confirm_payout", item=ItemKind.PAYOUT, example="收到", refusals=GONE)
async def _confirm_payout(context: Context) -> Done:
    await confirm_payout(_actor(context), _item(context).id)
    return Done()


@action("dispute_payout", item=ItemKind.PAYOUT, example="没收到", refusals=GONE)
async def _dispute_payout(context: Context) -> Done:
    await dispute_payout(_actor(context), _item(context).id, reason=context.body[:500] or "SMS")
    return Done()


@action(
    "report_done",
    item=ItemKind.JOB,
    example="完成 15",
    provides=frozenset({"quantity"}),
    refusals={**GONE, "quantity_missing": NOTHING, "above_accepted": frozenset({"accepted"})},
)
async def _report_done(context: Context) -> Done:
    job = await report_done(_actor(context), _item(context).id, context.reply.quantity)
    return Done({"quantity": job.quantity_reported})


@action(
    "request_advance",
    item=ItemKind.JOB,
    example="预支 500",
    provides=frozenset({"amount"}),
    refusals={**GONE, "advance_open": NOTHING, "nothing_left": NOTHING, "over_limit": frozenset({"most"})},
)
async def _request_advance(context: Context) -> Done:
    """The yuan she names (预支 500), or without an amount the most she may ask (the app's
    default too): the same service, in fen."""
    yuan = context.reply.yuan
    data = AdvanceCreate(amount_fen=yuan * 100 if yuan is not None else None)
    advance = await request_advance(_actor(context), _item(context).id, data)
    return Done({"amount": advance.amount_fen})


@action("confirm_advance", item=ItemKind.ADVANCE, example="收到", refusals=GONE)
async def _confirm_advance(context: Context) -> Done:
    await confirm_advance(_actor(context), _item(context).id)
    return Done()


@action("dispute_advance", item=ItemKind.ADVANCE, example="没收到", refusals=GONE)
async def _dispute_advance(context: Context) -> Done:
    await dispute_advance(_actor(context), _item(context).id, reason=context.body[:500] or "SMS")
    return Done()


@action("receive_kit", item=ItemKind.KIT, example="收到", refusals={**GONE, "kit_settled": NOTHING})
async def _receive_kit(context: Context) -> Done:
    await receive_kit(_actor(context), _item(context).id)
    return Done()


@action("report_short", item=ItemKind.KIT, example="缺料", refusals={**GONE, "kit_settled": NOTHING})
async def _report_short(context: Context) -> Done:
    """Her words are the note (缺料, or what is missing; a bare 2 says nothing more); the
    coordinator calls her."""
    words = context.body.strip()
    await report_short(_actor(context), _item(context).id, note="" if words.isdigit() else words[:500])
    return Done()


# Her answer to a brand's invitation, and leaving a brand: hers alone, never staff's typing
# as her in the SMS simulator.
ANSWERED = {"already_answered": NOTHING, "not_found": NOTHING, "forbidden": NOTHING}


def _herself(context: Context) -> Principal:
    actor = _actor(context)
    if actor.typed_by is not None:
        raise Forbidden()
    return actor


@action("accept_invitation", item=ItemKind.INVITATION, example="同意", refusals=ANSWERED)
async def _accept_invitation(context: Context) -> Done:
    await invitations.answer(_herself(context), _item(context).id, accept=True)
    return Done()


@action("decline_invitation", item=ItemKind.INVITATION, example="不同意", refusals=ANSWERED)
async def _decline_invitation(context: Context) -> Done:
    await invitations.answer(_herself(context), _item(context).id, accept=False)
    return Done()


@action(
    "leave_brand",
    item=ItemKind.BRAND,
    example="退出 王家",
    refusals={"open_work": frozenset({"count"}), "forbidden": NOTHING, "not_found": NOTHING},
)
async def _leave_brand(context: Context) -> Done:
    await leave(_herself(context), _item(context).id)
    return Done()


# What buyers may see of her (公开, 不公开) and her own words: hers alone, like the above; each
# answer calls the very services of the app's switches and story card (channel sms).
CONSENT_REFUSALS = {"forbidden": NOTHING}


# The words of what buyers may see of her, after each answer.
SHOWN_WORDS = {"name": N_("your name"), "village": N_("your village"), "photo": N_("your photo")}
NOTHING_SHOWN = N_("nothing")


def _consent_switch(name: str, item: str, shown: bool, example: str) -> None:
    async def run(context: Context) -> Done:
        actor = _herself(context)
        consent = await change_consent(actor, {item: shown})
        words = [translate(word, actor.locale) for key, word in SHOWN_WORDS.items() if getattr(consent, key)]
        joiner = "、" if actor.locale.startswith("zh") else ", "
        return Done({"shown": joiner.join(words) or translate(NOTHING_SHOWN, actor.locale)})

    action(name, item=ItemKind.CONSENT, example=example, provides=frozenset({"shown"}), refusals=CONSENT_REFUSALS)(run)


for _item_name in ("name", "village", "photo"):
    _consent_switch(f"show_{_item_name}", _item_name, True, "1")
    _consent_switch(f"hide_{_item_name}", _item_name, False, "2")


@action("hide_all", item=ItemKind.CONSENT, example="不公开", refusals=CONSENT_REFUSALS)
async def _hide_all(context: Context) -> Done:
    await change_consent(_herself(context), dict.fromkeys(SWITCHES, False))
    return Done()


STORY_REFUSALS = {"story_not_pending": NOTHING, "story_changed": NOTHING, "forbidden": NOTHING}


@action("approve_story", item=ItemKind.STORY, example="1", refusals=STORY_REFUSALS)
async def _approve_story(context: Context) -> Done:
    """Her yes to the words she was sent: approved, and shown (the question asked both)."""
    actor = _herself(context)
    await decide_story(actor, StoryDecision(decision=StoryDecisionWord.APPROVE, proposal=_item(context).id))
    await change_consent(actor, {"story": True})
    return Done()


@action("reject_story", item=ItemKind.STORY, example="2", refusals=STORY_REFUSALS)
async def _reject_story(context: Context) -> Done:
    await decide_story(_herself(context), StoryDecision(decision=StoryDecisionWord.REJECT, proposal=_item(context).id))
    return Done()


# An open item in the menu: its code and a word for what is open about it.
MENU_WORDS = {
    Status.OFFERED: N_("open offer"),
    Status.ACCEPTED: N_("work in hand"),
    Status.REWORK: N_("work in hand"),
    Status.PAID: N_("payment to confirm"),
}


INVITED = N_("invitation")


@action("list_open", item=None, example="0", provides=frozenset({"items"}), refusals={"nothing_open": NOTHING})
async def _list_open(context: Context) -> Done:
    """Her open items, invitations first (each waits for her alone), then her work."""
    actor = _actor(context)
    asked = await open_invitations(actor)
    rows = [(i.code, INVITED) for i in asked] + [
        (code, MENU_WORDS[status]) for code, status in await artisan_open_codes(actor, utcnow(), MENU_ITEMS + 1)
    ]
    if not rows:
        raise NothingOpen()
    shown = [f"{code} {translate(word, actor.locale)}" for code, word in rows[:MENU_ITEMS]]
    # Filed under one brand only if everything listed is its: an invitation is the asking brand's.
    about = frozenset({m.brand_id for m in actor.memberships} | {i.brand_id for i in asked}) if asked else None
    return Done({"items": " ".join(shown) + ("..." if len(rows) > MENU_ITEMS else "")}, about=about)


@action("opt_out", item=ItemKind.NONE, example="退订")
async def _opt_out(context: Context) -> Done:
    await optout.opt_out(context.phone, "sms")
    return Done()


@action("opt_in", item=ItemKind.NONE, example="订阅")
async def _opt_in(context: Context) -> Done:
    await optout.opt_in(context.phone)
    return Done()


@action("calls_on", item=ItemKind.NONE, example="电话")
async def _calls_on(context: Context) -> Done:
    # Here, not at the top: asking for calls queues the open question's call, which needs
    # the flows, and the flows need this registry.
    from backend.sms.call_requests import set_takes_calls

    await set_takes_calls(_actor(context), TakesCalls(takes_calls=True))
    return Done()


@action("calls_off", item=ItemKind.NONE, example="不要电话")
async def _calls_off(context: Context) -> Done:
    from backend.sms.call_requests import set_takes_calls

    await set_takes_calls(_actor(context), TakesCalls(takes_calls=False))
    return Done()


@action("use_chinese", item=ItemKind.NONE, example="中文")
async def _use_chinese(context: Context) -> Done:
    return Done(locale=await set_own_locale(_actor(context), "zh_Hans"))


@action("use_english", item=ItemKind.NONE, example="EN")
async def _use_english(context: Context) -> Done:
    return Done(locale=await set_own_locale(_actor(context), "en"))


def refusal_of(error: DomainError) -> str:
    """The refusal a flow answers: the error's code, or the rule an invalid value broke."""
    if isinstance(error, OrderFull) and error.params.get("remaining", 1) <= 0:
        return "order_taken"
    if isinstance(error, Invalid) and error.fields:
        return next(iter(error.fields.values()))
    return error.code
