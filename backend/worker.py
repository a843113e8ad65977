"""The background loop: answer SMS missed on arrival, deliver the outbox, expire offers, forget old keys."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator

from backend.core.settings import get_settings
from backend.idempotency.service import forget_expired
from backend.jobs.service import expire_due_offers
from backend.outbox import ConsoleGateway, SmsGateway, deliver_due
from backend.outbox.twilio_gateway import TwilioGateway
from backend.sms.engine import process_pending

log = logging.getLogger("cunjiang.worker")

IDLE_SECONDS = 1.0
HOUSEKEEPING_EVERY = 60  # rounds
STOP_WAIT_SECONDS = 25.0  # a round: a batch paced over 2 s, then at most a 15 s send timeout


def default_gateway() -> SmsGateway:
    """Twilio when chosen (``CUNJIANG_SMS_PROVIDER``, by default when its credentials are set),
    else the console gateway (the server log and the SMS simulator)."""
    settings = get_settings()
    if (
        settings.sms_provider == "twilio"
        and settings.twilio_account_sid
        and settings.twilio_auth_token
        and settings.twilio_from
    ):
        return TwilioGateway(
            settings.twilio_account_sid,
            settings.twilio_auth_token,
            settings.twilio_from,
            api_base=settings.twilio_api_base,
            status_callback=f"{settings.public_url}/sms/twilio/status",
        )
    return ConsoleGateway()


async def run_once(gateway: SmsGateway, *, owner: str | None = None, housekeeping: bool = True) -> int:
    """One round: send what is due (as ``owner``, the sender's lease token), then tidy up."""
    answered = await process_pending()  # normally answered as they arrive; these were missed
    sent = await deliver_due(gateway, owner=owner)
    if housekeeping:
        expired = await expire_due_offers()
        forgotten = await forget_expired()
        if expired or forgotten:
            log.info("expired %d offers, forgot %d idempotency keys", expired, forgotten)
    return sent + answered


async def run_until(stop: asyncio.Event, gateway: SmsGateway | None = None, *, idle: float = IDLE_SECONDS) -> None:
    """Rounds until ``stop`` is set; the round under way finishes first.

    Stopping between rounds, not by cancellation, leaves no transaction half-opened (a
    pooled connection taken but never given back would hold the pool's close forever).
    A failing round is logged and the next one tries again.
    """
    gateway = gateway or default_gateway()
    owner = uuid.uuid4().hex  # this sender's outbox leases
    rounds = 0
    while not stop.is_set():
        try:
            sent = await run_once(gateway, owner=owner, housekeeping=rounds % HOUSEKEEPING_EVERY == 0)
        except Exception:
            log.exception("worker round failed")
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
