"""Alliances of brands: a shared registry of villages and crafts, a public page of the
region's makers who agreed to be named, and figures only in aggregate."""

from piccolo.columns import ForeignKey, OnDelete, OnUpdate, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.accounts.tables import Brand, Member


class Alliance(Table, tablename="alliance"):
    id: Serial
    slug = Varchar(length=64, unique=True, help_text="Its public page is /region/SLUG.")
    name = Varchar(length=200)
    region = Varchar(length=100, default="", help_text="Where its makers live, e.g. 黔东南.")
    created_at = Timestamptz(default=TimestamptzNow())


class AllianceBrand(Table, tablename="alliance_brand"):
    """A brand in an alliance: invited by an admin of a brand in it, joined when an admin of
    its own agrees. A brand is in one alliance at most."""

    id: Serial
    alliance = ForeignKey(Alliance, null=False, index=True, on_delete=OnDelete.no_action, on_update=OnUpdate.no_action)
    brand = ForeignKey(Brand, null=False, unique=True, on_delete=OnDelete.no_action, on_update=OnUpdate.no_action)
    status = Varchar(length=16, default="invited", help_text="invited or joined.")
    invited_by = ForeignKey(Member, null=True, on_delete=OnDelete.no_action, on_update=OnUpdate.no_action)
    joined_by = ForeignKey(Member, null=True, on_delete=OnDelete.no_action, on_update=OnUpdate.no_action)
    created_at = Timestamptz(default=TimestamptzNow())
    joined_at = Timestamptz(null=True, default=None)
