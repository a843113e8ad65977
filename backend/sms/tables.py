"""SMS that villagers send: stored as they arrive, processed just after (inbox-first); what a
provider pushed that could not be read, set aside."""

from typing import ClassVar

from piccolo.columns import ForeignKey, Integer, OnDelete, OnUpdate, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.accounts.tables import Brand
from backend.db.declared import Keys


class InboundSms(Table, tablename="sms_inbox"):
    """Unique per provider and provider id: a repeat is one row."""

    id: Serial
    provider = Varchar(length=16, help_text="twilio, aliyun…")
    provider_id = Varchar(length=64, help_text="The provider's id: Twilio's MessageSid, Aliyun's sequence_id.")
    from_phone = Varchar(length=32, index=True)
    to_phone = Varchar(length=32)
    body = Text()
    received_at = Timestamptz(default=TimestamptzNow())
    processed_at = Timestamptz(null=True, default=None, index=True, help_text="When the conversation answered it.")
    outcome = Text(default="")
    typed_by = Integer(
        null=True, default=None, help_text="The staff member who typed it in the SMS simulator (not the villager)."
    )
    typed_brand = Integer(null=True, default=None, index=True, help_text="Their brand: only it sees the simulation.")
    brand = Integer(
        null=True,
        default=None,
        index=True,
        help_text="The brand its answer was filed under (her only brand, else the answer's); none: no brand sees it.",
    )

    UNIQUE: ClassVar[Keys] = {"sms_inbox_provider_id": ("provider", "provider_id")}


class DeadLetter(Table, tablename="sms_dead_letter"):
    """An item of a provider's push that could not be read: kept with the reason, once per
    provider, kind and raw text (``digest``), while the rest of the push is kept as usual."""

    id: Serial
    provider = Varchar(length=16, help_text="Who pushed it: aliyun.")
    kind = Varchar(
        length=16, help_text="up (a villager's reply), report (a delivery report) or voice_report (a call's report)."
    )
    digest = Varchar(length=64, unique=True, help_text="SHA-256 of provider, kind and raw item: a repeat is one row.")
    item = Text(help_text="The item as it came (JSON text), cut at 4,000 characters; phone numbers unmasked.")
    reason = Varchar(
        length=32, help_text="Why it could not be used: missing_field, invalid_field, unreadable_phone, too_long…"
    )
    detail = Text(default="", help_text="The reason in a few English words, for an operator.")
    brand = ForeignKey(
        Brand,
        null=True,
        index=True,
        on_delete=OnDelete.no_action,
        on_update=OnUpdate.no_action,
        help_text="The brand whose person or message it names; empty when it cannot be told (operators only).",
    )
    received_at = Timestamptz(default=TimestamptzNow())
