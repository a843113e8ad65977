"""How a maker is shown in public, by her consent (``consent``): the one rule the region's page
and the piece passports share."""

from __future__ import annotations


def shown_name(named: bool, display_name: str | None, name: str) -> str | None:
    """The name she agreed to show (the one she gave, else hers), or None if she did not."""
    if not named:
        return None
    return display_name or name


def shown_village(agreed: bool, village: str | None) -> str | None:
    """Her village only if she agreed; county and province are always shown."""
    return village if agreed else None
