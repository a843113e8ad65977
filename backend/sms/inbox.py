"""Inbox-first: a villager's SMS is stored once per provider id and acknowledged at once.

Providers wait only briefly for an answer (Aliyun about 700 ms) and repeat themselves, so the
webhook does nothing but store the raw message, exactly once (``backend.idempotency``), and
answer. The conversation reads the inbox just after, on the same services as the app; a
crash between the two loses nothing.
"""

from __future__ import annotations

import hashlib

import msgspec

from backend.core.errors import Invalid
from backend.core.i18n import N_
from backend.core.types import utcnow
from backend.db.session import fetch, run
from backend.idempotency import StoredResponse, run_once

MAX_BODY = 1600  # ten segments; longer texts are kept cut
STORE = """
INSERT INTO sms_inbox (provider, provider_id, from_phone, to_phone, body, received_at, typed_by, typed_brand)
VALUES ({}, {}, {}, {}, {}, {}, {}, {}) ON CONFLICT (provider, provider_id) DO NOTHING RETURNING id
"""
BACKLOG = "SELECT COUNT(*) AS waiting FROM sms_inbox WHERE processed_at IS NULL"
# Twilio's answer: TwiML that sends nothing back by itself (replies leave through the outbox).
EMPTY_TWIML = b'<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


class Received(msgspec.Struct, frozen=True):
    answer: StoredResponse  # what the provider gets, the same for a repeat
    inbox_id: int | None  # the stored message, None for a repeat


class Typist(msgspec.Struct, frozen=True):
    """Who typed a message in the SMS simulator, as the villager whose phone it pretends to be."""

    member_id: int
    brand_id: int


async def receive(
    provider: str, provider_id: str, from_phone: str, to_phone: str, body: str, *, typed_by: Typist | None = None
) -> Received:
    """Store one inbound SMS; a repeat of the same provider id has no second effect."""
    if not provider_id.strip() or not from_phone.strip():
        raise Invalid(N_("The message has no id or no sender."), fields={"message": "incomplete"})
    fingerprint = hashlib.sha256(f"{from_phone}\n{body}".encode()).hexdigest()

    stored: list[int] = []

    async def store() -> StoredResponse:
        rows = await run(
            STORE,
            provider,
            provider_id,
            from_phone[:32],
            to_phone[:32],
            body[:MAX_BODY],
            utcnow(),
            typed_by.member_id if typed_by else None,
            typed_by.brand_id if typed_by else None,
        )
        stored.extend(row["id"] for row in rows)
        return StoredResponse(200, [("content-type", "text/xml; charset=utf-8")], EMPTY_TWIML)

    answer = await run_once(f"sms:{provider}", provider_id[:255], fingerprint, store)
    return Received(answer, None if answer.replayed or not stored else stored[0])


async def backlog() -> int:
    """Villagers' messages stored but not yet answered by the conversation (the operators'
    metric: a few for a moment after a burst; a number that stays says nobody answers)."""
    rows = await fetch(BACKLOG)
    return int(rows[0]["waiting"])
