"""Sending what the outbox claimed: paced, bounded by timeouts, batched where the gateway
can, looked up instead of resent where a send went unanswered, each outcome recorded only
by the sender that still holds the message's lease."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import uuid
from collections.abc import Callable, Sequence
from itertools import groupby
from typing import Any

import msgspec

from backend.core.china_time import china_day
from backend.core.metrics import OUTBOX_SENDS, PROVIDER_SECONDS, ProviderCall, SendOutcome
from backend.core.phones import mask_phone
from backend.core.types import as_datetime, utcnow
from backend.db.session import write_transaction
from backend.gateways.base import (
    SEND_TIMEOUT_S,
    BatchGateway,
    Found,
    LookupGateway,
    SendError,
    SendResult,
    Sms,
    SmsGateway,
)
from backend.messages.optout import opt_out
from backend.messages.templates import render
from backend.outbox.leases import settle
from backend.outbox.secrets import is_secret, wipe
from backend.outbox.service import LEASE, MAX_ATTEMPTS, backoff, claim_due
from backend.outbox.status import ON_THE_WIRE, SETTLED, Status

log = logging.getLogger("cunjiang.outbox")

LOOK_UP_AFTER = dt.timedelta(minutes=2)  # an unanswered send: ask the provider then
OUTCOMES = {
    Status.SENT: SendOutcome.SENT,
    Status.PENDING: SendOutcome.RETRY,
    Status.FAILED: SendOutcome.FAILED,
    Status.SUPPRESSED: SendOutcome.SUPPRESSED,
    Status.UNCONFIRMED: SendOutcome.UNCONFIRMED,
}
Clock = Callable[[], dt.datetime]


class Pacing(msgspec.Struct, frozen=True, kw_only=True):
    """How a sender takes and sends messages. The last start of a batch plus the send
    timeout must fall well inside the lease, or a second sender could take a message that
    is still on the wire. ``per_second`` paces provider calls; ``per_call`` is how many
    messages a call carries (a batch gateway's batch size)."""

    batch: int = 20
    per_second: float = 10.0
    lease: dt.timedelta = LEASE
    send_timeout_s: float = SEND_TIMEOUT_S
    per_call: int = 1

    def __post_init__(self) -> None:
        calls = -(-self.batch // self.per_call)
        if calls / self.per_second + self.send_timeout_s >= 0.8 * self.lease.total_seconds():
            raise ValueError(f"{self} does not fit its lease")


DEFAULT_PACING = Pacing()


def _sms(row: dict[str, Any], reference: str) -> Sms:
    variables = json.loads(row["variables"] or "{}")
    # A sign-in code is stored without its digits in the text: written out only to be sent.
    body = render(row["kind"], row["locale"], **variables).body if is_secret(row["kind"]) else row["body"]
    return Sms(
        id=row["id"],
        to_phone=row["to_phone"],
        body=body,
        kind=row["kind"],
        variables=variables,
        locale=row["locale"],
        reference=reference,
    )


def bundles(claimed: Sequence[dict[str, Any]], gateway: SmsGateway) -> list[list[Sms]]:
    """One provider call each: messages sharing a template and language together (up to the
    gateway's batch size) when it sends batches, else one message a call."""
    if not isinstance(gateway, BatchGateway):
        return [[_sms(row, row["reference"] or str(row["id"]))] for row in claimed]
    calls: list[list[Sms]] = []
    ordered = sorted(claimed, key=lambda row: (row["kind"], row["locale"], row["id"]))
    for _template, group in groupby(ordered, key=lambda row: (row["kind"], row["locale"])):
        rows = list(group)
        for start in range(0, len(rows), gateway.max_batch):
            chunk = rows[start : start + gateway.max_batch]
            # The outbox id is Aliyun's OutId; a batch call carries its first message's.
            reference = chunk[0]["reference"] if len(chunk) == 1 and chunk[0]["reference"] else str(chunk[0]["id"])
            calls.append([_sms(row, reference) for row in chunk])
    return calls


async def deliver_due(
    gateway: SmsGateway, *, owner: str | None = None, pacing: Pacing = DEFAULT_PACING, clock: Clock = utcnow
) -> int:
    """Send what is due as ``owner``, concurrently with paced starts; returns how many were sent."""
    owner = owner or uuid.uuid4().hex
    claimed = await claim_due(pacing.batch, owner=owner, lease=pacing.lease, now=clock())
    unconfirmed = [row for row in claimed if row["status"] == Status.UNCONFIRMED]
    fresh = [row for row in claimed if row["status"] != Status.UNCONFIRMED]
    fresh += await _look_up(unconfirmed, gateway, owner, pacing, clock)
    calls = bundles(fresh, gateway)
    attempts = {row["id"]: row["attempts"] for row in claimed}

    async def one(position: int, call: list[Sms]) -> int:
        await asyncio.sleep(position / pacing.per_second)
        return await _send_and_record(call, gateway, owner, pacing.send_timeout_s, attempts, clock)

    return sum(await asyncio.gather(*(one(n, call) for n, call in enumerate(calls))))


async def _look_up(
    rows: list[dict[str, Any]], gateway: SmsGateway, owner: str, pacing: Pacing, clock: Clock
) -> list[dict[str, Any]]:
    """Ask the provider about sends that went unanswered; the ones it never got, to send again."""
    again: list[dict[str, Any]] = []
    for row in rows:
        if not isinstance(gateway, LookupGateway):
            again.append(row)
            continue
        sent_on = china_day(as_datetime(row["sent_at"] or clock()))
        try:
            with PROVIDER_SECONDS.labels(gateway.name, ProviderCall.LOOK_UP).time():
                found = await asyncio.wait_for(
                    gateway.look_up(_sms(row, row["reference"]), sent_on), pacing.send_timeout_s
                )
        except (SendError, TimeoutError) as error:
            log.warning("SMS %s: look-up failed (%s)", row["id"], error)
            await _record([row["id"]], owner, _unconfirmed(row["reference"], str(error), clock))
            continue
        if found.found == Found.ABSENT:
            again.append(row)
        elif found.found == Found.UNKNOWN:
            await _record([row["id"]], owner, _unconfirmed(row["reference"], found.detail, clock))
        else:
            status = Status.SENT if found.found == Found.SENT else Status.FAILED
            await _record(
                [row["id"]], owner, {"status": status, "provider_sid": found.provider_sid, "last_error": found.detail}
            )
    return again


def _unconfirmed(reference: str, why: str, clock: Clock) -> dict[str, Any]:
    return {
        "status": Status.UNCONFIRMED,
        "reference": reference,
        "last_error": why[:500],
        "next_attempt_at": clock() + LOOK_UP_AFTER,
    }


async def _attempt(call: list[Sms], gateway: SmsGateway, wait_s: float, attempts: int, clock: Clock) -> dict[str, Any]:
    """Send one call (a message, or a batch); the columns that record the outcome."""
    reference = call[0].reference
    try:
        result = await _call(call, gateway, wait_s)
    except (SendError, TimeoutError) as error:
        problem = error if isinstance(error, SendError) else SendError(f"no answer within {wait_s:g} s")
        unanswered = isinstance(error, TimeoutError) or problem.unknown
        log.warning("SMS %s to %s failed (%s)", [m.id for m in call], mask_phone(call[0].to_phone), problem)
        if unanswered and isinstance(gateway, LookupGateway):
            return _unconfirmed(reference, str(problem), clock) | {"sent_at": clock()}
        if problem.unsubscribed:  # the number is opted out where the outcome is recorded
            return {"status": Status.SUPPRESSED, "last_error": str(problem)[:500]}
        final = problem.permanent or attempts >= MAX_ATTEMPTS
        return {
            "status": Status.FAILED if final else Status.PENDING,
            "last_error": str(problem)[:500],
            "next_attempt_at": clock() + backoff(attempts),
        }
    return {"status": Status.SENT, "provider_sid": result.provider_sid, "sent_at": clock(), "reference": reference}


async def _call(call: list[Sms], gateway: SmsGateway, wait_s: float) -> SendResult:
    """The provider call itself, timed (a batch where the gateway takes one)."""
    name = gateway.name
    if len(call) > 1 and isinstance(gateway, BatchGateway):
        with PROVIDER_SECONDS.labels(name, ProviderCall.SEND_BATCH).time():
            return await asyncio.wait_for(gateway.send_batch(call), wait_s)
    with PROVIDER_SECONDS.labels(name, ProviderCall.SEND).time():
        return await asyncio.wait_for(gateway.send(call[0]), wait_s)


async def _send_and_record(
    call: list[Sms], gateway: SmsGateway, owner: str, wait_s: float, attempts: dict[int, int], clock: Clock
) -> int:
    values = await _attempt(call, gateway, wait_s, max(attempts[m.id] for m in call), clock)
    OUTBOX_SENDS.labels(gateway.name, OUTCOMES[values["status"]]).inc(len(call))
    unsubscribed = call[0].to_phone if values["status"] == Status.SUPPRESSED else None
    recorded = await _record([m.id for m in call], owner, values, unsubscribed=unsubscribed)
    if len(recorded) < len(call):
        log.warning("SMS %s: lease lost before its outcome (%s) was recorded", [m.id for m in call], values["status"])
    return len(recorded) if values["status"] == Status.SENT else 0


async def _record(ids: list[int], owner: str, values: dict[str, Any], *, unsubscribed: str | None = None) -> list[int]:
    """Write the outcome on the messages this sender still holds; the ids it was written on.
    ``unsubscribed``: the gateway says this number opted out; it is, from this commit on."""
    async with write_transaction():
        recorded = await settle("outbox_message", ids, owner, values, ON_THE_WIRE)
        if recorded and unsubscribed:
            await opt_out(unsubscribed, "gateway: unsubscribed")
        if values["status"] in SETTLED:
            await wipe(recorded)
    return recorded
