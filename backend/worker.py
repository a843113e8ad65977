"""The background loop: answer missed SMS, deliver the outbox, place due calls and apply their
reports, expire offers and uploads, forget old keys, and on the first days of a month queue the
monthly income summaries by SMS."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator

from backend.core import metrics
from backend.gateways import BatchGateway, CallGateway, SmsGateway
from backend.gateways import registry as gateways
from backend.idempotency.service import forget_expired
from backend.jobs.service import expire_due_offers
from backend.outbox import Pacing, deliver_due
from backend.outbox.delivery import DEFAULT_PACING
from backend.outbox.secrets import expire_stale
from backend.payouts.summary import send_monthly_statements
from backend.photos.uploads import remove_expired as remove_expired_uploads
from backend.sms.engine import process_pending
from backend.voice.dispatch import call_due
from backend.voice.reports import apply_pending

log = logging.getLogger("cunjiang.worker")

IDLE_SECONDS = 1.0
HOUSEKEEPING_EVERY = 60  # rounds
STOP_WAIT_SECONDS = 25.0  # a round: a batch paced over 2 s, then at most a 15 s send timeout


def pacing_for(gateway: SmsGateway) -> Pacing:
    """A gateway that sends one template to many numbers in one call takes bigger batches:
    the pace is in provider calls, and a dispatch to 1,400 artisans is a few dozen of them."""
    if isinstance(gateway, BatchGateway):
        return Pacing(batch=4 * gateway.max_batch, per_second=DEFAULT_PACING.per_second, per_call=gateway.max_batch)
    return DEFAULT_PACING


async def run_once(
    gateway: SmsGateway, *, owner: str | None = None, housekeeping: bool = True, caller: CallGateway | None = None
) -> int:
    """One round: send what is due (as ``owner``, the sender's lease token), place the calls
    that are due, then tidy up."""
    answered = await process_pending()  # normally answered as they arrive; these were missed
    answered += await apply_pending()  # the calls' reports, likewise
    sent = await deliver_due(gateway, owner=owner, pacing=pacing_for(gateway))
    sent += await call_due(caller or gateways.voice_configured(), owner=owner)
    if housekeeping:
        expired = await expire_due_offers()
        forgotten = await forget_expired()
        removed = await remove_expired_uploads()
        stale = await expire_stale()
        summaries = await send_monthly_statements()
        if summaries:
            log.info("queued %d monthly income summaries", summaries)
        if expired or forgotten or removed or stale:
            log.info(
                "expired %d offers, forgot %d idempotency keys, removed %d uploads, gave up %d unsent sign-in codes",
                expired,
                forgotten,
                removed,
                stale,
            )
    metrics.worker_round_done()
    return sent + answered


async def run_until(stop: asyncio.Event, gateway: SmsGateway | None = None, *, idle: float = IDLE_SECONDS) -> None:
    """Rounds until ``stop`` is set; the round under way finishes first.

    Stopping between rounds, not by cancellation, leaves no transaction half-opened (a
    pooled connection taken but never given back would hold the pool's close forever).
    A failing round is logged and the next one tries again.
    """
    gateway = gateway or gateways.configured()
    caller = gateways.voice_configured()
    owner = uuid.uuid4().hex  # this sender's outbox leases
    rounds = 0
    while not stop.is_set():
        try:
            housekeeping = rounds % HOUSEKEEPING_EVERY == 0
            sent = await run_once(gateway, owner=owner, housekeeping=housekeeping, caller=caller)
        except Exception:
            log.exception("worker round failed")
            metrics.WORKER_FAILED_ROUNDS.inc()
            sent = 0
        rounds += 1
        if not sent:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), idle)


@contextlib.asynccontextmanager
async def running(gateway: SmsGateway | None = None) -> AsyncIterator[asyncio.Event]:
    """Run the worker beside the caller; on exit ask it to stop and wait for its round."""
    stop = asyncio.Event()
    task = asyncio.create_task(run_until(stop, gateway))
    try:
        yield stop
    finally:
        stop.set()
        try:
            await asyncio.wait_for(task, STOP_WAIT_SECONDS)
        except TimeoutError:
            log.warning("worker round did not finish in %s s; cancelled", STOP_WAIT_SECONDS)
