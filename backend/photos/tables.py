"""Photos of finished work, stored without metadata, in three sizes."""

from piccolo.columns import ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.accounts.tables import Brand, Member


class Photo(Table, tablename="photo"):
    id: Serial
    brand = ForeignKey(Brand, null=False, index=True)
    owner = ForeignKey(Member, null=False, index=True, help_text="The artisan or leader who uploaded it.")
    content_hash = Varchar(length=64, index=True, help_text="SHA-256 of the re-encoded full image.")
    width = Integer()
    height = Integer()
    created_at = Timestamptz(default=TimestamptzNow())
