"""Checks on free text that a type alone cannot express kindly."""

from __future__ import annotations

from backend.core.errors import Invalid
from backend.core.i18n import N_


def filled(value: str, field: str) -> str:
    """The text without surrounding spaces; refused when nothing else is left."""
    stripped = value.strip()
    if not stripped:
        raise Invalid(N_("Please fill this in."), fields={field: "blank"})
    return stripped
