"""Brands, their villages, their people (admins, coordinators, leaders, artisans) and the
devices they are signed in on."""

from piccolo.columns import BigInt, Boolean, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Brand(Table, tablename="brand"):
    id: Serial
    slug = Varchar(length=64, unique=True)
    name = Varchar(length=200)
    offer_window_hours = Integer(default=72, help_text="Hours an offer stays open without an answer.")
    created_at = Timestamptz(default=TimestamptzNow())


class Village(Table, tablename="village"):
    id: Serial
    brand = ForeignKey(Brand, null=False, index=True)
    name = Varchar(length=100)
    county = Varchar(length=100)
    province = Varchar(length=100)
    active = Boolean(default=True, help_text="Inactive villages are not offered work; their history stays.")
    created_at = Timestamptz(default=TimestamptzNow())


class Member(Table, tablename="member"):
    """A person who signs in: one phone number, one brand, one role."""

    id: Serial
    brand = ForeignKey(Brand, null=False, index=True)
    role = Varchar(length=16, help_text="admin, coordinator, leader or artisan.")
    phone = Varchar(length=20, unique=True, help_text="E.164, e.g. +8613800138000.")
    name = Varchar(length=100)
    village = ForeignKey(Village, null=True, index=True)
    crafts = Text(default="", help_text="Comma-separated crafts, e.g. 'embroidery,batik'.")
    sms_only = Boolean(default=False, help_text="Reached by SMS only (a feature phone).")
    locale = Varchar(length=16, default="zh_Hans")
    active = Boolean(default=True, help_text="Inactive people get no offers and cannot sign in.")
    job_seq = BigInt(default=0, help_text="Last job code number given to this artisan (K1, K2…).")
    last_seen_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class DeviceToken(Table, tablename="device_token"):
    """A device a person is signed in on. Her access decides its life: deactivating her,
    changing her phone or her role revokes all of hers (``backend.accounts.sessions``)."""

    id: Serial
    member = ForeignKey(Member, null=False, index=True)
    token_hash = Varchar(length=64, unique=True, help_text="SHA-256 of the bearer token.")
    created_at = Timestamptz(default=TimestamptzNow())
    revoked_at = Timestamptz(null=True, default=None)
    last_used_at = Timestamptz(
        null=True, default=None, help_text="Renewed while used; idle past CUNJIANG_TOKEN_IDLE_DAYS, the token expires."
    )
