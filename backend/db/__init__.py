"""The database: the engine, transactions, raw statements and the fast read path
(``session``), cache counters and events (``counters``), the migrations (the Piccolo app that
registers every table is ``backend.piccolo_app``)."""

__all__ = ["counters", "engine", "session", "sqlite", "tables"]
