"""The append-only audit trail: who changed what, when, and through which channel."""

from typing import ClassVar

from piccolo.columns import ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table

from backend.db.declared import Names

# The trail sits below every domain: its rows point at brands and people by reference, not
# by import (the people's own code writes to the trail).
BRAND = LazyTableReference("Brand", module_path="backend.accounts.tables")
MEMBER = LazyTableReference("Member", module_path="backend.accounts.tables")


class AuditEvent(Table, tablename="audit_event"):
    id: Serial
    brand: ForeignKey[Table] = ForeignKey(BRAND, null=False, index=True)
    entity = Varchar(length=16, help_text="job, payout, order, submission or member.")
    entity_id = Integer(index=True)
    action = Varchar(length=32)
    from_status = Varchar(length=16, default="")
    to_status = Varchar(length=16, default="")
    actor: ForeignKey[Table] = ForeignKey(MEMBER, null=True)
    on_behalf_of: ForeignKey[Table] = ForeignKey(MEMBER, null=True)
    channel = Varchar(length=16, help_text="app, sms, voice, console, on-behalf, simulator or system.")
    detail = Text(default="{}", help_text="JSON with the values of the change.")
    created_at = Timestamptz(default=TimestamptzNow())

    # Append-only: they refuse every UPDATE and DELETE.
    SQLITE_TRIGGERS: ClassVar[Names] = ("audit_event_no_update", "audit_event_no_delete")
    POSTGRES_TRIGGERS: ClassVar[Names] = ("audit_event_append_only",)
