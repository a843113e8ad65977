"""The outbox: queued with the change, delivered once, retried with backoff, shared by workers."""

from __future__ import annotations

import asyncio
import datetime as dt

import httpx
import pytest

from backend.core.types import utcnow
from backend.db.session import is_sqlite, write_transaction
from backend.gateways import ConsoleGateway, SendError, SendResult, Sms
from backend.gateways.twilio import TwilioGateway
from backend.messages.templates import render
from backend.outbox import Pacing, claim_due, deliver_due, enqueue
from backend.outbox.delivery import _send_and_record, bundles
from backend.outbox.service import MAX_ATTEMPTS
from backend.outbox.status import DUE
from backend.outbox.tables import OutboxMessage
from tests import support
from tests.fakes.twilio_server import fake_twilio

FAST = Pacing(per_second=1000)


class FlakyGateway:
    """Fails the first ``failures`` sends, then delivers; records what it sent."""

    name = "flaky"

    def __init__(self, failures: int = 0, *, permanent: bool = False) -> None:
        self.failures = failures
        self.permanent = permanent
        self.sent: list[tuple[str, str]] = []

    async def send(self, message: Sms) -> SendResult:
        if self.failures > 0:
            self.failures -= 1
            raise SendError("gateway down", permanent=self.permanent)
        self.sent.append((message.to_phone, message.body))
        return SendResult(provider_sid=f"SM{len(self.sent):032d}")


async def _queue(body: str) -> int:
    async with write_transaction():
        return await enqueue(support.new_phone(), support.sms(body))


async def _drain(gateway: object) -> None:
    await support.drain(gateway)


async def claim_due_count() -> int:
    return await OutboxMessage.count().where(
        OutboxMessage.status.is_in(["pending", "sending"]) & (OutboxMessage.next_attempt_at <= utcnow())
    )


async def test_dispatch_texts_sms_only_artisans_in_their_language(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True)
    english = await support.artisan(brand, sms_only=True, locale="en")
    order = await support.open_order(client, brand, title="蜡染靠垫", unit_price_fen=3850)
    await support.offer(client, brand, order["id"], (villager, 5), (english, 3))

    texts = {
        row["to_phone"]: row["body"]
        for row in await OutboxMessage.select(OutboxMessage.to_phone, OutboxMessage.body).where(
            OutboxMessage.to_phone.is_in([villager.phone, english.phone])
        )
    }
    assert "K1" in texts[villager.phone]
    assert "¥38.50" in texts[villager.phone]
    assert "蜡染靠垫" in texts[villager.phone]
    assert "38.50" in texts[english.phone]
    assert "Reply 1" in texts[english.phone]


async def test_a_message_is_delivered_once_and_marked_sent() -> None:
    message_id = await _queue("hello")
    gateway = FlakyGateway()
    await _drain(gateway)
    await _drain(gateway)
    row = await OutboxMessage.select().where(OutboxMessage.id == message_id).first()
    assert row is not None
    assert (row["status"], row["attempts"]) == ("sent", 1)
    assert [body for _phone, body in gateway.sent].count("hello") == 1


async def test_a_failed_send_is_retried_later_with_backoff() -> None:
    message_id = await _queue("retry me")
    gateway = FlakyGateway(failures=1)
    await deliver_due(gateway, pacing=FAST)
    row = await OutboxMessage.select().where(OutboxMessage.id == message_id).first()
    assert row is not None
    assert (row["status"], row["attempts"]) == ("pending", 1)
    assert row["next_attempt_at"] > utcnow() + dt.timedelta(seconds=10)

    await OutboxMessage.update({OutboxMessage.next_attempt_at: utcnow()}).where(OutboxMessage.id == message_id)
    await _drain(gateway)
    assert (await OutboxMessage.select(OutboxMessage.status).where(OutboxMessage.id == message_id).first()) == {
        "status": "sent"
    }


async def test_a_permanent_failure_is_not_retried() -> None:
    message_id = await _queue("bad number")
    await _drain(FlakyGateway(failures=1, permanent=True))
    row = await OutboxMessage.select(OutboxMessage.status).where(OutboxMessage.id == message_id).first()
    assert row == {"status": "failed"}


async def test_the_console_gateway_delivers_without_credentials() -> None:
    message_id = await _queue("console")
    await _drain(ConsoleGateway())
    row = await OutboxMessage.select().where(OutboxMessage.id == message_id).first()
    assert row is not None
    assert row["status"] == "sent"
    assert row["provider_sid"].startswith("console-")


@pytest.mark.skipif(is_sqlite(), reason="SKIP LOCKED claims are PostgreSQL's; SQLite runs one worker")
async def test_concurrent_workers_claim_disjoint_messages() -> None:
    ids = {await _queue(f"m{i}") for i in range(30)}
    batches = await asyncio.gather(*[claim_due(limit=10) for _ in range(3)])
    claimed = [row["id"] for batch in batches for row in batch if row["id"] in ids]
    assert len(claimed) == len(set(claimed))


async def test_two_senders_and_a_slow_gateway_send_each_message_once() -> None:
    """Twilio answering slowly sent one offer twice: the batch's single lease ran out while
    its last messages waited their turn, and another sender took them. Each message now has
    its own lease, the batch goes out at once, and every call ends before its lease does."""
    with fake_twilio() as twilio:
        twilio.delay_s = 0.3  # 20 messages one by one would take 6 s: longer than the lease
        # A timeout with room for a busy two-core machine, still far below 20 sends in a row.
        gateway = TwilioGateway("AC" + "0" * 32, "token", "+15005550006", api_base=twilio.url, timeout_s=3.0)
        bodies = {f"slow {n}" for n in range(30)}
        ids = [await _queue(body) for body in sorted(bodies)]
        lease = dt.timedelta(seconds=5)

        async def sender(owner: str, batch: int) -> None:
            pacing = Pacing(batch=batch, per_second=100, lease=lease, send_timeout_s=3.0)
            while await claim_due_count():
                await deliver_due(gateway, owner=owner, pacing=pacing)

        # The second sender, with less to do, is free again while the first one's leases run.
        await asyncio.gather(sender("sender-a", 20), sender("sender-b", 10))

    sent = [message["Body"] for message in twilio.messages if message["Body"] in bodies]
    assert sorted(sent) == sorted(bodies)
    rows = await OutboxMessage.select(OutboxMessage.status, OutboxMessage.attempts, OutboxMessage.provider_sid).where(
        OutboxMessage.id.is_in(ids)
    )
    assert {(row["status"], row["attempts"]) for row in rows} == {("sent", 1)}
    assert all(row["provider_sid"].startswith("SM") for row in rows)


async def test_a_sender_whose_lease_was_taken_over_records_nothing() -> None:
    message_id = await _queue("taken over")
    [first] = await claim_due(limit=1, owner="first", lease=dt.timedelta(seconds=30))
    await OutboxMessage.update({OutboxMessage.next_attempt_at: utcnow()}).where(OutboxMessage.id == message_id)
    [second] = await claim_due(limit=1, owner="second")

    late = FlakyGateway(failures=1, permanent=True)  # the first sender's late answer: a refusal
    [call] = bundles([first], late)
    assert not await _send_and_record(call, late, "first", 5.0, {message_id: 1}, utcnow)

    row = await OutboxMessage.select().where(OutboxMessage.id == message_id).first()
    assert row is not None
    assert (row["status"], row["lease_owner"], row["attempts"]) == ("sending", "second", 2)
    assert (first["attempts"], second["attempts"]) == (1, 2)


async def test_a_provider_slower_than_the_timeout_is_retried_not_recorded_as_sent() -> None:
    message_id = await _queue("too slow")

    class SlowGateway:
        name = "slow"

        async def send(self, message: Sms) -> SendResult:
            await asyncio.sleep(5)
            return SendResult(provider_sid="never")

    await deliver_due(SlowGateway(), pacing=Pacing(batch=1, send_timeout_s=0.2, lease=dt.timedelta(seconds=2)))

    row = await OutboxMessage.select().where(OutboxMessage.id == message_id).first()
    assert row is not None
    assert (row["status"], row["attempts"], row["provider_sid"]) == ("pending", 1, None)
    assert "no answer within 0.2 s" in row["last_error"]
    assert row["next_attempt_at"] > utcnow()


async def test_a_message_that_never_finishes_runs_out_of_attempts() -> None:
    """Attempts are counted when a sender takes a message: one that kills its sender each
    time (never recorded) is failed after the last attempt, not retried for ever."""
    message_id = await _queue("poison")
    for attempt in range(1, MAX_ATTEMPTS + 1):
        [taken] = [m for m in await claim_due(limit=50, owner=f"crashing-{attempt}") if m["id"] == message_id]
        assert taken["attempts"] == attempt
        await OutboxMessage.update({OutboxMessage.next_attempt_at: utcnow()}).where(OutboxMessage.id == message_id)

    assert message_id not in [m["id"] for m in await claim_due(limit=50, owner="one-more")]
    row = (
        await OutboxMessage.select(OutboxMessage.status, OutboxMessage.attempts)
        .where(OutboxMessage.id == message_id)
        .first()
    )
    assert row == {"status": "failed", "attempts": MAX_ATTEMPTS}


def test_a_pacing_that_does_not_fit_its_lease_is_refused() -> None:
    with pytest.raises(ValueError, match="does not fit its lease"):
        Pacing(batch=20, per_second=1, lease=dt.timedelta(seconds=30), send_timeout_s=15)


async def test_a_sign_in_code_and_an_answer_are_taken_before_a_backlog_of_offers() -> None:
    """A dispatch to thousands queues thousands of offers; a villager signing in meanwhile, or
    answering an SMS, waits at her phone: her messages are taken first, the rest oldest first."""
    backlog = [await _queue(f"backlog {n}") for n in range(30)]
    async with write_transaction():
        code = await enqueue(support.new_phone(), render("otp", "zh_Hans", code="246810"))
        answer = await enqueue(support.new_phone(), support.sms("your answer"), answers=True)
    awaited = await OutboxMessage.count().where(
        OutboxMessage.status.is_in(list(DUE))
        & (OutboxMessage.next_attempt_at <= utcnow())
        & ((OutboxMessage.kind == "otp") | (OutboxMessage.answers == True))  # noqa: E712
    )
    taken = {row["id"] for row in await claim_due(limit=awaited)}
    assert {code, answer} <= taken
    assert not taken & set(backlog)
    rest = {row["id"] for row in await claim_due(limit=1000)}
    assert set(backlog) <= rest  # then the backlog, every message of it
