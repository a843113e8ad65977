"""The SMS that tells an artisan of a new offer."""

from __future__ import annotations

from typing import Any

from backend.outbox import Outgoing
from backend.sms.templates import render


def offer_sms(artisan: dict[str, Any], code: str, order: dict[str, Any], quantity: int) -> Outgoing:
    """The offer SMS (template ``offer``), in the artisan's language."""
    message = render(
        "offer",
        artisan["locale"],
        code=code,
        quantity=quantity,
        title=order["title"],
        price=order["unit_price_fen"],
        due=order["due_date"],
    )
    return Outgoing(to_phone=artisan["phone"], message=message, brand_id=order["brand"], member_id=artisan["id"])
