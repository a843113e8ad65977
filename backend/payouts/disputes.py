"""How a dispute over money closes, for a payout and an advance alike: the brand resolves it as
``paid`` (paid again, or shown to have been paid: back to waiting for her word) or
``confirmed`` (settled: the money arrived, confirmed by the brand), with a note saying what
was done. Both tables name these columns alike, so the rule is written once, here."""

from __future__ import annotations

from typing import Any

from backend.core.types import Principal, utcnow
from backend.payouts.schemas import Resolution

DISPUTED = "disputed"
RESOLVED_STATUS = {Resolution.PAID: "paid", Resolution.CONFIRMED: "confirmed"}


def resolved_columns(actor: Principal, resolution: Resolution, note: str) -> dict[str, Any]:
    """The columns a resolution sets on the disputed row (``payout`` or ``advance``): its status,
    the note and, when the brand settles it as confirmed, when and through which channel."""
    columns: dict[str, Any] = {"status": RESOLVED_STATUS[resolution], "resolution_note": note}
    if resolution == Resolution.CONFIRMED:
        columns |= {"confirmed_at": utcnow(), "confirmed_via": actor.via.value}
    return columns
