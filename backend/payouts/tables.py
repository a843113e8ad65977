"""Payouts: recorded once per job by the brand, confirmed once by the artisan."""

from piccolo.columns import BigInt, ForeignKey, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.accounts.tables import Brand, Member
from backend.jobs.tables import Job


class Payout(Table, tablename="payout"):
    id: Serial
    job = ForeignKey(Job, null=False, unique=True, help_text="One payout per job, enforced here.")
    brand = ForeignKey(Brand, null=False, index=True)
    artisan = ForeignKey(Member, null=False, index=True)
    amount_fen = BigInt()
    method = Varchar(length=16, help_text="cash, wechat, alipay or bank.")
    reference = Varchar(length=100, default="", help_text="Transfer reference; masked in logs.")
    status = Varchar(length=16, default="paid", index=True, help_text="paid, confirmed or disputed.")
    recorded_by = ForeignKey(Member, null=True)
    dispute_reason = Text(default="")
    resolution_note = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    confirmed_at = Timestamptz(null=True, default=None)
    confirmed_via = Varchar(
        length=16, default="", help_text="Where the confirmation came from: app, sms, voice, simulator, console."
    )
