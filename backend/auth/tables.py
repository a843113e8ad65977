"""One-time sign-in codes and long-lived device tokens, both stored hashed."""

from piccolo.columns import ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.accounts.tables import Member


class OtpCode(Table, tablename="otp_code"):
    id: Serial
    phone = Varchar(length=20, index=True)
    code_hash = Varchar(length=64)
    requested_from = Varchar(length=64, index=True, help_text="Client address, for rate limits.")
    attempts = Integer(default=0)
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)


class DeviceToken(Table, tablename="device_token"):
    id: Serial
    member = ForeignKey(Member, null=False, index=True)
    token_hash = Varchar(length=64, unique=True, help_text="SHA-256 of the bearer token.")
    created_at = Timestamptz(default=TimestamptzNow())
    revoked_at = Timestamptz(null=True, default=None)
    last_used_at = Timestamptz(
        null=True, default=None, help_text="Renewed while used; idle past CUNJIANG_TOKEN_IDLE_DAYS, the token expires."
    )
