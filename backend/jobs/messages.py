"""Texts sent to artisans about their jobs (until the SMS flows take them over)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from backend.core.i18n import N_, format_day, format_money, format_number, translate
from backend.outbox import Outgoing

# One SMS segment even as UCS-2 (a Chinese title in an English text): 70 characters.
OFFER_TEXT = N_("Job {code}: {quantity}x {title} @{price} by {due}. Reply 1=yes 2=no")
TITLE_CHARS = 10


def short_title(title: str) -> str:
    """Titles are cut so that an offer fits one SMS segment."""
    return title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1] + "…"


def offer_text(locale: str, code: str, order: dict[str, Any], quantity: int) -> str:
    price, due = _order_words(locale, order["unit_price_fen"], order["due_date"])
    return translate(
        OFFER_TEXT,
        locale,
        code=code,
        title=short_title(order["title"]),
        quantity=format_number(quantity, locale),
        price=price,
        due=due,
    )


@lru_cache(maxsize=256)
def _order_words(locale: str, unit_price_fen: int, due_date: dt.date) -> tuple[str, str]:
    """The piece rate and due day as the locale writes them: the same for every offer of a dispatch."""
    return format_money(unit_price_fen, locale), format_day(due_date, locale)


def offer_sms(artisan: dict[str, Any], code: str, order: dict[str, Any], quantity: int) -> Outgoing:
    """The SMS telling an artisan of a new offer, in their language."""
    return Outgoing(
        to_phone=artisan["phone"],
        body=offer_text(artisan["locale"], code, order, quantity),
        kind="offer",
        brand_id=order["brand"],
        member_id=artisan["id"],
    )
