"""Outbound messages, written in the same transaction as the change that caused them."""

from typing import ClassVar

from piccolo.columns import Boolean, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.accounts.tables import Brand, Member
from backend.db.declared import Keys


class OutboxMessage(Table, tablename="outbox_message"):
    id: Serial
    brand = ForeignKey(Brand, null=True, index=True)
    member = ForeignKey(Member, null=True, index=True)
    to_phone = Varchar(length=20, index=True)
    body = Text()
    kind = Varchar(length=32, help_text="The message's template key (sms_flows/messages.toml): otp, offer…")
    variables = Text(default="{}", help_text="JSON: the template's variables, formatted for the reader.")
    locale = Varchar(length=16, default="zh_Hans", help_text="The language the message was written in.")
    status = Varchar(
        length=16,
        default="pending",
        index=True,
        help_text=(
            "pending, sending, unconfirmed (the send went unanswered: looked up, not resent), sent, "
            "delivered, undelivered, failed, suppressed (opted out), merged (into another message)."
        ),
    )
    attempts = Integer(default=0, help_text="Sends tried so far, counted when a sender takes the message.")
    next_attempt_at = Timestamptz(
        default=TimestamptzNow(), index=True, help_text="Due from then; while sending, the end of the lease."
    )
    lease_owner = Varchar(length=32, null=True, default=None, help_text="The sender that holds the lease.")
    provider_sid = Varchar(length=64, null=True, default=None, index=True)
    last_error = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    sent_at = Timestamptz(null=True, default=None)
    reference = Varchar(length=64, default="", index=True, help_text="Our id at the provider (Aliyun's OutId).")
    held_reason = Varchar(
        length=32, default="", help_text="Why the budget held it back: quiet_hours, daily_cap, same_text, merging."
    )
    merged_into = Integer(null=True, default=None, help_text="The message that carries it (offers merged).")
    segments = Integer(default=1, help_text="SMS segments the text takes (what the provider charges).")
    answers = Boolean(default=False, help_text="An answer to the villager's own SMS: not held, not merged.")
    error_code = Varchar(length=32, default="", help_text="The provider's error code, if any.")

    INDEXES: ClassVar[Keys] = {"outbox_message_brand_created": ("brand", "created_at")}
