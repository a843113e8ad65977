"""Queue messages with the change that causes them; deliver them later.

A sender (each worker loop, with its own owner token) claims a batch of due messages
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL so that any number of workers share the queue;
on SQLite one writer at a time), and in the same transaction gives each message its own
lease, owned by that sender, and counts the attempt. It then sends the batch outside any
transaction, concurrently and paced by the rate limit, every provider call bounded by a
timeout shorter than the lease, so no lease runs out while its message is on the wire.
The outcome is recorded only while the sender still owns the lease.

The guarantee, honestly: at least once towards a provider without idempotency keys
(Twilio's create call has none). A sender that dies after the provider accepted a message,
or a call that times out after the provider acted, leads to a second send once the lease
has run out. The provider's id is recorded with the outcome, so delivery reports reconcile
with the message. A message that kills its sender every time still runs out of attempts,
since they are counted at claim.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import uuid
from collections.abc import Sequence
from typing import Any

import msgspec

from backend.core.phones import mask_phone
from backend.core.types import utcnow
from backend.db.session import insert_rows, is_sqlite, write_transaction
from backend.outbox.ports import SendError, SmsGateway
from backend.outbox.tables import OutboxMessage
from backend.sms.optout import opt_out, opted_out_among
from backend.sms.templates import Rendered, messages

log = logging.getLogger("cunjiang.outbox")

LEASE = dt.timedelta(seconds=60)
SEND_TIMEOUT_S = 15.0  # a provider call gives up after this: shorter than any lease
MAX_ATTEMPTS = 8


OUTGOING_COLUMNS = (
    "to_phone",
    "body",
    "kind",
    "variables",
    "locale",
    "brand",
    "member",
    "next_attempt_at",
    "created_at",
)


class Outgoing(msgspec.Struct, frozen=True, kw_only=True):
    """One SMS to queue: to whom, and the message (``backend.sms.templates.render``)."""

    to_phone: str
    message: Rendered
    brand_id: int | None = None
    member_id: int | None = None


async def enqueue(
    to_phone: str, message: Rendered, *, brand_id: int | None = None, member_id: int | None = None
) -> int:
    """Queue one SMS; call inside the transaction of the change that causes it. Returns its id."""
    [queued] = await enqueue_many(
        [Outgoing(to_phone=to_phone, message=message, brand_id=brand_id, member_id=member_id)]
    )
    return queued


async def enqueue_many(messages: Sequence[Outgoing]) -> list[int]:
    """Queue SMS, in as few statements as the engines allow; inside the causing transaction.
    Returns the ids (in no promised order).

    Each keeps its rendered text (for gateways that send text, and for people to read) and
    its template key with the formatted variables (for gateways that send templates).
    """
    now = utcnow()
    rows = [
        (
            m.to_phone,
            m.message.body,
            m.message.key,
            json.dumps(m.message.variables, ensure_ascii=False),
            m.message.locale,
            m.brand_id,
            m.member_id,
            now,
            now,
        )
        for m in messages
    ]
    return [row["id"] for row in await insert_rows("outbox_message", OUTGOING_COLUMNS, rows, returning="id")]


def backoff(attempts: int) -> dt.timedelta:
    """15 s, 30 s, 1 min … capped at 1 hour."""
    return dt.timedelta(seconds=min(15 * 2 ** max(attempts - 1, 0), 3600))


CLAIMED = (OutboxMessage.id, OutboxMessage.to_phone, OutboxMessage.body, OutboxMessage.kind, OutboxMessage.attempts)


async def claim_due(limit: int = 20, *, owner: str | None = None, lease: dt.timedelta = LEASE) -> list[dict[str, Any]]:
    """Take up to ``limit`` due messages for ``owner``: each leased until ``now + lease``,
    its attempt counted (the rows come back with the new count). Messages past their last
    attempt are failed instead of taken."""
    owner = owner or uuid.uuid4().hex
    now = utcnow()
    async with write_transaction():
        query = (
            OutboxMessage.select(*CLAIMED)
            .where(OutboxMessage.status.is_in(["pending", "sending"]) & (OutboxMessage.next_attempt_at <= now))
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
        if not is_sqlite():
            query = query.lock_rows(skip_locked=True, of=(OutboxMessage,))
        due = await _hold_back_opted_out(await query)
        spent = [row["id"] for row in due if row["attempts"] >= MAX_ATTEMPTS]
        if spent:
            await OutboxMessage.update(
                {
                    OutboxMessage.status: "failed",
                    OutboxMessage.lease_owner: None,
                    OutboxMessage.last_error: "no attempts left",
                }
            ).where(OutboxMessage.id.is_in(spent))
        taken = [row["id"] for row in due if row["attempts"] < MAX_ATTEMPTS]
        if not taken:
            return []
        return await (
            OutboxMessage.update(
                {
                    OutboxMessage.status: "sending",
                    OutboxMessage.lease_owner: owner,
                    OutboxMessage.next_attempt_at: now + lease,
                    OutboxMessage.attempts: OutboxMessage.attempts + 1,
                }
            )
            .where(OutboxMessage.id.is_in(taken))
            .returning(*CLAIMED)
        )


def _reaching_opted_out() -> frozenset[str]:
    return frozenset(key for key, message in messages().items() if message.reaches_opted_out)


async def _hold_back_opted_out(due: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mark messages to numbers that opted out ``suppressed`` (except those the person asked
    for, such as a sign-in code); the rest, still due."""
    opted_out = await opted_out_among({row["to_phone"] for row in due})
    if not opted_out:
        return due
    exempt = _reaching_opted_out()
    held = [row["id"] for row in due if row["to_phone"] in opted_out and row["kind"] not in exempt]
    if held:
        await OutboxMessage.update(
            {OutboxMessage.status: "suppressed", OutboxMessage.lease_owner: None, OutboxMessage.last_error: "opted out"}
        ).where(OutboxMessage.id.is_in(held))
    return [row for row in due if row["id"] not in held]


async def _attempt(message: dict[str, Any], gateway: SmsGateway, wait_s: float) -> dict[Any, Any]:
    """Send one message; the columns that record the outcome."""
    try:
        result = await asyncio.wait_for(gateway.send(message["to_phone"], message["body"]), wait_s)
    except (SendError, TimeoutError) as error:
        # A timeout leaves the outcome unknown (the provider may have sent it): retried later.
        problem = error if isinstance(error, SendError) else SendError(f"no answer within {wait_s:g} s")
        final = problem.permanent or message["attempts"] >= MAX_ATTEMPTS
        log.warning("SMS %s to %s failed (%s)", message["id"], mask_phone(message["to_phone"]), problem)
        if problem.unsubscribed:  # the number is opted out where the outcome is recorded
            return {OutboxMessage.status: "suppressed", OutboxMessage.last_error: str(problem)[:500]}
        return {
            OutboxMessage.status: "failed" if final else "pending",
            OutboxMessage.last_error: str(problem)[:500],
            OutboxMessage.next_attempt_at: utcnow() + backoff(message["attempts"]),
        }
    return {
        OutboxMessage.status: "sent",
        OutboxMessage.provider_sid: result.provider_sid,
        OutboxMessage.sent_at: utcnow(),
    }


async def _send_and_record(message: dict[str, Any], gateway: SmsGateway, owner: str, wait_s: float) -> bool:
    values = await _attempt(message, gateway, wait_s) | {OutboxMessage.lease_owner: None}
    mine = (OutboxMessage.id == message["id"]) & (OutboxMessage.lease_owner == owner)
    async with write_transaction():
        recorded = (
            await OutboxMessage.update(values)
            .where(mine & (OutboxMessage.status == "sending"))
            .returning(OutboxMessage.id)
        )
        if recorded and values[OutboxMessage.status] == "suppressed":
            await opt_out(message["to_phone"], "gateway: unsubscribed")
    if not recorded:
        log.warning(
            "SMS %s: lease lost before its outcome (%s) was recorded", message["id"], values[OutboxMessage.status]
        )
        return False
    return bool(values[OutboxMessage.status] == "sent")


class Pacing(msgspec.Struct, frozen=True, kw_only=True):
    """How a sender takes and sends messages. The last start of a batch plus the send
    timeout must fall well inside the lease, or a second sender could take a message that
    is still on the wire."""

    batch: int = 20
    per_second: float = 10.0
    lease: dt.timedelta = LEASE
    send_timeout_s: float = SEND_TIMEOUT_S

    def __post_init__(self) -> None:
        if self.batch / self.per_second + self.send_timeout_s >= 0.8 * self.lease.total_seconds():
            raise ValueError(f"{self} does not fit its lease")


DEFAULT_PACING = Pacing()


async def deliver_due(gateway: SmsGateway, *, owner: str | None = None, pacing: Pacing = DEFAULT_PACING) -> int:
    """Send what is due as ``owner``, concurrently with paced starts; returns how many were sent."""
    owner = owner or uuid.uuid4().hex
    messages = await claim_due(pacing.batch, owner=owner, lease=pacing.lease)

    async def one(position: int, message: dict[str, Any]) -> bool:
        await asyncio.sleep(position / pacing.per_second)
        return await _send_and_record(message, gateway, owner, pacing.send_timeout_s)

    return sum(await asyncio.gather(*(one(n, m) for n, m in enumerate(messages))))


# Gateways report out of order: a late "sent" must not undo "delivered".
STATUS_RANK = {
    "pending": 0,
    "sending": 1,
    "queued": 2,
    "sent": 3,
    "delivered": 4,
    "undelivered": 4,
    "failed": 4,
    "suppressed": 4,
}
UNSUBSCRIBED_CODES = {"21610"}  # Twilio: the recipient replied STOP to the sender


async def record_status(provider_sid: str, status: str, *, error_code: str = "") -> bool:
    """A delivery report from the gateway (``delivered``, ``failed``…); False if the sid is
    unknown. A report that the number unsubscribed opts it out here too."""
    async with write_transaction():
        row = (
            await OutboxMessage.select(OutboxMessage.id, OutboxMessage.status, OutboxMessage.to_phone)
            .where(OutboxMessage.provider_sid == provider_sid)
            .first()
        )
        if row is None:
            return False
        if error_code in UNSUBSCRIBED_CODES:
            await opt_out(row["to_phone"], f"gateway: error {error_code}")
        if STATUS_RANK.get(status, 4) >= STATUS_RANK.get(row["status"], 0):
            await OutboxMessage.update({OutboxMessage.status: status[:16]}).where(OutboxMessage.id == row["id"])
    return True
