"""Exactly once: the first answer to a (caller, key) is kept, and a repeat gets it back.

Every channel that may repeat itself uses this: HTTP ``Idempotency-Key``, SMS providers'
message ids, any later webhook. The work runs and its answer is stored under the key in
ONE transaction, so an effect and its record commit together or not at all; a concurrent
duplicate waits on the key's unique index until the first one has finished, then is
undone and gets the first answer.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Awaitable, Callable

import msgspec

from backend.core.errors import IdempotencyInProgress, IdempotencyMismatch
from backend.core.types import utcnow
from backend.db.session import run, write_transaction
from backend.idempotency.tables import IdempotencyRecord

KEEP = dt.timedelta(hours=48)  # the contract promises at least 24 hours
# Refusals the caller should simply retry (a wrong sign-in code, a rate limit): the key is
# not kept, but the effects that count attempts and limits commit.
NOT_KEPT = frozenset({401, 429})


class StoredResponse(msgspec.Struct, frozen=True):
    """What the caller got back: a status, headers and a body (HTTP, TwiML, JSON…)."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    replayed: bool = False


class Key(msgspec.Struct, frozen=True):
    """An Idempotency-Key as work that keeps its own record sees it: the caller's scope, the
    key, and the fingerprint of the request it was first used for."""

    scope: str
    key: str
    fingerprint: str


class _Undo(Exception):
    """Leave the transaction without committing; the answer still goes back."""

    def __init__(self, response: StoredResponse, *, repeated: bool = False) -> None:
        super().__init__(response.status)
        self.response = response
        self.repeated = repeated


async def run_once(
    scope: str, key: str, fingerprint: str, work: Callable[[], Awaitable[StoredResponse]]
) -> StoredResponse:
    """Run ``work`` once per ``(scope, key)``; a repeat gets the first answer, marked ``replayed``.

    The work runs first and its answer is kept under the key in the same transaction; when
    the key turns out to be taken (a repeat, or a duplicate racing this one: it waits on the
    unique index until the first has committed), everything the work did is undone and the
    first answer returned. So the common case costs one statement for exactly-once, and a
    repeat costs a rolled-back run. ``fingerprint`` identifies the request: the same key
    with another fingerprint is refused (IdempotencyMismatch).

    What stays depends on the answer: a success commits its effects with the answer; a
    refusal (4xx) undoes them and keeps just the answer, except those in ``NOT_KEPT``,
    which keep their effects (a counted attempt) but not the answer; 500 or more undoes
    everything, so the caller may retry. Do any expensive work (decoding images, calling
    other services) before this, not in ``work``: the write transaction is held while it runs.
    """
    try:
        async with write_transaction():
            response = await work()
            if response.status in NOT_KEPT:
                return await find(scope, key, fingerprint) or response
            if response.status >= 400:
                raise _Undo(response)
            if not await _keep(scope, key, fingerprint, response):
                raise _Undo(response, repeated=True)
            return response
    except _Undo as undo:
        if undo.repeated:
            return await _stored_or_busy(scope, key, fingerprint)
        refused = undo.response
    if refused.status >= 500:
        return refused
    # A refusal: nothing it did stays, but its answer is kept (unless another came first).
    async with write_transaction():
        if await _keep(scope, key, fingerprint, refused):
            return refused
    return await _stored_or_busy(scope, key, fingerprint)


KEEP_ANSWER = """
INSERT INTO idempotency_record (scope, "key", request_hash, status_code, headers, body, created_at)
VALUES ({}, {}, {}, {}, {}, {}, {}) ON CONFLICT (scope, "key") DO NOTHING RETURNING id
"""
FIND = 'SELECT request_hash, status_code, headers, body FROM idempotency_record WHERE scope = {} AND "key" = {}'


async def find(scope: str, key: str, fingerprint: str) -> StoredResponse | None:
    """The answer kept for this key (marked ``replayed``), None if there is none.

    Refuses the key when it was used for another request.
    """
    rows = await run(FIND, scope, key)
    if not rows:
        return None
    row = rows[0]
    if row["request_hash"] != fingerprint:
        raise IdempotencyMismatch()
    headers = [(name, value) for name, value in json.loads(row["headers"])]
    return StoredResponse(row["status_code"], headers, base64.b64decode(row["body"]), replayed=True)


async def _stored_or_busy(scope: str, key: str, fingerprint: str) -> StoredResponse:
    stored = await find(scope, key, fingerprint)
    if stored is None:  # forgotten since, by the clean-up: the client may retry
        raise IdempotencyInProgress()
    return stored


async def _keep(scope: str, key: str, fingerprint: str, response: StoredResponse) -> bool:
    """Keep the answer under the key; False when the key was taken already.

    A concurrent insert of the same key waits on the unique index until the first
    transaction ends, then finds the key taken, or free again if that one rolled back.
    """
    body = base64.b64encode(response.body).decode()
    headers = json.dumps(response.headers)
    return bool(await run(KEEP_ANSWER, scope, key, fingerprint, response.status, headers, body, utcnow()))


async def keep(scope: str, key: str, fingerprint: str, note: bytes) -> bool:
    """Keep ``note`` under the key (inside the effect's transaction); False when the key is taken.

    For work that keeps its own exactly-once record instead of a response to replay, because
    the response holds a secret that must not rest in the table (a sign-in's token)."""
    return await _keep(scope, key, fingerprint, StoredResponse(200, [], note))


REPLACE = 'UPDATE idempotency_record SET body = {} WHERE scope = {} AND "key" = {}'


async def replace(scope: str, key: str, note: bytes) -> None:
    """Change the note kept under the key (inside the transaction that changed its effect)."""
    await run(REPLACE, base64.b64encode(note).decode(), scope, key)


async def forget_expired() -> int:
    async with write_transaction():
        rows = (
            await IdempotencyRecord.delete()
            .where(IdempotencyRecord.created_at < utcnow() - KEEP)
            .returning(IdempotencyRecord.id)
        )
    return len(rows)
