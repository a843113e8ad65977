"""Build the Piccolo engine from ``CUNJIANG_DATABASE_URL`` (SQLite in WAL, or PostgreSQL).

With ``CUNJIANG_DATABASE_DIRECT_URL`` set, ``CUNJIANG_DATABASE_URL`` is taken to go through
PgBouncer in transaction mode: each transaction (or statement outside one) may land on
another server connection, so the pool keeps no prepared statements (asyncpg's cache off)
and no session state. What needs one server session for long, the change listener's
LISTEN and the migrations' advisory lock, connects to :func:`direct_config` instead.
"""

from __future__ import annotations

import sqlite3
from typing import Any
from urllib.parse import unquote, urlsplit

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine

from backend.core.settings import Settings, get_settings
from backend.db.sqlite import KeptConnectionsSQLiteEngine

SQLITE_BUSY_TIMEOUT_S = 30.0


def connect_config(url: str, variable: str = "CUNJIANG_DATABASE_URL") -> dict[str, Any]:
    """asyncpg's ``connect`` arguments for a ``postgresql://`` URL."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgresql", "postgres"}:
        raise ValueError(f"{variable}: unsupported scheme {parts.scheme!r}")
    config: dict[str, Any] = {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "database": parts.path.lstrip("/") or "postgres",
        "user": unquote(parts.username) if parts.username else "postgres",
    }
    if parts.password:
        config["password"] = unquote(parts.password)
    return config


def pooled_config(settings: Settings) -> dict[str, Any]:
    """The pool's connection arguments: through PgBouncer (a direct URL is set), no
    statement cache, whose named prepared statements live on one server connection."""
    config = connect_config(settings.database_url)
    if settings.database_direct_url:
        config["statement_cache_size"] = 0
    return config


def direct_config(settings: Settings | None = None) -> dict[str, Any]:
    """A connection that is one server session for as long as it lives: the direct URL,
    else the ordinary one (without PgBouncer it is direct already)."""
    settings = settings or get_settings()
    if settings.database_direct_url:
        return connect_config(settings.database_direct_url, "CUNJIANG_DATABASE_DIRECT_URL")
    return connect_config(settings.database_url)


def build_engine(settings: Settings) -> Engine:  # type: ignore[type-arg]
    if settings.is_sqlite:
        path = settings.sqlite_path
        path.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT_S) as connection:
            # WAL persists in the file: readers no longer wait for the writer.
            connection.execute("PRAGMA journal_mode=WAL")
        return KeptConnectionsSQLiteEngine(path=str(path), timeout=SQLITE_BUSY_TIMEOUT_S)
    return PostgresEngine(config=pooled_config(settings))


DB = build_engine(get_settings())
