"""The database: the engine, transactions, raw statements and the fast read path
(``session``), cache counters and events (``counters``), one Piccolo app for every table, and
what a table declares beside its columns (``declared``)."""

__all__ = ["counters", "declared", "engine", "piccolo_app", "session", "sqlite", "tables"]
