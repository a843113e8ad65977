"""make bench, the coordinator's console: the dispatch suggestion and the dashboard's chart
data on one brand of 1,400 artisans in 28 villages with 20,000 jobs over 12 months
(``bench/console_data.py``), on a fresh PostgreSQL database, through the real app.

Each endpoint is called through the app in this process (httpx on the ASGI app, as the
tests do): a few warm-up calls, then ``CALLS`` timed ones, one at a time. Beside each:
``GET /me`` timed in the same run, the yardstick of a request that does almost nothing
(compare ratios: absolute figures move with the machine). Budget: p95 under 200 ms. Then
the suggestion with and without the index of migration 2026-11-30T20:00, in alternating
rounds so that a busy moment of the machine falls on both. A miss is printed, not turned
into a failing exit status. The database is dropped at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

from bench.run import FOREIGN_ENV, postgres_database  # noqa: E402

CALLS = 30
WARMUP = 3
ROUNDS = 3  # of the index comparison
BUDGET_MS = 200.0


def _endpoints(world: Any) -> list[tuple[str, str, Callable[[Any], bool]]]:
    """(label, path, a check of the answer) for every row."""
    big = f"/api/v1/orders/{world.big_order_id}/suggestion"
    villages = "&".join(f"village_id={v}" for v in world.villages[:3])
    return [
        ("GET /me (yardstick)", "/api/v1/me", lambda body: body["role"] == "coordinator"),
        ("GET /orders/{id}/suggestion, 2,800 pieces", big, lambda body: _split_whole(body)),
        ("  the same, 3 villages", f"{big}?{villages}", lambda body: bool(body["offers"])),
        ("GET /dashboard/orders (open)", "/api/v1/dashboard/orders", lambda body: len(body["orders"]) == 50),
        ("GET /dashboard/villages?months=12", "/api/v1/dashboard/villages?months=12", _all_villages),
        ("GET /dashboard/sms?days=30", "/api/v1/dashboard/sms?days=30", lambda body: len(body["days"]) == 30),
        ("GET /sms/usage?months=12", "/api/v1/sms/usage?months=12", lambda body: len(body["months"]) == 12),
    ]


def _split_whole(body: dict[str, Any]) -> bool:
    return bool(sum(offer["quantity"] for offer in body["offers"]) == body["wanted"] == body["remaining"])


def _all_villages(body: dict[str, Any]) -> bool:
    return len(body["villages"]) == 28 and any(m["jobs_finished"] for v in body["villages"] for m in v["months"])


async def _time(client: httpx.AsyncClient, path: str, check: Callable[[Any], bool]) -> list[float]:
    seconds = []
    for call in range(WARMUP + CALLS):
        started = time.perf_counter()
        response = await client.get(path)
        elapsed = time.perf_counter() - started
        if response.status_code != 200 or not check(response.json()):
            raise RuntimeError(f"{path}: {response.status_code} {response.text[:300]}")
        if call >= WARMUP:
            seconds.append(elapsed)
    return seconds


def _p95(seconds: list[float]) -> float:
    ordered = sorted(seconds)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _figures(seconds: list[float]) -> tuple[float, float]:
    """Median and p95, in ms."""
    return statistics.median(seconds) * 1000, _p95(seconds) * 1000


async def _measure(client: httpx.AsyncClient, world: Any) -> dict[str, tuple[float, float]]:
    return {label: _figures(await _time(client, path, check)) for label, path, check in _endpoints(world)}


async def _index_rounds(client: httpx.AsyncClient, world: Any, database_url: str) -> dict[str, tuple[float, float]]:
    """The suggestion with the index and without it, in alternating rounds."""
    from backend.db.migrations.cunjiang_2026_11_30t20_00_00_000000 import DROP, STATEMENTS

    me, suggestion = _endpoints(world)[:2]
    samples: dict[str, list[float]] = {me[0]: [], "suggestion, with the index": [], "suggestion, without it": []}
    for _round in range(ROUNDS):
        samples[me[0]] += await _time(client, me[1], me[2])
        samples["suggestion, with the index"] += await _time(client, suggestion[1], suggestion[2])
        await _sql(database_url, *DROP, "ANALYZE job")
        samples["suggestion, without it"] += await _time(client, suggestion[1], suggestion[2])
        await _sql(database_url, *STATEMENTS, "ANALYZE job")
    return {label: _figures(seconds) for label, seconds in samples.items()}


def _print(title: str, figures: dict[str, tuple[float, float]]) -> None:
    yardstick = next(iter(figures.values()))[0]
    print(f"\n  {title}")
    print(f"  {'endpoint':<44} {'median ms':>10} {'p95 ms':>8} {'× /me':>7}  budget")
    for label, (median, p95) in figures.items():
        verdict = ("PASS" if p95 < BUDGET_MS else "FAIL") + f" (p95 < {BUDGET_MS:g})"
        verdict = "" if label.startswith("GET /me") else verdict
        print(f"  {label:<44} {median:>10.1f} {p95:>8.1f} {median / yardstick:>7.1f}  {verdict}")


async def _sql(database_url: str, *statements: str) -> None:
    connection = await asyncpg.connect(database_url, timeout=5)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


async def lane(database_url: str) -> None:
    """Migrate, generate, and time the endpoints with and without the console's indexes."""
    from backend.app import create_app
    from backend.db import counters, session
    from bench.console_data import generate

    with contextlib.redirect_stderr(io.StringIO()):  # Piccolo's report of each migration
        await session.migrate()
    await session.start()
    started = time.perf_counter()
    print("  generating a year of one brand's work:")
    world = await generate()
    await _sql(database_url, "VACUUM ANALYZE")
    print(f"  done in {time.perf_counter() - started:.1f} s; jobs by status: {world.counts}")
    await counters.start_listener()
    transport = httpx.ASGITransport(app=create_app(run_worker=False))  # type: ignore[arg-type]
    headers = {"Authorization": f"Bearer {world.token}"}
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://bench.local", headers=headers) as client:
            endpoints = await _measure(client, world)
            index = await _index_rounds(client, world, database_url)
    finally:
        await counters.stop_listener()
        await session.stop()
    _print(f"PostgreSQL, {CALLS} calls each, one at a time (in-process ASGI client)", endpoints)
    _print(f"the index of migration 2026-11-30T20:00, {ROUNDS} alternating rounds of {CALLS} calls", index)


def main() -> None:
    print("\nConsole: dispatch suggestion and dashboard, 1,400 artisans, 28 villages, 20,000 jobs, 12 months")
    with postgres_database() as database_url, tempfile.TemporaryDirectory(prefix="cunjiang-console-") as work:
        if database_url is None:
            return
        for name in FOREIGN_ENV:
            os.environ.pop(name, None)
        # The backend reads its database at import time: set before the first import.
        os.environ |= {"CUNJIANG_DATABASE_URL": database_url, "CUNJIANG_DATA_DIR": work}
        logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request
        asyncio.run(lane(database_url))


if __name__ == "__main__":
    main()
