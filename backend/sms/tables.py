"""SMS that villagers send: stored as they arrive, processed just after (inbox-first)."""

from piccolo.columns import Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class InboundSms(Table, tablename="sms_inbox"):
    """Unique per provider and provider id (an index in the migrations): a repeat is one row."""

    id: Serial
    provider = Varchar(length=16, help_text="twilio, aliyun…")
    provider_id = Varchar(length=64, help_text="The provider's id: Twilio's MessageSid, Aliyun's sequence_id.")
    from_phone = Varchar(length=32, index=True)
    to_phone = Varchar(length=32)
    body = Text()
    received_at = Timestamptz(default=TimestamptzNow())
    processed_at = Timestamptz(null=True, default=None, index=True, help_text="When the conversation answered it.")
    outcome = Text(default="")
