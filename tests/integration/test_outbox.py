"""The outbox: queued with the change, delivered once, retried with backoff, shared by workers."""

from __future__ import annotations

import asyncio
import datetime as dt

import httpx
import pytest

from backend.core.types import utcnow
from backend.db.session import is_sqlite, write_transaction
from backend.outbox import ConsoleGateway, SendError, SendResult, claim_due, deliver_due, enqueue
from backend.outbox.tables import OutboxMessage
from tests import support


class FlakyGateway:
    """Fails the first ``failures`` sends, then delivers; records what it sent."""

    name = "flaky"

    def __init__(self, failures: int = 0, *, permanent: bool = False) -> None:
        self.failures = failures
        self.permanent = permanent
        self.sent: list[tuple[str, str]] = []

    async def send(self, to_phone: str, body: str) -> SendResult:
        if self.failures > 0:
            self.failures -= 1
            raise SendError("gateway down", permanent=self.permanent)
        self.sent.append((to_phone, body))
        return SendResult(provider_sid=f"SM{len(self.sent):032d}")


async def _queue(body: str) -> int:
    async with write_transaction():
        return await enqueue(support.new_phone(), body, kind="test")


async def _drain(gateway: object) -> None:
    while await claim_due_count() and await deliver_due(gateway, per_second=1000):  # type: ignore[arg-type]
        pass


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
    await deliver_due(gateway, per_second=1000)
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
