"""Outbound messages, written in the same transaction as the change that caused them."""

from typing import ClassVar

from piccolo.columns import Boolean, ForeignKey, Integer, OnDelete, OnUpdate, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.accounts.tables import Brand, Member, Person
from backend.db.declared import Keys

NO_ACTION, KEEP = OnDelete.no_action, OnUpdate.no_action


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


class VoiceCall(Table, tablename="voice_call"):
    """A call that follows a question left unanswered by SMS (an offer, a payment): written with
    the question, placed by a worker when it is due, answered by a key press."""

    id: Serial
    brand = ForeignKey(Brand, null=True, index=True, on_delete=NO_ACTION, on_update=KEEP)
    member = ForeignKey(Member, null=True, index=True, on_delete=NO_ACTION, on_update=KEEP)
    person = ForeignKey(Person, null=True, index=True, on_delete=NO_ACTION, on_update=KEEP)
    to_phone = Varchar(length=20, index=True)
    flow = Varchar(length=32, help_text="The flow whose question the call follows (sms_flows/): offer, payout.")
    step = Varchar(length=32, help_text="The flow's ask step the call speaks.")
    item_id = Integer(help_text="The job or payout asked about.")
    code = Varchar(length=16, default="", help_text="The item's code as the villager knows it (K7).")
    locale = Varchar(length=16, default="zh_Hans", help_text="The language the prompt is spoken in.")
    status = Varchar(
        length=16,
        default="queued",
        index=True,
        help_text="queued, calling, answered (a key of the menu), no_answer, failed, cancelled (answered otherwise).",
    )
    attempts = Integer(default=0, help_text="Calls placed so far (at most CUNJIANG_VOICE_ATTEMPTS).")
    due_at = Timestamptz(default=TimestamptzNow(), index=True, help_text="Due from then; while calling, the lease.")
    lease_owner = Varchar(length=32, null=True, default=None, help_text="The worker placing the call.")
    provider = Varchar(length=16, default="", help_text="console, aliyun…")
    provider_call_id = Varchar(length=64, null=True, default=None, index=True, help_text="Aliyun's CallId.")
    key_pressed = Varchar(length=32, default="", help_text="The keys pressed (DTMF), as reported.")
    outcome = Text(default="", help_text="What the call led to (the flow's step), or why it did not.")
    duration_s = Integer(null=True, default=None, help_text="Seconds on the line, when reported.")
    cost_fen = Integer(
        null=True,
        default=None,
        help_text="What its attempts cost: as the provider said, else estimated (cost_estimated).",
    )
    cost_estimated = Boolean(
        default=False,
        help_text="The cost is our estimate (minutes started × CUNJIANG_VOICE_FEN_PER_MINUTE): the provider said none.",
    )
    costed_call_id = Varchar(
        length=64, null=True, default=None, help_text="The provider's id of the last attempt whose cost was counted."
    )
    called_at = Timestamptz(null=True, default=None, help_text="When the last attempt was placed.")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())

    UNIQUE: ClassVar[Keys] = {"voice_call_question": ("flow", "item_id", "to_phone")}
