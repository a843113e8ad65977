"""Payouts: recorded once per job by the brand, confirmed once by the artisan."""

from typing import ClassVar

from piccolo.columns import BigInt, ForeignKey, Integer, OnDelete, OnUpdate, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.accounts.tables import Brand, Member, Person
from backend.db.declared import Keys
from backend.jobs.tables import Job


class Payout(Table, tablename="payout"):
    id: Serial
    job = ForeignKey(Job, null=False, unique=True, help_text="One payout per job, enforced here.")
    brand = ForeignKey(Brand, null=False, index=True)
    artisan = ForeignKey(Member, null=False, index=True)
    amount_fen = BigInt(help_text="The net paid: the gross less the advance and kit deductions.")
    gross_fen = BigInt(default=0, help_text="What the job earned (approved pieces × rate, or as recorded).")
    advance_fen = BigInt(default=0, help_text="The job's paid advances deducted (never more than the gross).")
    kit_fen = BigInt(
        default=0, help_text="Materials short, deducted by a coordinator's decision (never more than what is left)."
    )
    method = Varchar(length=16, help_text="cash, wechat, alipay or bank.")
    reference = Varchar(length=100, default="", help_text="Transfer reference; masked in logs.")
    status = Varchar(length=16, default="paid", index=True, help_text="paid, confirmed or disputed.")
    recorded_by = ForeignKey(Member, null=True)
    dispute_reason = Text(default="")
    resolution_note = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    confirmed_at = Timestamptz(null=True, default=None)
    confirmed_via = Varchar(
        length=16, default="", help_text="Where the confirmation came from: app, sms, voice, simulator, console."
    )


class StatementSms(Table, tablename="statement_sms"):
    """The monthly income summary sent to an SMS-only person: one per person and month."""

    id: Serial
    person = ForeignKey(Person, null=False, on_delete=OnDelete.no_action, on_update=OnUpdate.no_action)
    month = Varchar(length=7, help_text="The month summed up, YYYY-MM (China time).")
    message = Integer(null=True, default=None, help_text="The outbox message that carries it.")
    created_at = Timestamptz(default=TimestamptzNow())

    UNIQUE: ClassVar[Keys] = {"statement_sms_person_month": ("person", "month")}  # exactly once, whoever sends


class Advance(Table, tablename="advance"):
    """Money paid ahead on an accepted job (预付款), deducted from that job's payout only.

    requested → approved or refused; approved → paid (or lapsed: the job was paid first);
    paid → confirmed or disputed by the artisan; disputed → paid or confirmed by the brand (resolved).
    """

    id: Serial
    job = ForeignKey(Job, null=False, index=True, on_delete=OnDelete.no_action, on_update=OnUpdate.no_action)
    brand = ForeignKey(Brand, null=False, index=True, on_delete=OnDelete.no_action, on_update=OnUpdate.no_action)
    artisan = ForeignKey(Member, null=False, index=True, on_delete=OnDelete.no_action, on_update=OnUpdate.no_action)
    amount_fen = BigInt()
    status = Varchar(length=16, default="requested", index=True)
    open_job = Integer(
        null=True,
        default=None,
        unique=True,
        help_text="The job while the request is open (requested or approved): one open request per job.",
    )
    requested_via = Varchar(length=16, default="", help_text="app, sms, voice or simulator.")
    reason = Text(default="", help_text="Why it was refused, or why she disputes it.")
    resolution_note = Text(default="", help_text="How the brand closed her dispute (paid again, or settled).")
    method = Varchar(length=16, default="", help_text="Paid: cash, wechat, alipay or bank.")
    reference = Varchar(length=100, default="", help_text="Transfer reference; masked in logs.")
    decided_by = ForeignKey(Member, null=True, on_delete=OnDelete.no_action, on_update=OnUpdate.no_action)
    paid_by = ForeignKey(Member, null=True, on_delete=OnDelete.no_action, on_update=OnUpdate.no_action)
    deducted_in = ForeignKey(
        Payout,
        null=True,
        on_delete=OnDelete.no_action,
        on_update=OnUpdate.no_action,
        help_text="The job's payout that deducted it.",
    )
    created_at = Timestamptz(default=TimestamptzNow())
    decided_at = Timestamptz(null=True, default=None)
    paid_at = Timestamptz(null=True, default=None, index=True)
    confirmed_at = Timestamptz(null=True, default=None)
    confirmed_via = Varchar(length=16, default="")
