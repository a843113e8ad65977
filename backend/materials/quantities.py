"""Quantities of materials: decimals as typed (2.5 把), kept as integer thousandths of the unit."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from backend.core.errors import Invalid
from backend.core.i18n import N_

MILLI = 1000
MOST = 1_000_000 * MILLI  # a million of any unit is a typing mistake


def to_milli(quantity: Decimal, field: str, *, zero: bool = False) -> int:
    """``quantity`` in thousandths; refused when not a finite number above 0 (or at 0, with
    ``zero``), with more than three decimals, or above a million."""
    try:
        milli = quantity * MILLI
        whole = milli.is_finite() and milli == milli.to_integral_value()
    except InvalidOperation:
        whole = False
    if not whole or milli > MOST or milli < 0 or (milli == 0 and not zero):
        raise Invalid(
            N_("Write a quantity above 0, with at most three decimals, e.g. 2.5."), fields={field: "invalid_quantity"}
        )
    return int(milli)


def as_text(milli: int) -> str:
    """Thousandths as a decimal text without trailing zeros: 2500 → "2.5", 3000 → "3"."""
    text = str(Decimal(milli).scaleb(-3).normalize())
    return format(Decimal(text), "f")
