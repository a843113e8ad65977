"""A database of a test's own, for commands to start on as an operator's would."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from backend.db.session import is_sqlite


def _on(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + f"/{name}"


async def _admin(url: str, sql: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture
async def fresh_database(tmp_path: Path) -> AsyncIterator[dict[str, str]]:
    """The environment of a command on a new, empty database of this lane's engine (never
    migrated; behind PgBouncer, both URLs, to it), dropped after."""
    if is_sqlite():
        yield {"CUNJIANG_DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}"}
        return
    pooled, direct = os.environ["CUNJIANG_DATABASE_URL"], os.environ.get("CUNJIANG_DATABASE_DIRECT_URL")
    server = direct or pooled
    name = f"cunjiang_fresh_{secrets.token_hex(4)}"
    await _admin(server, f'CREATE DATABASE "{name}"')
    env = {"CUNJIANG_DATABASE_URL": _on(pooled, name)}
    if direct:
        env["CUNJIANG_DATABASE_DIRECT_URL"] = _on(direct, name)
    try:
        yield env
    finally:
        await _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
