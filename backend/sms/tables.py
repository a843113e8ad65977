"""SMS that villagers send: stored as they arrive, processed just after (inbox-first)."""

from piccolo.columns import Integer, Serial, Text, Timestamptz, Varchar
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
    typed_by = Integer(
        null=True, default=None, help_text="The staff member who typed it in the SMS simulator (not the villager)."
    )
    typed_brand = Integer(null=True, default=None, index=True, help_text="Their brand: only it sees the simulation.")


class Conversation(Table, tablename="sms_conversation"):
    """What a number was last asked (an offer, a payment), so that a bare "1" answers it."""

    id: Serial
    phone = Varchar(length=32, unique=True)
    flow = Varchar(length=32, help_text="The flow that asked (sms_flows/<flow>.toml).")
    item_id = Integer(help_text="The job or payout asked about.")
    code = Varchar(length=12, default="", help_text="The item's code in SMS (K7).")
    asked_at = Timestamptz()
    expires_at = Timestamptz(help_text="After this a bare answer no longer refers to the item.")


class OptOut(Table, tablename="sms_opt_out"):
    """Numbers that asked for no more SMS (退订/STOP), or that the gateway reports unsubscribed."""

    id: Serial
    phone = Varchar(length=32, unique=True)
    source = Varchar(length=64, default="", help_text="sms (they replied STOP), twilio 21610…")
    opted_out_at = Timestamptz()
