"""Wire building blocks shared by every domain: the base Struct and constrained aliases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Any

import msgspec


class Wire(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of every request and response body: unknown fields are refused."""


Fen = Annotated[int, msgspec.Meta(ge=0, le=10**12, description="Money in fen (1 yuan = 100 fen).")]
Quantity = Annotated[int, msgspec.Meta(gt=0, le=1_000_000, description="A number of pieces.")]
Id = Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]
PhoneText = Annotated[str, msgspec.Meta(min_length=3, max_length=32, description="E.164 or a local Chinese number.")]
# Control characters are refused: PostgreSQL cannot store NUL, and none belongs in a name.
# Services refuse blank names kindly (``core.text.filled``).
ONE_LINE = r"^[^\x00-\x1f\x7f]*$"
TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=ONE_LINE)]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=ONE_LINE)]
Place = Annotated[str, msgspec.Meta(max_length=100, pattern=ONE_LINE)]
Reference = Annotated[str, msgspec.Meta(max_length=100, pattern=ONE_LINE)]
LongText = Annotated[str, msgspec.Meta(max_length=4000, pattern=TEXT)]
ShortText = Annotated[str, msgspec.Meta(max_length=500, pattern=TEXT)]
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=500, pattern=TEXT)]
CraftCode = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[a-z][a-z0-9-]{0,31}$",
        description="The code of one of the brand's crafts (GET /crafts), e.g. embroidery.",
    ),
]
LocaleTag = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*$", max_length=16)]


class Role(StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    LEADER = "leader"
    ARTISAN = "artisan"


class Channel(StrEnum):
    APP = "app"
    SMS = "sms"
    VOICE = "voice"
    CONSOLE = "console"
    ON_BEHALF = "on-behalf"
    SIMULATOR = "simulator"  # staff typing as a villager in the SMS simulator
    SYSTEM = "system"


class Membership(msgspec.Struct, frozen=True):
    """A person's place in one brand."""

    member_id: int
    brand_id: int
    role: Role
    village_id: int | None

    @classmethod
    def of_row(cls, row: Mapping[str, Any]) -> Membership:
        """A ``member`` row read with its columns ``id, brand, role, village``."""
        return cls(row["id"], row["brand"], Role(row["role"]), row["village"])


RANK = {Role.ADMIN: 0, Role.COORDINATOR: 1, Role.LEADER: 2, Role.ARTISAN: 3}


class Principal(msgspec.Struct, frozen=True):
    """Who is acting: resolved from a bearer token, an SMS sender or the command line.

    A person may work with several brands: ``memberships`` holds every active one, and the
    first four fields are the membership she acts as (staff before leader before artisan,
    then the oldest). A service acting on one brand's work acts as her membership there
    (``backend.core.access.acting_in``)."""

    member_id: int
    brand_id: int
    role: Role
    village_id: int | None
    locale: str
    channel: Channel = Channel.APP
    # The staff member who typed as this person in the SMS simulator: the rules see the
    # villager (her jobs, her payouts), the audit trail names who really acted.
    typed_by: int | None = None
    person_id: int = 0
    memberships: tuple[Membership, ...] = ()

    @classmethod
    def of_person(
        cls, person_id: int, locale: str, memberships: list[Membership], channel: Channel = Channel.APP
    ) -> Principal:
        """The person acting through ``channel``, as her first membership by rank."""
        ranked = tuple(sorted(memberships, key=lambda m: (RANK[m.role], m.member_id)))
        first = ranked[0]
        return cls(
            member_id=first.member_id,
            brand_id=first.brand_id,
            role=first.role,
            village_id=first.village_id,
            locale=locale,
            channel=channel,
            person_id=person_id,
            memberships=ranked,
        )

    @property
    def known(self) -> tuple[Membership, ...]:
        """Her memberships; the acting one when none are known (a principal made by hand)."""
        return self.memberships or (Membership(self.member_id, self.brand_id, self.role, self.village_id),)

    def member_ids(self, *roles: Role) -> tuple[int, ...]:
        """Her memberships' ids (in these roles, if named)."""
        return tuple(m.member_id for m in self.known if not roles or m.role in roles)

    def village_ids(self, role: Role) -> tuple[int, ...]:
        """The villages of her memberships in ``role`` (a leader's villages)."""
        return tuple(m.village_id for m in self.known if m.role == role and m.village_id is not None)

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.ADMIN, Role.COORDINATOR)

    @property
    def via(self) -> Channel:
        """The channel this act really came through (the simulator, not SMS, when staff typed it)."""
        return Channel.SIMULATOR if self.typed_by is not None else self.channel


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def as_datetime(value: object) -> dt.datetime:
    """A stored moment as an aware datetime (SQLite's raw rows give ISO text)."""
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
