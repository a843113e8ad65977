"""Invitations and brands as a person names them by SMS: an invitation by its code (Q1), a
brand she works with by its short name or name (退出 王家).

An invitation's code is ``Q`` and its place among the invitations she was ever sent, oldest
first: her first is Q1, her second Q2, whichever brands sent them. Invitations are never
deleted, and a brand asking again reuses its row, so a code keeps naming the same invitation.
``Q`` is neither a word of the replies (1, y, t…) nor a job's ``K``, so "Q1 1" cannot be read
two ways.

Staff typing as her in the SMS simulator see no invitation: one may name a brand their own
is not, and saying yes is hers alone.
"""

from __future__ import annotations

from typing import Any

import msgspec

from backend.accounts.schemas import InvitationStatus
from backend.accounts.tables import Brand, Invitation
from backend.core.i18n import N_
from backend.core.text import name_key
from backend.core.types import Principal

CODE_LETTER = "Q"
# What an invitation's state reads as in an SMS ("Q1 is agreed now").
STATUS_WORDS = {
    InvitationStatus.PENDING: N_("unanswered"),
    InvitationStatus.ACCEPTED: N_("agreed"),
    InvitationStatus.DECLINED: N_("declined"),
}


class InvitationItem(msgspec.Struct, frozen=True, kw_only=True):
    """An invitation as an SMS is about it: its code, state and the brand that asks."""

    id: int
    code: str
    status: InvitationStatus
    brand_id: int
    brand: str  # what villagers call the brand: its short name, else its name


class BrandItem(msgspec.Struct, frozen=True, kw_only=True):
    """A brand she works with, as an SMS names it."""

    id: int
    name: str  # its short name, else its name
    full_name: str


def sms_name(row: dict[str, Any]) -> str:
    """What SMS call a brand (a row with ``short_name`` and ``name``)."""
    return str(row["short_name"] or row["name"])


def _hers(actor: Principal) -> bool:
    """Whether the person herself is acting (not staff typing as her in the simulator)."""
    return actor.typed_by is None and actor.person_id > 0


async def invitations_of(actor: Principal) -> list[InvitationItem]:
    """Every invitation she was sent, oldest first, each with its code."""
    return await invitations_of_person(actor.person_id) if _hers(actor) else []


async def invitations_of_person(person_id: int) -> list[InvitationItem]:
    """Every invitation the person was sent, oldest first, each with its code."""
    rows = (
        await Invitation.select(
            Invitation.id,
            Invitation.status,
            Invitation.brand.as_alias("brand_id"),
            Invitation.brand.name.as_alias("name"),
            Invitation.brand.short_name.as_alias("short_name"),
        )
        .where(Invitation.person == person_id)
        .order_by(Invitation.id)
    )
    return [
        InvitationItem(
            id=row["id"],
            code=f"{CODE_LETTER}{number}",
            status=InvitationStatus(row["status"]),
            brand_id=row["brand_id"],
            brand=sms_name(row),
        )
        for number, row in enumerate(rows, start=1)
    ]


async def invitation_item(actor: Principal, invitation_id: int) -> InvitationItem | None:
    """Her invitation with this id, if it is hers."""
    return next((item for item in await invitations_of(actor) if item.id == invitation_id), None)


async def invitation_by_code(actor: Principal, code: str) -> InvitationItem | None:
    """Her invitation with this code (Q1), if she has one."""
    return next((item for item in await invitations_of(actor) if item.code == code.upper()), None)


async def open_invitations(actor: Principal) -> list[InvitationItem]:
    """Her invitations not answered yet, oldest first."""
    return [item for item in await invitations_of(actor) if item.status == InvitationStatus.PENDING]


async def brands_of(actor: Principal) -> list[BrandItem]:
    """The brands she is an active member of, in the order she acts in them."""
    brand_ids = [m.brand_id for m in actor.memberships] or [actor.brand_id]
    rows = await Brand.select(Brand.id, Brand.name, Brand.short_name).where(Brand.id.is_in(brand_ids))
    by_id = {row["id"]: BrandItem(id=row["id"], name=sms_name(row), full_name=row["name"]) for row in rows}
    return [by_id[brand_id] for brand_id in dict.fromkeys(brand_ids) if brand_id in by_id]


async def brands_named(actor: Principal, name: str) -> list[BrandItem]:
    """The brands she works with that ``name`` names: by short name or by name, as people
    type them (``core.text.name_key``); none for a name of a brand she does not work with."""
    wanted = name_key(name)
    if not wanted:
        return []
    brand_ids = [m.brand_id for m in actor.memberships]
    rows = await Brand.select(Brand.id, Brand.name, Brand.short_name).where(Brand.id.is_in(brand_ids or [0]))
    return [
        BrandItem(id=row["id"], name=sms_name(row), full_name=row["name"])
        for row in rows
        if wanted in (name_key(row["short_name"]), name_key(row["name"]))
    ]
