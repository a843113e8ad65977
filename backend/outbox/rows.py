"""How a queued SMS is written: one row of ``outbox_message`` per message."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import msgspec

from backend.core.i18n import N_, translate
from backend.db.session import insert_rows
from backend.messages.templates import Rendered, keys_with, segments

# What a secret message (a sign-in code) reads as wherever people see the outbox: the
# digits are kept in its variables only until it is sent (``backend.outbox.secrets``).
SECRET_SENT = N_("A sign-in code was sent (its digits are shown to nobody).")

OUTGOING_COLUMNS = (
    "to_phone",
    "body",
    "kind",
    "variables",
    "locale",
    "brand",
    "member",
    "segments",
    "answers",
    "next_attempt_at",
    "created_at",
)


class Outgoing(msgspec.Struct, frozen=True, kw_only=True):
    """One SMS to queue: to whom, and the message (``backend.messages.templates.render``).
    ``answers``: it answers the villager's own SMS (not held for quiet hours, not merged)."""

    to_phone: str
    message: Rendered
    brand_id: int | None = None
    member_id: int | None = None
    answers: bool = False

    def row(self, now: dt.datetime) -> tuple[Any, ...]:
        """Its columns, in ``OUTGOING_COLUMNS`` order, due ``now``: the text (for gateways that
        send text, and for people to read), and the template key with the formatted
        variables (for gateways that send templates)."""
        message = self.message
        variables = json.dumps(message.variables, ensure_ascii=False)
        secret = message.key in keys_with("secret")
        return (
            self.to_phone,
            translate(SECRET_SENT, message.locale) if secret else message.body,
            message.key,
            variables,
            message.locale,
            self.brand_id,
            self.member_id,
            segments(message.body),
            self.answers,
            now,
            now,
        )


async def insert(queued: list[Outgoing], now: dt.datetime) -> list[int]:
    """Write the messages in as few statements as the engines allow; their ids (in no promised order)."""
    rows = [m.row(now) for m in queued]
    return [row["id"] for row in await insert_rows("outbox_message", OUTGOING_COLUMNS, rows, returning="id")]
