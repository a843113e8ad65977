"""Photos of finished work, stored without metadata, in three sizes."""

from typing import ClassVar

from piccolo.columns import BigInt, ForeignKey, Integer, OnDelete, OnUpdate, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.accounts.tables import Brand, Member
from backend.db.declared import Keys


class Photo(Table, tablename="photo"):
    id: Serial
    brand = ForeignKey(Brand, null=False, index=True)
    owner = ForeignKey(Member, null=False, index=True, help_text="The artisan or leader who uploaded it.")
    content_hash = Varchar(length=64, index=True, help_text="SHA-256 of the re-encoded full image.")
    width = Integer()
    height = Integer()
    created_at = Timestamptz(default=TimestamptzNow())

    UNIQUE: ClassVar[Keys] = {"photo_owner_content": ("owner", "content_hash")}  # the same image once per person


class Upload(Table, tablename="upload"):
    """A resumable upload (tus): its bytes live in the upload store (``upload_parts``: the
    shared S3 store with ``s3://`` storage, else the data folder) until it becomes a photo,
    is terminated, or expires."""

    id = Varchar(length=32, primary_key=True, help_text="The last segment of its Location URL.")
    # No cascades (unlike the older tables): a brand or person with uploads cannot be deleted.
    brand = ForeignKey(Brand, null=False, on_delete=OnDelete.no_action, on_update=OnUpdate.no_action)
    owner = ForeignKey(
        Member,
        null=False,
        index=True,
        on_delete=OnDelete.no_action,
        on_update=OnUpdate.no_action,
        help_text="Only the creator may see or continue it.",
    )
    length = BigInt(help_text="Upload-Length: the whole file, in bytes.")
    offset = BigInt(default=0, help_text="Upload-Offset: the bytes received so far.")
    metadata = Text(default="{}", help_text="Upload-Metadata, decoded: filename, filetype.")
    parts = Text(
        default="{}",
        help_text="What the upload store holds for it at this offset (S3 multipart id, parts, pending chunks).",
    )
    attempts = Integer(default=0, help_text="PATCHes taken so far: each gets its own number, for its bytes' name.")
    created_at = Timestamptz()
    expires_at = Timestamptz(
        index=True, help_text="24 hours after creation: removed then, finished or not, unless it became a photo."
    )
    finished_at = Timestamptz(null=True, default=None, help_text="When its last byte arrived.")
