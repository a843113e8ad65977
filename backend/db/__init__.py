"""The database: the engine, transactions, raw statements and the fast read path
(``session``), cache counters and events (``counters``), one Piccolo app for every table."""

__all__ = ["counters", "engine", "piccolo_app", "session", "sqlite", "tables"]
