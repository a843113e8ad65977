"""Counters that validate caches: a change committed elsewhere is seen without polling the table."""

from __future__ import annotations

import asyncio
import sqlite3

import asyncpg
import httpx

from backend.db.counters import CHANNEL, JOB_CHANGES, bump, read_counter
from backend.db.engine import DB
from backend.db.session import is_sqlite, write_transaction


async def _bump_from_another_connection() -> None:
    """What another process does: commit a bump on its own connection."""
    if is_sqlite():
        with sqlite3.connect(DB.path) as connection:  # type: ignore[attr-defined]
            connection.execute("UPDATE counter SET value = value + 1 WHERE name = ?", (JOB_CHANGES,))
        return
    connection = await asyncpg.connect(**DB.config)  # type: ignore[attr-defined]
    try:
        async with connection.transaction():
            value = await connection.fetchval(
                "UPDATE counter SET value = value + 1 WHERE name = $1 RETURNING value", JOB_CHANGES
            )
            await connection.execute("SELECT pg_notify($1, $2)", CHANNEL, f"{JOB_CHANGES}:{value}")
    finally:
        await connection.close()


async def test_a_bump_committed_elsewhere_is_seen(client: httpx.AsyncClient) -> None:
    before = await read_counter()
    await _bump_from_another_connection()
    for _ in range(100):  # the notification arrives a moment after the commit
        if await read_counter() == before + 1:
            break
        await asyncio.sleep(0.01)
    assert await read_counter() == before + 1


async def test_this_process_sees_its_own_bump_right_after_commit(client: httpx.AsyncClient) -> None:
    before = await read_counter()
    async with write_transaction():
        assert await bump() == before + 1
        assert await read_counter() == before  # not committed yet
    assert await read_counter() == before + 1


async def test_a_rolled_back_bump_is_not_seen(client: httpx.AsyncClient) -> None:
    before = await read_counter()
    try:
        async with write_transaction():
            await bump()
            raise RuntimeError("refused")
    except RuntimeError:
        pass
    assert await read_counter() == before
