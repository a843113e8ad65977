"""Kits of materials handed out for a job, their lines, and a coordinator's decision on a shortage."""

from piccolo.columns import BigInt, ForeignKey, Integer, OnDelete, OnUpdate, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.accounts.tables import Brand, Member
from backend.jobs.tables import Job


class Kit(Table, tablename="kit"):
    """Materials handed to an artisan for one job at one time (a job may get several).

    handed_out → received (she confirms) or short (she reports something missing); short →
    adjusted (the brand bears it) or deducted (from that job's payout), by a coordinator's decision.
    """

    id: Serial
    job = ForeignKey(Job, null=False, index=True, on_delete=OnDelete.no_action, on_update=OnUpdate.no_action)
    brand = ForeignKey(Brand, null=False, index=True, on_delete=OnDelete.no_action, on_update=OnUpdate.no_action)
    artisan = ForeignKey(Member, null=False, index=True, on_delete=OnDelete.no_action, on_update=OnUpdate.no_action)
    status = Varchar(length=16, default="handed_out", index=True)
    note = Text(default="", help_text="Her words when she reports a shortage.")
    handed_by = ForeignKey(Member, null=True, on_delete=OnDelete.no_action, on_update=OnUpdate.no_action)
    handed_at = Timestamptz(default=TimestamptzNow())
    confirmed_at = Timestamptz(null=True, default=None, help_text="When she received it or reported a shortage.")
    confirmed_via = Varchar(length=16, default="", help_text="app, sms, voice or simulator.")


class KitLine(Table, tablename="kit_line"):
    """One material of a kit. Quantities are integer thousandths of the unit (2.5 把 = 2500)."""

    id: Serial
    kit = ForeignKey(Kit, null=False, index=True, on_delete=OnDelete.no_action, on_update=OnUpdate.no_action)
    brand = ForeignKey(Brand, null=False, on_delete=OnDelete.no_action, on_update=OnUpdate.no_action)
    job = ForeignKey(Job, null=False, index=True, on_delete=OnDelete.no_action, on_update=OnUpdate.no_action)
    material = Varchar(length=60)
    quantity_milli = BigInt(help_text="Handed out, in thousandths of the unit.")
    unit = Varchar(length=16)
    lot = Varchar(length=60, default="", help_text="The batch (indigo, silver…) the piece's story may name.")
    received_milli = BigInt(
        null=True, default=None, help_text="What she actually got, as a coordinator recorded it on a shortage."
    )


class KitDecision(Table, tablename="kit_decision"):
    """A coordinator's decision on a shortage: one per kit, its reason always written."""

    id: Serial
    kit = ForeignKey(
        Kit,
        null=False,
        unique=True,
        help_text="One decision per kit, enforced here.",
        on_delete=OnDelete.no_action,
        on_update=OnUpdate.no_action,
    )
    brand = ForeignKey(Brand, null=False, index=True, on_delete=OnDelete.no_action, on_update=OnUpdate.no_action)
    job = ForeignKey(Job, null=False, index=True, on_delete=OnDelete.no_action, on_update=OnUpdate.no_action)
    decision = Varchar(length=16, help_text="adjust (the brand's loss) or deduct (from that job's payout).")
    amount_fen = BigInt(default=0, help_text="deduct: what that job's payout takes off.")
    reason = Text()
    decided_by = ForeignKey(Member, null=True, on_delete=OnDelete.no_action, on_update=OnUpdate.no_action)
    decided_at = Timestamptz(default=TimestamptzNow())
    deducted_in = Integer(null=True, default=None, help_text="The id of the job's payout that deducted it.")
