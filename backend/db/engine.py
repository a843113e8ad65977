"""Build the Piccolo engine from ``CUNJIANG_DATABASE_URL`` (SQLite in WAL, or PostgreSQL)."""

from __future__ import annotations

import sqlite3
from urllib.parse import unquote, urlsplit

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine

from backend.core.settings import Settings, get_settings
from backend.db.sqlite import KeptConnectionsSQLiteEngine

SQLITE_BUSY_TIMEOUT_S = 30.0


def build_engine(settings: Settings) -> Engine:  # type: ignore[type-arg]
    if settings.is_sqlite:
        path = settings.sqlite_path
        path.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(path) as connection:
            # WAL persists in the file: readers no longer wait for the writer.
            connection.execute("PRAGMA journal_mode=WAL")
        return KeptConnectionsSQLiteEngine(path=str(path), timeout=SQLITE_BUSY_TIMEOUT_S)
    url = urlsplit(settings.database_url)
    if url.scheme not in {"postgresql", "postgres"}:
        raise ValueError(f"CUNJIANG_DATABASE_URL: unsupported scheme {url.scheme!r}")
    config = {
        "host": url.hostname or "127.0.0.1",
        "port": url.port or 5432,
        "database": url.path.lstrip("/") or "postgres",
        "user": unquote(url.username) if url.username else "postgres",
    }
    if url.password:
        config["password"] = unquote(url.password)
    return PostgresEngine(config=config)


DB = build_engine(get_settings())
