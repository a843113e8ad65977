"""What the messages we send leave behind: the last question each number was asked, and the
numbers that asked for no more SMS."""

from piccolo.columns import Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table


class LastQuestion(Table, tablename="sms_conversation"):
    """What a number was last asked (an offer, a payment), so that a bare "1" answers it."""

    id: Serial
    phone = Varchar(length=32, unique=True)
    flow = Varchar(length=32, help_text="The flow that asked (sms_flows/<flow>.toml).")
    item_id = Integer(help_text="The job or payout asked about.")
    code = Varchar(length=12, default="", help_text="The item's code in SMS (K7).")
    step = Varchar(
        length=32, default="", help_text="The ask step whose question it was, when not the flow's entry (consent)."
    )
    asked_at = Timestamptz()
    expires_at = Timestamptz(help_text="After this a bare answer no longer refers to the item.")


class OptOut(Table, tablename="sms_opt_out"):
    """Numbers that asked for no more SMS (退订/STOP), or that the gateway reports unsubscribed."""

    id: Serial
    phone = Varchar(length=32, unique=True)
    source = Varchar(length=64, default="", help_text="sms (they replied STOP), twilio 21610…")
    opted_out_at = Timestamptz()
