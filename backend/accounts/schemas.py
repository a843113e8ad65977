"""Wire types of brands, villages and people."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

import msgspec
from msgspec import UNSET, UnsetType

from backend.core.types import ONE_LINE, TEXT, CraftCode, Id, LocaleTag, Name, PhoneText, Place, Role, Wire

MAX_CRAFTS = 10
VoiceTag = Annotated[str, msgspec.Meta(max_length=16, description="A spoken language: zh_Hans, en, or hmn, doc…")]
Crafts = Annotated[list[CraftCode], msgspec.Meta(max_length=MAX_CRAFTS)]


class VillageCreate(Wire):
    name: Name
    county: Place = ""
    province: Place = ""


class VillageUpdate(Wire):
    name: Name | UnsetType = UNSET
    county: Place | UnsetType = UNSET
    province: Place | UnsetType = UNSET
    active: bool | UnsetType = UNSET


class VillageRead(Wire):
    id: int
    name: str
    county: str
    province: str
    active: bool = True


class ArtisanCreate(Wire):
    name: Name
    phone: PhoneText
    village_id: Id
    crafts: Crafts = msgspec.field(default_factory=list)
    sms_only: bool = False
    takes_calls: bool = False  # an SMS question left unanswered is followed by a call
    locale: LocaleTag = "zh_Hans"
    voice_language: VoiceTag | None = None  # calls speak it (recorded prompts); none: her locale, by TTS


class MemberUpdate(Wire):
    """A partial change of a person (an admin's, a coordinator's or a leader's: ``/members``)."""

    name: Name | UnsetType = UNSET
    phone: PhoneText | UnsetType = UNSET
    village_id: Id | UnsetType = UNSET
    locale: LocaleTag | UnsetType = UNSET
    active: bool | UnsetType = UNSET


class ArtisanUpdate(MemberUpdate):
    """A partial change of an artisan: what any person has, and their crafts and channel."""

    crafts: Crafts | UnsetType = UNSET
    sms_only: bool | UnsetType = UNSET
    takes_calls: bool | UnsetType = UNSET
    voice_language: VoiceTag | UnsetType | None = UNSET


class MemberRead(Wire):
    id: int
    name: str
    phone: str
    role: Role
    village_id: int | None
    crafts: list[str]
    sms_only: bool
    locale: str
    active: bool
    takes_calls: bool = False
    voice_language: str | None = None


class BrandRead(Wire):
    id: int
    slug: str
    name: str


class MembershipRead(Wire):
    """One brand she works with, and her place there."""

    id: int
    role: Role
    village_id: int | None
    brand: BrandRead


class MeRead(Wire):
    """The signed-in person as the membership she acts as (staff before leader before
    artisan), and every brand she works with."""

    id: int
    name: str
    phone: str
    role: Role
    locale: str
    village_id: int | None
    brand: BrandRead
    memberships: list[MembershipRead] = msgspec.field(default_factory=list)


class ArtisanList(Wire):
    artisans: list[MemberRead]


class VillageList(Wire):
    villages: list[VillageRead]


class StaffRole(StrEnum):
    """The people an admin manages (artisans are the coordinators' daily work)."""

    ADMIN = "admin"
    COORDINATOR = "coordinator"
    LEADER = "leader"


class StaffUpdate(MemberUpdate):
    """A partial change of an admin, coordinator or leader, their role included (``/members``)."""

    role: StaffRole | UnsetType = UNSET


class MemberCreate(Wire):
    role: StaffRole
    name: Name
    phone: PhoneText
    village_id: Id | None = None  # a leader's village
    locale: LocaleTag = "zh_Hans"


class MemberList(Wire):
    members: list[MemberRead]


OfferWindow = Annotated[int, msgspec.Meta(ge=1, le=30 * 24, description="Hours an offer stays open.")]
AdvancePercent = Annotated[
    int, msgspec.Meta(ge=0, le=50, description="The share of an accepted job's pay an artisan may ask in advance.")
]


ShortName = Annotated[
    str,
    msgspec.Meta(
        max_length=8,
        pattern=ONE_LINE,
        description="What villagers call the brand in an SMS (退出 王家), at most 8 characters; empty: its name.",
    ),
]


class BrandSettings(Wire):
    id: int
    slug: str
    name: str
    short_name: str  # empty: SMS name the brand by its name
    offer_window_hours: int
    advance_percent: int = 30  # an artisan may ask this share of an accepted job's pay in advance


class BrandUpdate(Wire):
    name: Name | UnsetType = UNSET
    short_name: ShortName | UnsetType = UNSET
    offer_window_hours: OfferWindow | UnsetType = UNSET
    advance_percent: AdvancePercent | UnsetType = UNSET


class ImportResult(Wire):
    """The answer to an import of artisans from a spreadsheet."""

    rows: int  # the data rows checked
    imported: int  # 0 on a dry run
    artisans: list[int]  # the new artisans' ids: people new to Cunjiang in the file's order, then those it knew
    dry_run: bool = False
    invited: int = 0  # rows of people who work with another brand: asked first, as by POST /artisans


class InvitationStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class InvitationRead(Wire):
    """A brand's invitation as its staff see it: what they asked, and whether she answered;
    nothing of her work elsewhere, nor who else she works with."""

    id: int
    name: str
    village_id: int
    crafts: list[str]
    status: InvitationStatus
    created_at: dt.datetime


class InvitationSent(Wire):
    """The answer to adding an artisan who already works with another brand: she is asked first."""

    invitation: InvitationRead
    status: str = "invitation_sent"


class InvitationList(Wire):
    invitations: list[InvitationRead]


class MyInvitation(Wire):
    """An invitation as she sees it: which brand asks, and what it will see if she says yes."""

    id: int
    brand: BrandRead
    name: str
    village: str
    crafts: list[str]
    sees: list[str]  # in her language: what the brand will see of her
    created_at: dt.datetime


class MyInvitationList(Wire):
    invitations: list[MyInvitation]


class InvitationAnswer(Wire):
    accept: bool


DisplayName = Annotated[str, msgspec.Meta(min_length=1, max_length=50, pattern=r"^[^\x00-\x1f\x7f]*$")]


class ConsentChoice(Wire):
    """What she allows to be shown of her in public, item by item (all false until she says)."""

    name: bool = False
    display_name: DisplayName | None = None
    photo: bool = False
    village: bool = False
    story: bool = False


class ConsentRead(ConsentChoice):
    """Her choice, and her own words: the text she approved (shown only while ``story`` is on)
    and a coordinator's proposal waiting for her yes or no, with its number."""

    story_text: str | None = None
    story_proposed: str | None = None
    story_proposal: int | None = None


# Long enough for any paste; the rules (at most STORY_MAX_CHARS once trimmed, no phone
# number, no link) are the service's, refused with words rather than a bare 400.
StoryText = Annotated[str, msgspec.Meta(max_length=4000, pattern=TEXT)]


class StoryProposal(Wire):
    """A coordinator writes down the words she dictated, for her approval."""

    text: StoryText


class StoryProposed(Wire):
    proposal: int
    text: str
    asked_by_sms: bool  # short enough for one SMS and she is reached by SMS: asked there


class StoryDecisionWord(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


class StoryDecision(Wire):
    """Her answer to the waiting proposal; ``proposal``, when given, must be the one waiting
    (the text she saw), else 409."""

    decision: StoryDecisionWord
    proposal: int | None = None


HoursText = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^(([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]|off)$",
        description="China time, e.g. 21:30-07:00; off: never held.",
    ),
]


class TakesCalls(Wire):
    """Whether she takes calls: an SMS question she leaves unanswered is then followed by one
    call (a spoken prompt, a key to press), for those who read little."""

    takes_calls: bool


class QuietHours(Wire):
    """Her own quiet hours for SMS (and calls): nothing but sign-in codes and answers to her
    reaches her then. null: the service's (CUNJIANG_SMS_QUIET_HOURS)."""

    quiet_hours: HoursText | None = None
