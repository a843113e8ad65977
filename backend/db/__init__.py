"""The database: the engine, transactions, raw statements and the fast read path
(``session``), cache counters and events (``counters``), the migrations, and what a table
declares beside its columns (``declared``). The Piccolo app that registers every table is
``backend.piccolo_app``."""

__all__ = ["counters", "declared", "engine", "session", "sqlite", "tables"]
