"""How a maker is shown in public, by her consent (``consent``): the one rule the region's page,
the piece passports and her own words share."""

from __future__ import annotations


def shown_name(named: bool, display_name: str | None, name: str) -> str | None:
    """The name she agreed to show (the one she gave, else hers), or None if she did not."""
    if not named:
        return None
    return display_name or name


def shown_words(agreed: bool, approved: str | None) -> str | None:
    """Her own words as she approved them, only while she lets them be shown."""
    return approved if agreed and approved else None


def shown_village(agreed: bool, village: str | None) -> str | None:
    """Her village only if she agreed; county and province are always shown."""
    return village if agreed else None
