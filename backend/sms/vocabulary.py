"""The words a flow file may use: items, what starts a flow, actions and their refusals.

Pure data, so that ``cunjiang sms check`` and the server's start-up validate flows without
touching a database. The actions, each declared once with what it needs, gives and refuses,
are registered in ``backend.sms.actions``.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import msgspec

from backend.accounts.schemas import InvitationStatus
from backend.core.i18n import Label
from backend.jobs.machine import Status
from backend.materials.schemas import KitStatus
from backend.payouts.schemas import AdvanceStatus, PayoutStatus
from backend.sms.replies import Intent


class ItemKind(StrEnum):
    """What a conversation is about: nothing in particular, a job (an offer, work in hand), a
    payout, a brand's invitation to work with it, a brand she works with (to leave it), what
    buyers may see of her (her consent), or the words a coordinator proposed as her story."""

    NONE = "none"
    JOB = "job"
    PAYOUT = "payout"
    INVITATION = "invitation"
    BRAND = "brand"
    CONSENT = "consent"
    STORY = "story"
    ADVANCE = "advance"  # an advance paid on a job, waiting for her word
    KIT = "kit"  # materials handed out for a job, waiting for her word


class Condition(StrEnum):
    """What the conversation finds when a reply cannot go where it points."""

    WHICH_ITEM = "which_item"  # a bare answer, but nothing was asked lately (or several fit)
    NO_SUCH_ITEM = "no_such_item"  # a code that names none of the villager's jobs
    ITEM_CLOSED = "item_closed"  # a code whose job no flow asks about in its state
    WHICH_BRAND = "which_brand"  # 退出 naming no brand she works with, or several


# Answers go to the ask step that asked; everything else may start a flow.
ANSWERS = frozenset({Intent.YES.value, Intent.NO.value, Intent.SHORT.value})
STARTERS = frozenset({intent.value for intent in Intent} - ANSWERS) | {condition.value for condition in Condition}

ITEM_STATUSES: dict[ItemKind, frozenset[str]] = {
    ItemKind.NONE: frozenset(),
    ItemKind.JOB: frozenset(status.value for status in Status),
    ItemKind.PAYOUT: frozenset(status.value for status in PayoutStatus),
    ItemKind.INVITATION: frozenset(status.value for status in InvitationStatus),
    ItemKind.BRAND: frozenset({"active"}),  # a brand she is an active member of
    ItemKind.CONSENT: frozenset({"open"}),  # hers, always open to a change of mind
    ItemKind.STORY: frozenset({"pending", "settled"}),  # waiting for her answer, or not any more
    ItemKind.ADVANCE: frozenset(status.value for status in AdvanceStatus),
    ItemKind.KIT: frozenset(status.value for status in KitStatus),
}


class JobValues(msgspec.Struct, frozen=True):
    """What a message about a job may show (the engine fills these in for every job item)."""

    code: str
    title: str
    quantity: int
    price: int  # fen
    due: dt.date
    status: Label


class PayoutValues(msgspec.Struct, frozen=True):
    """What a message about a payout may show."""

    code: str
    amount: int  # fen
    status: Label


class AdvanceValues(msgspec.Struct, frozen=True):
    """What a message about an advance may show (its job's code, like a payout)."""

    code: str
    amount: int  # fen
    status: Label


class KitValues(msgspec.Struct, frozen=True):
    """What a message about a kit may show: its job's code and a summary of its lines."""

    code: str
    kit: str  # its first line, and how many more (backend.materials.service.summary)
    status: Label


class InvitationValues(msgspec.Struct, frozen=True):
    """What a message about an invitation may show: only the brand that asks, never another."""

    code: str
    brand: str  # its short name, else its name
    status: Label


class BrandValues(msgspec.Struct, frozen=True):
    """What a message about a brand she works with may show: its name, and no other's."""

    brand: str  # its short name, else its name


# The message variables an item fills in: the fields of its values, declared once above.
ITEM_VALUES: dict[ItemKind, frozenset[str]] = {
    ItemKind.NONE: frozenset(),
    ItemKind.JOB: frozenset(JobValues.__struct_fields__),
    ItemKind.PAYOUT: frozenset(PayoutValues.__struct_fields__),
    ItemKind.INVITATION: frozenset(InvitationValues.__struct_fields__),
    ItemKind.BRAND: frozenset(BrandValues.__struct_fields__),
    ItemKind.CONSENT: frozenset(),
    ItemKind.STORY: frozenset({"story"}),  # the words waiting for her answer
    ItemKind.ADVANCE: frozenset(AdvanceValues.__struct_fields__),
    ItemKind.KIT: frozenset(KitValues.__struct_fields__),
}
CONDITION_VALUES: dict[str, frozenset[str]] = {
    Condition.WHICH_ITEM: frozenset(),
    Condition.NO_SUCH_ITEM: frozenset({"code"}),
    Condition.ITEM_CLOSED: frozenset({"code", "status"}),
    Condition.WHICH_BRAND: frozenset({"brands"}),  # the brands she works with, by name
}
