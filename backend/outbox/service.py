"""Queue messages with the change that causes them; claim them for delivery; record reports.

A sender (each worker loop, with its own owner token) claims a batch of due messages
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL so that any number of workers share the queue;
on SQLite one writer at a time). In the same transaction the message budget holds back or
merges what it must (``backend.outbox.budget``), and every message taken gets its own
lease, owned by that sender, and its attempt counted. ``backend.outbox.delivery`` then
sends them outside any transaction and records each outcome while it still owns the lease.

The guarantee, honestly: at least once towards a provider without idempotency keys
(Twilio's create call has none): a sender that dies after the provider accepted a message,
or a call that times out after the provider acted, leads to a second send once the lease
has run out. A gateway that can look a message up (Aliyun) turns an unanswered send into
``unconfirmed`` instead, and the next attempt asks the provider before sending again. The
provider's id and our reference are recorded, so delivery reports reconcile with the
message. A message that kills its sender every time still runs out of attempts, since
they are counted at claim.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from piccolo.query import OrderByRaw

from backend.core.types import utcnow
from backend.db.session import run, write_transaction
from backend.messages.optout import opt_out, opted_out_among
from backend.messages.templates import Rendered, keys_with
from backend.outbox import budget, rows
from backend.outbox.leases import skip_locked
from backend.outbox.rows import Outgoing
from backend.outbox.secrets import wipe
from backend.outbox.status import DUE, RANK, Status
from backend.outbox.tables import OutboxMessage

LEASE = dt.timedelta(seconds=60)
MAX_ATTEMPTS = 8


async def enqueue(
    to_phone: str,
    message: Rendered,
    *,
    brand_id: int | None = None,
    member_id: int | None = None,
    answers: bool = False,
) -> int:
    """Queue one SMS; call inside the transaction of the change that causes it. Returns its id."""
    outgoing = Outgoing(to_phone=to_phone, message=message, brand_id=brand_id, member_id=member_id, answers=answers)
    [queued] = await enqueue_many([outgoing])
    return queued


async def enqueue_many(queued: Sequence[Outgoing], *, now: dt.datetime | None = None) -> list[int]:
    """Queue SMS, in as few statements as the engines allow; inside the causing transaction.
    Returns the ids (in no promised order).

    Each keeps its rendered text (for gateways that send text, and for people to read) and
    its template key with the formatted variables (for gateways that send templates).
    """
    return await rows.insert(list(queued), now or utcnow())


def backoff(attempts: int) -> dt.timedelta:
    """15 s, 30 s, 1 min … capped at 1 hour."""
    return dt.timedelta(seconds=min(15 * 2 ** max(attempts - 1, 0), 3600))


CLAIMED = (
    OutboxMessage.id,
    OutboxMessage.to_phone,
    OutboxMessage.body,
    OutboxMessage.kind,
    OutboxMessage.variables,
    OutboxMessage.locale,
    OutboxMessage.brand,
    OutboxMessage.member,
    OutboxMessage.status,
    OutboxMessage.reference,
    OutboxMessage.answers,
    OutboxMessage.sent_at,
    OutboxMessage.attempts,
)
# Taken: leased to its sender, its attempt counted; an unconfirmed message stays unconfirmed
# (it is looked up at the provider before anything is sent again).
TAKE = f"""
UPDATE outbox_message
SET status = CASE WHEN status = '{Status.UNCONFIRMED}' THEN '{Status.UNCONFIRMED}' ELSE '{Status.SENDING}' END,
  lease_owner = {{}}, next_attempt_at = {{}}, attempts = attempts + 1
WHERE id IN ({{ids}})
RETURNING {", ".join(column._meta.db_column_name for column in CLAIMED)}
"""  # noqa: S608 - our own column names


def _first_the_awaited() -> OrderByRaw:
    """Due messages in the order they are taken: those a person is waiting for at her phone now
    (a sign-in code she asked for, the answer to her own SMS) before the rest, then oldest
    first, so that a dispatch to thousands never keeps a villager from signing in."""
    awaited = ", ".join(f"'{key}'" for key in sorted(keys_with("budget_exempt")))  # our own keys
    return OrderByRaw(f"CASE WHEN kind IN ({awaited}) OR answers THEN 0 ELSE 1 END, id")


async def claim_due(
    limit: int = 20, *, owner: str | None = None, lease: dt.timedelta = LEASE, now: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """Take up to ``limit`` due messages for ``owner``: each leased until ``now + lease``,
    its attempt counted (the rows come back with the new count). Messages past their last
    attempt are failed, messages to numbers that opted out suppressed, and the budget holds
    back or merges what it must, instead of taking them."""
    owner = owner or uuid.uuid4().hex
    now = now or utcnow()
    async with write_transaction():
        query = skip_locked(
            OutboxMessage.select(*CLAIMED)
            .where(OutboxMessage.status.is_in(list(DUE)) & (OutboxMessage.next_attempt_at <= now))
            .order_by(_first_the_awaited())
            .limit(limit)
        )
        due = await _hold_back_opted_out(await query)
        spent = [row["id"] for row in due if row["attempts"] >= MAX_ATTEMPTS]
        if spent:
            await OutboxMessage.update(
                {
                    OutboxMessage.status: Status.FAILED.value,
                    OutboxMessage.lease_owner: None,
                    OutboxMessage.last_error: "no attempts left",
                }
            ).where(OutboxMessage.id.is_in(spent))
            await wipe(spent)
        taken = await budget.ration([row for row in due if row["attempts"] < MAX_ATTEMPTS], now)
        if not taken:
            return []
        marks = ", ".join("{}" for _ in taken)
        claimed = await run(TAKE.replace("{ids}", marks), owner, now + lease, *(row["id"] for row in taken))
    # In the order the query took them (RETURNING promises none): the sender starts its sends so.
    taken_at = {row["id"]: position for position, row in enumerate(due)}
    return sorted(claimed, key=lambda row: (taken_at.get(row["id"], len(due)), row["id"]))  # merged: new rows, last


async def _hold_back_opted_out(due: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mark messages to numbers that opted out ``suppressed`` (except those the person asked
    for, such as a sign-in code); the rest, still due."""
    opted_out = await opted_out_among({row["to_phone"] for row in due})
    if not opted_out:
        return due
    exempt = keys_with("reaches_opted_out")
    held = [row["id"] for row in due if row["to_phone"] in opted_out and row["kind"] not in exempt]
    if held:
        await OutboxMessage.update(
            {
                OutboxMessage.status: Status.SUPPRESSED.value,
                OutboxMessage.lease_owner: None,
                OutboxMessage.last_error: "opted out",
            }
        ).where(OutboxMessage.id.is_in(held))
    return [row for row in due if row["id"] not in held]


UNSUBSCRIBED_CODES = {"21610"}  # Twilio: the recipient replied STOP to the sender
REPORTED = """
SELECT id, status, to_phone, provider_sid FROM outbox_message
WHERE (provider_sid = {} OR (reference = {} AND reference != '')) {phone} ORDER BY id LIMIT 1
"""


async def record_status(
    provider_sid: str,
    status: str,
    *,
    error_code: str = "",
    phone: str | None = None,
    segments: int | None = None,
    reference: str = "",
) -> bool:
    """A delivery report from the gateway (``delivered``, ``failed``…); False if the message
    is unknown. ``phone`` tells apart the messages of one batch (one provider id for all);
    ``reference`` finds a message whose send went unanswered (no provider id recorded yet).
    A report that the number unsubscribed opts it out here too."""
    async with write_transaction():
        where_phone = "AND to_phone = {}" if phone else ""
        rows = await run(REPORTED.replace("{phone}", where_phone), provider_sid, reference, *([phone] if phone else []))
        if not rows:
            return False
        row = rows[0]
        if error_code in UNSUBSCRIBED_CODES:
            await opt_out(row["to_phone"], f"gateway: error {error_code}")
        values: dict[Any, Any] = {OutboxMessage.error_code: error_code[:32]} if error_code else {}
        if not row["provider_sid"] and provider_sid:
            values[OutboxMessage.provider_sid] = provider_sid
        if segments:
            values[OutboxMessage.segments] = segments
        if RANK.get(status, 4) >= RANK.get(row["status"], 0):
            values[OutboxMessage.status] = status[:16]
        if values:
            await OutboxMessage.update(values).where(OutboxMessage.id == row["id"])
    return True
