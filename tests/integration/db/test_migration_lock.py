"""Several hosts start at once: each runs ``cunjiang migrate`` (``serve`` migrates first), and
the database lock makes them take turns, so the schema reaches head once, without errors."""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import sys
from collections.abc import Iterator

import asyncpg
import pytest

from backend.db.migrating import migration_lock
from backend.db.probes import known_migrations
from tests.servers import ROOT

COMMANDS_AT_ONCE = 4
WAIT_S = 60.0  # a bound on a wait that ends on an event, for a busy machine


async def _migrate(env: dict[str, str]) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "backend.cli",
        "migrate",
        cwd=ROOT,
        env=os.environ | env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    return process.returncode or 0, output.decode(errors="replace")


async def _applied(env: dict[str, str]) -> list[str]:
    url = env.get("CUNJIANG_DATABASE_DIRECT_URL") or env["CUNJIANG_DATABASE_URL"]
    sql = "SELECT name FROM migration ORDER BY name"
    if url.startswith("sqlite:"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            return [row[0] for row in connection.execute(sql)]
    connection = await asyncpg.connect(url)
    try:
        return [row["name"] for row in await connection.fetch(sql)]
    finally:
        await connection.close()


@pytest.mark.slow
async def test_several_migrate_commands_at_once_bring_a_fresh_database_to_head_once(
    fresh_database: dict[str, str],
) -> None:
    results = await asyncio.gather(*(_migrate(fresh_database) for _ in range(COMMANDS_AT_ONCE)))

    for code, output in results:
        assert code == 0, output
        assert "Traceback" not in output
        assert "already exists" not in output
    assert sorted(await _applied(fresh_database)) == sorted(known_migrations())  # each once
    ran = [output for _code, output in results if "No migrations need to be run" not in output]
    assert len(ran) == 1, "one command applied them; the others waited and found nothing to do"


class _Announced(logging.Handler):
    """Sets an event when a migration run says it waits for another."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if "waiting for another process's migrations" in record.getMessage():
            self.waiting.set()


@pytest.fixture
def announced() -> Iterator[_Announced]:
    handler = _Announced()
    logger = logging.getLogger("cunjiang.db")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    yield handler
    logger.setLevel(level)
    logger.removeHandler(handler)


async def test_a_migration_run_waits_until_the_one_holding_the_lock_ends(announced: _Announced) -> None:
    entered = asyncio.Event()

    async def second() -> None:
        async with migration_lock():
            entered.set()

    async with migration_lock():
        waiter = asyncio.create_task(second())
        await asyncio.wait_for(announced.waiting.wait(), WAIT_S)
        still_out = not entered.is_set()
    await asyncio.wait_for(entered.wait(), WAIT_S)
    await waiter

    assert still_out, "the second run got in while the first held the lock"
