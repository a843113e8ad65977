"""Checks on free text that a type alone cannot express kindly."""

from __future__ import annotations

import unicodedata

from backend.core.errors import Invalid
from backend.core.i18n import N_


def filled(value: str, field: str) -> str:
    """The text without surrounding spaces; refused when nothing else is left."""
    stripped = value.strip()
    if not stripped:
        raise Invalid(N_("Please fill this in."), fields={field: "blank"})
    return stripped


def name_key(text: str) -> str:
    """A name as people may type it: compatible forms folded (full-width Ｗ is W), any case,
    without spaces or punctuation. Two names are the same when their keys are ("王家 手作",
    "王家手作!" and "王家手作" are)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(char for char in folded if unicodedata.category(char)[0] in "LN")
