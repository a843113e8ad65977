"""Shared building blocks: settings, errors, i18n, ports, wire types, clock."""
