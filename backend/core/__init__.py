"""Shared building blocks: settings, domain errors and their words, i18n, access checks,
wire types, phones, clock."""

__all__ = ["access", "babel_toml", "errors", "i18n", "labels", "phones", "settings", "text", "types"]
