"""One-time sign-in codes, stored hashed (device tokens are a person's: ``backend.accounts.tables``)."""

from piccolo.columns import Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class OtpCode(Table, tablename="otp_code"):
    id: Serial
    phone = Varchar(length=20, index=True)
    code_hash = Varchar(length=64)
    requested_from = Varchar(length=64, index=True, help_text="Client address, for rate limits.")
    attempts = Integer(default=0)
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
