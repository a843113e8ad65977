"""Queue messages with the change that causes them; deliver them later, at most once each.

Delivery claims a batch (``FOR UPDATE SKIP LOCKED`` on PostgreSQL so that any number of
workers share the queue; on SQLite one worker, serialised by the write lock), marks it
``sending`` with a lease, sends outside the transaction, then records the outcome.
A message whose worker died is retried when its lease runs out.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

import msgspec

from backend.core.phones import mask_phone
from backend.core.types import utcnow
from backend.db.session import insert_rows, is_sqlite, write_transaction
from backend.outbox.ports import SendError, SmsGateway
from backend.outbox.tables import OutboxMessage

log = logging.getLogger("cunjiang.outbox")

LEASE = dt.timedelta(seconds=60)
MAX_ATTEMPTS = 8


async def enqueue(
    to_phone: str, body: str, *, kind: str, brand_id: int | None = None, member_id: int | None = None
) -> int:
    """Queue one SMS; call inside the transaction of the change that causes it."""
    rows = await OutboxMessage.insert(
        OutboxMessage(to_phone=to_phone, body=body, kind=kind, brand=brand_id, member=member_id)
    ).returning(OutboxMessage.id)
    return int(rows[0]["id"])


OUTGOING_COLUMNS = ("to_phone", "body", "kind", "brand", "member", "next_attempt_at", "created_at")


class Outgoing(msgspec.Struct, frozen=True, kw_only=True):
    """One SMS to queue (see :func:`enqueue_many`)."""

    to_phone: str
    body: str
    kind: str
    brand_id: int | None = None
    member_id: int | None = None


async def enqueue_many(messages: Sequence[Outgoing]) -> None:
    """Queue several SMS at once (a dispatch to many artisans); inside the causing transaction."""
    now = utcnow()
    rows = [(m.to_phone, m.body, m.kind, m.brand_id, m.member_id, now, now) for m in messages]
    await insert_rows("outbox_message", OUTGOING_COLUMNS, rows)


def backoff(attempts: int) -> dt.timedelta:
    """15 s, 30 s, 1 min … capped at 1 hour."""
    return dt.timedelta(seconds=min(15 * 2 ** max(attempts - 1, 0), 3600))


async def claim_due(limit: int = 20) -> list[dict[str, Any]]:
    now = utcnow()
    async with write_transaction():
        query = (
            OutboxMessage.select(OutboxMessage.id, OutboxMessage.to_phone, OutboxMessage.body, OutboxMessage.attempts)
            .where(OutboxMessage.status.is_in(["pending", "sending"]) & (OutboxMessage.next_attempt_at <= now))
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
        if not is_sqlite():
            query = query.lock_rows(skip_locked=True, of=(OutboxMessage,))
        rows = await query
        if rows:
            await OutboxMessage.update(
                {OutboxMessage.status: "sending", OutboxMessage.next_attempt_at: now + LEASE}
            ).where(OutboxMessage.id.is_in([row["id"] for row in rows]))
    return rows


async def _record_outcome(message: dict[str, Any], gateway: SmsGateway) -> bool:
    attempts = message["attempts"] + 1
    values: dict[Any, Any] = {OutboxMessage.attempts: attempts}
    try:
        result = await gateway.send(message["to_phone"], message["body"])
    except SendError as error:
        final = error.permanent or attempts >= MAX_ATTEMPTS
        log.warning("SMS %s to %s failed (%s)", message["id"], mask_phone(message["to_phone"]), error)
        values |= {
            OutboxMessage.status: "failed" if final else "pending",
            OutboxMessage.last_error: str(error)[:500],
            OutboxMessage.next_attempt_at: utcnow() + backoff(attempts),
        }
    else:
        values |= {
            OutboxMessage.status: "sent",
            OutboxMessage.provider_sid: result.provider_sid,
            OutboxMessage.sent_at: utcnow(),
        }
    async with write_transaction():
        await OutboxMessage.update(values).where(OutboxMessage.id == message["id"])
    return bool(values[OutboxMessage.status] == "sent")


async def deliver_due(gateway: SmsGateway, *, limit: int = 20, per_second: float = 10.0) -> int:
    """Send what is due, at most ``per_second`` messages a second; returns how many were sent."""
    sent = 0
    for message in await claim_due(limit):
        sent += await _record_outcome(message, gateway)
        await asyncio.sleep(1 / per_second)
    return sent


# Gateways report out of order: a late "sent" must not undo "delivered".
STATUS_RANK = {"pending": 0, "sending": 1, "queued": 2, "sent": 3, "delivered": 4, "undelivered": 4, "failed": 4}


async def record_status(provider_sid: str, status: str) -> bool:
    """A delivery report from the gateway (``delivered``, ``failed``…); False if the sid is unknown."""
    async with write_transaction():
        row = (
            await OutboxMessage.select(OutboxMessage.id, OutboxMessage.status)
            .where(OutboxMessage.provider_sid == provider_sid)
            .first()
        )
        if row is None:
            return False
        if STATUS_RANK.get(status, 4) >= STATUS_RANK.get(row["status"], 0):
            await OutboxMessage.update({OutboxMessage.status: status[:16]}).where(OutboxMessage.id == row["id"])
    return True
