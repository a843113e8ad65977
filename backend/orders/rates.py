"""An order's estimated hours per piece and the hourly rate its piece rate implies.

The wire speaks hours (2.5); the table keeps whole tenths of an hour (25), so no float is
ever stored and the rate is exact integer arithmetic."""

from __future__ import annotations

from backend.core.errors import Invalid
from backend.core.i18n import N_

TENTHS = 10


def tenths_of(hours: float | None) -> int | None:
    """Hours as stored (tenths); refused when they carry more than one decimal (2.25)."""
    if hours is None:
        return None
    tenths = round(hours * TENTHS)
    if abs(hours * TENTHS - tenths) > 1e-6 or tenths <= 0:
        raise Invalid(
            N_("Give the hours per piece with at most one decimal, e.g. 2.5."),
            fields={"hours_per_piece": "one_decimal"},
        )
    return tenths


def hours_of(tenths: int | None) -> float | None:
    return None if tenths is None else tenths / TENTHS


def hourly_rate_fen(unit_price_fen: int, tenths: int | None) -> int | None:
    """The piece rate per hour of estimated work, in whole fen rounded half up; None without an estimate."""
    if not tenths:
        return None
    return (2 * unit_price_fen * TENTHS + tenths) // (2 * tenths)
