"""Brands, their villages, the people who work with them and the devices they sign in on.

A person is one phone number, whoever she works for: her language, her channel and her
last visit to the app are hers. A membership (``Member``) is her place in one brand: its
role, village, crafts and status. She signs in once, as the person, and sees the work of
every brand she is an active member of."""

from typing import ClassVar

from piccolo.columns import BigInt, Boolean, ForeignKey, Integer, OnDelete, OnUpdate, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.db.declared import Keys


class Brand(Table, tablename="brand"):
    id: Serial
    slug = Varchar(length=64, unique=True)
    name = Varchar(length=200)
    offer_window_hours = Integer(default=72, help_text="Hours an offer stays open without an answer.")
    short_name = Varchar(
        length=16, default="", help_text="What villagers call it in an SMS (退出 王家); empty: its name."
    )
    advance_percent = Integer(
        default=30, help_text="The share (0-50) of an accepted job's pay an artisan may ask in advance."
    )
    created_at = Timestamptz(default=TimestamptzNow())


class Village(Table, tablename="village"):
    id: Serial
    brand = ForeignKey(Brand, null=False, index=True)
    name = Varchar(length=100)
    county = Varchar(length=100)
    province = Varchar(length=100)
    active = Boolean(default=True, help_text="Inactive villages are not offered work; their history stays.")
    created_at = Timestamptz(default=TimestamptzNow())


class Person(Table, tablename="person"):
    """Someone who signs in: one phone number, across every brand she works with."""

    id: Serial
    phone = Varchar(length=20, unique=True, help_text="E.164, e.g. +8613800138000.")
    locale = Varchar(length=16, default="zh_Hans")
    sms_only = Boolean(default=False, help_text="Reached by SMS only (a feature phone).")
    takes_calls = Boolean(
        default=False, help_text="Takes voice calls: a question left unanswered by SMS is followed by one call."
    )
    voice_language = Varchar(
        length=16,
        null=True,
        default=None,
        help_text="The language calls speak to her (hmn, doc…), when not her text language: recorded prompts.",
    )
    job_seq = BigInt(default=0, help_text="Last job code number given to her (K1, K2…), one series across her brands.")
    last_seen_at = Timestamptz(null=True, default=None, help_text="Her last visit to the app, whichever brand.")
    quiet_hours = Varchar(
        length=11, default="", help_text="Her own quiet hours (21:30-07:00, or off); empty: the service's."
    )
    created_at = Timestamptz(default=TimestamptzNow())


class Member(Table, tablename="member"):
    """A person's membership of one brand: her role, village and crafts there."""

    id: Serial
    brand = ForeignKey(Brand, null=False, index=True)
    # No cascades: a person who works with a brand cannot be deleted from under it.
    person = ForeignKey(Person, null=False, index=True, on_delete=OnDelete.no_action, on_update=OnUpdate.no_action)
    role = Varchar(length=16, help_text="admin, coordinator, leader or artisan.")
    name = Varchar(length=100, help_text="Her name as this brand knows her.")
    village = ForeignKey(Village, null=True, index=True)
    crafts = Text(default="", help_text="Comma-separated crafts, e.g. 'embroidery,batik'.")
    active = Boolean(default=True, help_text="Inactive memberships get no offers and show no work.")
    left_at = Timestamptz(
        null=True,
        default=None,
        help_text="When she left the brand: its staff no longer see her (not when they deactivate her).",
    )
    created_at = Timestamptz(default=TimestamptzNow())

    UNIQUE: ClassVar[Keys] = {"member_person_brand": ("person", "brand")}  # one membership per brand


class DeviceToken(Table, tablename="device_token"):
    """A device a person is signed in on. Her access decides its life: deactivating her,
    changing her phone or her role revokes all of hers (``backend.accounts.sessions``)."""

    id: Serial
    person = ForeignKey(Person, null=False, index=True)
    token_hash = Varchar(length=64, unique=True, help_text="SHA-256 of the bearer token.")
    created_at = Timestamptz(default=TimestamptzNow())
    revoked_at = Timestamptz(null=True, default=None)
    last_used_at = Timestamptz(
        null=True, default=None, help_text="Renewed while used; idle past CUNJIANG_TOKEN_IDLE_DAYS, the token expires."
    )


class Invitation(Table, tablename="invitation"):
    """A brand asks someone who already works with another brand to work with it too: only
    her yes makes the membership (PIPL art. 23: her data goes to another organisation)."""

    id: Serial
    brand = ForeignKey(Brand, null=False, index=True)
    person = ForeignKey(Person, null=False, index=True, on_delete=OnDelete.no_action, on_update=OnUpdate.no_action)
    invited_by = ForeignKey(Member, null=True, on_delete=OnDelete.no_action, on_update=OnUpdate.no_action)
    name = Varchar(length=100, help_text="Her name as the inviting brand gave it.")
    village = ForeignKey(Village, null=False, on_delete=OnDelete.no_action, on_update=OnUpdate.no_action)
    crafts = Text(default="")
    status = Varchar(length=16, default="pending", help_text="pending, accepted or declined.")
    created_at = Timestamptz(default=TimestamptzNow())
    answered_at = Timestamptz(null=True, default=None)
    answered_via = Varchar(length=16, default="", help_text="The channel of her answer: app, sms…")

    UNIQUE: ClassVar[Keys] = {"invitation_brand_person": ("brand", "person")}  # one question per brand


class Consent(Table, tablename="consent"):
    """What she allows to be shown of her in public (PIPL art. 25), item by item, all off until
    she says otherwise; revocable at once. A region's page and a piece's passport read it."""

    id: Serial
    person = ForeignKey(Person, null=False, unique=True, on_delete=OnDelete.no_action, on_update=OnUpdate.no_action)
    name = Boolean(default=False, help_text="Her name (or the name she gives) may be shown.")
    display_name = Varchar(length=50, null=True, default=None, help_text="The name she wants shown, if not her own.")
    photo = Boolean(default=False)
    village = Boolean(default=False, help_text="Her village may be named (the county and province always are).")
    story = Boolean(default=False, help_text="Her approved own words may be shown (story_text).")
    updated_at = Timestamptz(default=TimestamptzNow())
    story_text = Text(
        null=True, default=None, help_text="Her own words as she approved them; shown only while story is on."
    )
    story_proposed = Text(
        null=True, default=None, help_text="Words a coordinator wrote down for her, waiting for her yes or no."
    )
    story_proposal = Integer(
        default=0, help_text="Number of the latest proposal: an answer names it, so a replaced one is never approved."
    )
    story_proposed_at = Timestamptz(null=True, default=None)
