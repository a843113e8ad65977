"""The words a flow file may use: items, what starts a flow, actions and their refusals.

Pure data, so that ``cunjiang sms check`` and the server's start-up validate flows without
touching a database. ``backend.sms.actions`` carries out each action named here (a test
holds the two to the same names).
"""

from __future__ import annotations

from enum import StrEnum

import msgspec

from backend.jobs.machine import Status
from backend.payouts.schemas import PayoutStatus
from backend.sms.replies import Intent


class ItemKind(StrEnum):
    """What a conversation is about: nothing in particular, a job (an offer, work in hand) or a payout."""

    NONE = "none"
    JOB = "job"
    PAYOUT = "payout"


class Condition(StrEnum):
    """What the conversation finds when a reply cannot go where it points."""

    WHICH_ITEM = "which_item"  # a bare answer, but nothing was asked lately (or several fit)
    NO_SUCH_ITEM = "no_such_item"  # a code that names none of the villager's jobs
    ITEM_CLOSED = "item_closed"  # a code whose job no flow asks about in its state


# Answers go to the ask step that asked; everything else may start a flow.
ANSWERS = frozenset({Intent.YES.value, Intent.NO.value})
STARTERS = frozenset({intent.value for intent in Intent} - ANSWERS) | {condition.value for condition in Condition}

ITEM_STATUSES: dict[ItemKind, frozenset[str]] = {
    ItemKind.NONE: frozenset(),
    ItemKind.JOB: frozenset(status.value for status in Status),
    ItemKind.PAYOUT: frozenset(status.value for status in PayoutStatus),
}
# The message variables an item fills in (``backend.sms.engine.item_values``).
ITEM_VALUES: dict[ItemKind, frozenset[str]] = {
    ItemKind.NONE: frozenset(),
    ItemKind.JOB: frozenset({"code", "title", "quantity", "price", "due", "status"}),
    ItemKind.PAYOUT: frozenset({"code", "amount", "status"}),
}
CONDITION_VALUES: dict[str, frozenset[str]] = {
    Condition.WHICH_ITEM: frozenset(),
    Condition.NO_SUCH_ITEM: frozenset({"code"}),
    Condition.ITEM_CLOSED: frozenset({"code", "status"}),
}


class ActionSpec(msgspec.Struct, frozen=True):
    """An action's item (None: any), the values it adds, and its refusals with the values each gives."""

    item: ItemKind | None
    provides: frozenset[str]
    refusals: dict[str, frozenset[str]]


NOTHING: frozenset[str] = frozenset()
GONE = {"not_found": NOTHING, "invalid_transition": frozenset({"status"})}

ACTIONS: dict[str, ActionSpec] = {
    "accept_offer": ActionSpec(
        ItemKind.JOB,
        frozenset({"quantity"}),
        {
            **GONE,
            "order_full": frozenset({"remaining", "quantity"}),
            "order_taken": NOTHING,  # full: nothing left at all
            "order_closed": NOTHING,
            "offer_expired": NOTHING,
            "above_offer": frozenset({"offered"}),
        },
    ),
    "decline_offer": ActionSpec(ItemKind.JOB, NOTHING, GONE),
    "confirm_payout": ActionSpec(ItemKind.PAYOUT, NOTHING, GONE),
    "dispute_payout": ActionSpec(ItemKind.PAYOUT, NOTHING, GONE),
    "report_done": ActionSpec(
        ItemKind.JOB,
        frozenset({"quantity"}),
        {**GONE, "quantity_missing": NOTHING, "above_accepted": frozenset({"accepted"})},
    ),
    "list_open": ActionSpec(None, frozenset({"items"}), {"nothing_open": NOTHING}),
    "opt_out": ActionSpec(ItemKind.NONE, NOTHING, {}),
    "opt_in": ActionSpec(ItemKind.NONE, NOTHING, {}),
    "use_chinese": ActionSpec(ItemKind.NONE, NOTHING, {}),
    "use_english": ActionSpec(ItemKind.NONE, NOTHING, {}),
}
# The flows the rest of Cunjiang starts by name (their entry step asks).
ASKING_FLOWS = ("offer", "payout")
