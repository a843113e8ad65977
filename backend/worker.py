"""The background loop: answer missed SMS, deliver the outbox, expire offers and uploads, forget old keys."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator

from backend.core.settings import get_settings
from backend.idempotency.service import forget_expired
from backend.jobs.service import expire_due_offers
from backend.messages import registered
from backend.outbox import ConsoleGateway, Pacing, SmsGateway, deliver_due
from backend.outbox.aliyun_gateway import AliyunGateway
from backend.outbox.delivery import DEFAULT_PACING
from backend.outbox.ports import BatchGateway
from backend.outbox.secrets import expire_stale
from backend.outbox.twilio_gateway import TwilioGateway
from backend.photos.uploads import remove_expired as remove_expired_uploads
from backend.sms.engine import process_pending

log = logging.getLogger("cunjiang.worker")

IDLE_SECONDS = 1.0
HOUSEKEEPING_EVERY = 60  # rounds
STOP_WAIT_SECONDS = 25.0  # a round: a batch paced over 2 s, then at most a 15 s send timeout


def gateway_problems() -> list[str]:
    """Why the configured SMS gateway cannot run (a missing setting or template code), or nothing."""
    settings = get_settings()
    if settings.sms_provider == "console":
        return []
    if settings.sms_provider == "twilio":
        missing = [name for name, value in TWILIO_SETTINGS.items() if not getattr(settings, value)]
        return [f"CUNJIANG_SMS_PROVIDER=twilio needs {name}" for name in missing]
    if settings.sms_provider == "aliyun":
        missing = [name for name, value in ALIYUN_SETTINGS.items() if not getattr(settings, value)]
        found = [f"CUNJIANG_SMS_PROVIDER=aliyun needs {name}" for name in missing]
        return found + registered.problems(settings.aliyun_templates)
    return [f"CUNJIANG_SMS_PROVIDER={settings.sms_provider}: one of console, twilio, aliyun"]


TWILIO_SETTINGS = {
    "TWILIO_ACCOUNT_SID": "twilio_account_sid",
    "TWILIO_AUTH_TOKEN": "twilio_auth_token",
    "TWILIO_FROM": "twilio_from",
}
ALIYUN_SETTINGS = {
    "ALIBABA_CLOUD_ACCESS_KEY_ID": "aliyun_access_key_id",
    "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "aliyun_access_key_secret",
    "ALIYUN_SMS_SIGN_NAME": "aliyun_sign_name",
}


def default_gateway() -> SmsGateway:
    """The gateway ``CUNJIANG_SMS_PROVIDER`` chooses (Twilio by default when its credentials
    are set), else the console gateway (the server log and the SMS simulator). Call after
    :func:`gateway_problems` found nothing."""
    settings = get_settings()
    if settings.sms_provider == "twilio" and not gateway_problems():
        return TwilioGateway(
            settings.twilio_account_sid or "",
            settings.twilio_auth_token or "",
            settings.twilio_from or "",
            api_base=settings.twilio_api_base,
            status_callback=f"{settings.public_url}/sms/twilio/status",
        )
    if settings.sms_provider == "aliyun" and settings.aliyun_templates and not gateway_problems():
        return AliyunGateway(
            settings.aliyun_access_key_id or "",
            settings.aliyun_access_key_secret or "",
            settings.aliyun_sign_name or "",
            endpoint=settings.aliyun_endpoint,
            codes=registered.codes(settings.aliyun_templates),
        )
    return ConsoleGateway()


def pacing_for(gateway: SmsGateway) -> Pacing:
    """A gateway that sends one template to many numbers in one call takes bigger batches:
    the pace is in provider calls, and a dispatch to 1,400 artisans is a few dozen of them."""
    if isinstance(gateway, BatchGateway):
        return Pacing(batch=4 * gateway.max_batch, per_second=DEFAULT_PACING.per_second, per_call=gateway.max_batch)
    return DEFAULT_PACING


async def run_once(gateway: SmsGateway, *, owner: str | None = None, housekeeping: bool = True) -> int:
    """One round: send what is due (as ``owner``, the sender's lease token), then tidy up."""
    answered = await process_pending()  # normally answered as they arrive; these were missed
    sent = await deliver_due(gateway, owner=owner, pacing=pacing_for(gateway))
    if housekeeping:
        expired = await expire_due_offers()
        forgotten = await forget_expired()
        removed = await remove_expired_uploads()
        stale = await expire_stale()
        if expired or forgotten or removed or stale:
            log.info(
                "expired %d offers, forgot %d idempotency keys, removed %d uploads, gave up %d unsent sign-in codes",
                expired,
                forgotten,
                removed,
                stale,
            )
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
