"""Jobs offered to artisans, and the finished work they submit."""

from typing import ClassVar

from piccolo.columns import BigInt, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.accounts.tables import Brand, Member
from backend.db.declared import Checks, Keys
from backend.orders.tables import Order


class Job(Table, tablename="job"):
    id: Serial
    order = ForeignKey(Order, null=False, index=True)
    brand = ForeignKey(Brand, null=False, index=True)
    artisan = ForeignKey(Member, null=False, index=True)
    code = Varchar(length=12, help_text="Short code the artisan types in SMS replies, e.g. K7.")
    status = Varchar(length=16, default="offered", index=True)
    quantity_offered = Integer()
    quantity_accepted = Integer(default=0)
    quantity_submitted = Integer(default=0)
    quantity_approved = Integer(default=0)
    quantity_reported = Integer(
        default=0, help_text="Pieces reported done by SMS, waiting for the village leader's photos."
    )
    reported_at = Timestamptz(null=True, default=None)
    expires_at = Timestamptz(help_text="The offer lapses at this time if not answered.")
    change_seq = BigInt(default=0, index=True, help_text="Position in the change feed (GET /jobs?since=).")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())

    UNIQUE: ClassVar[Keys] = {"job_artisan_code": ("artisan", "code")}
    INDEXES: ClassVar[Keys] = {
        "job_artisan_change_seq": ("artisan", "change_seq"),  # the job feed
        "job_order_artisan": ("order", "artisan"),  # dispatch and its suggestion
    }
    # SQLite has none (see backend.db.declared): there only the services' own checks hold
    # it (backend.jobs.service, backend.jobs.submissions).
    POSTGRES_CHECKS: ClassVar[Checks] = {
        "job_quantities": "quantity_accepted <= quantity_offered AND quantity_approved <= quantity_accepted"
    }


class Submission(Table, tablename="submission"):
    id: Serial
    job = ForeignKey(Job, null=False, index=True)
    brand = ForeignKey(Brand, null=False, index=True)
    quantity = Integer()
    photo_ids = Text(default="[]", help_text="JSON list of photo ids.")
    note = Text(default="")
    lots = Text(default="[]", help_text="JSON list of the job's kit lots ({material, lot}) when it was submitted.")
    status = Varchar(length=16, default="submitted", index=True, help_text="submitted, approved or rework.")
    submitted_by = ForeignKey(Member, null=True)
    channel = Varchar(length=16)
    review_reason = Text(default="")
    reviewed_by = ForeignKey(Member, null=True)
    reviewed_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)


class PriceFeedback(Table, tablename="price_feedback"):
    """An artisan's word that a job's piece rate is too low (价低), with the rate she would take.

    One per job: a later answer replaces the earlier (each audited). It declines nothing."""

    id: Serial
    job = ForeignKey(Job, null=False, unique=True, on_delete=OnDelete.no_action, on_update=OnUpdate.no_action)
    brand = ForeignKey(Brand, null=False, index=True, on_delete=OnDelete.no_action, on_update=OnUpdate.no_action)
    order = ForeignKey(Order, null=False, index=True, on_delete=OnDelete.no_action, on_update=OnUpdate.no_action)
    artisan = ForeignKey(Member, null=False, on_delete=OnDelete.no_action, on_update=OnUpdate.no_action)
    price_fen = BigInt(null=True, default=None, help_text="The piece rate she would take, in fen; null: not said.")
    channel = Varchar(length=16, help_text="app, sms or simulator.")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow(), help_text="When she last answered.")
