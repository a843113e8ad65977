"""Idempotency keys with the first response they produced."""

from typing import ClassVar

from piccolo.columns import Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.db.declared import Keys


class IdempotencyRecord(Table, tablename="idempotency_record"):
    id: Serial
    scope = Varchar(length=64, help_text="The caller: person:ID, or address:IP for anonymous calls.")
    key = Varchar(length=255)
    request_hash = Varchar(length=64)
    status_code = Integer(default=0)
    body = Text(default="")
    headers = Text(default="[]", help_text="JSON list of the first response's headers.")
    created_at = Timestamptz(default=TimestamptzNow(), index=True)

    UNIQUE: ClassVar[Keys] = {"idempotency_scope_key": ("scope", "key")}
