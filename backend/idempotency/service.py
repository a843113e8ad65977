"""Remember the first response to each (caller, Idempotency-Key); spot reuse with another body."""

from __future__ import annotations

import base64
import datetime as dt
import json

import msgspec

from backend.core.errors import IdempotencyMismatch
from backend.core.types import utcnow
from backend.db.session import write_transaction
from backend.idempotency.tables import IdempotencyRecord

KEEP = dt.timedelta(hours=48)  # the contract promises at least 24 hours


class StoredResponse(msgspec.Struct, frozen=True):
    status: int
    headers: list[tuple[str, str]]
    body: bytes


async def find(scope: str, key: str, request_hash: str) -> StoredResponse | None:
    """The stored response for this key, None if the key is new; refuse a different request."""
    row = (
        await IdempotencyRecord.select()
        .where((IdempotencyRecord.scope == scope) & (IdempotencyRecord.key == key))
        .first()
    )
    if row is None:
        return None
    if row["request_hash"] != request_hash:
        raise IdempotencyMismatch()
    headers = [(name, value) for name, value in json.loads(row["headers"])]
    return StoredResponse(row["status_code"], headers, base64.b64decode(row["body"]))


async def claim(scope: str, key: str, request_hash: str) -> bool:
    """Take the key; False when it was taken already.

    A concurrent claim of the same key waits on the unique index until the first
    transaction ends, then finds the key taken (and its response stored) or free again.
    """
    rows = (
        await IdempotencyRecord.insert(IdempotencyRecord(scope=scope, key=key, request_hash=request_hash))
        .on_conflict(target=(IdempotencyRecord.scope, IdempotencyRecord.key), action="DO NOTHING")
        .returning(IdempotencyRecord.id)
    )
    return bool(rows)


async def store(scope: str, key: str, response: StoredResponse) -> None:
    await IdempotencyRecord.update(
        {
            IdempotencyRecord.status_code: response.status,
            IdempotencyRecord.headers: json.dumps(response.headers),
            IdempotencyRecord.body: base64.b64encode(response.body).decode(),
        }
    ).where((IdempotencyRecord.scope == scope) & (IdempotencyRecord.key == key))


async def forget_expired() -> int:
    async with write_transaction():
        rows = (
            await IdempotencyRecord.delete()
            .where(IdempotencyRecord.created_at < utcnow() - KEEP)
            .returning(IdempotencyRecord.id)
        )
    return len(rows)
