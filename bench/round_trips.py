"""Database round trips and CPU per kind of request, for the capacity model (deploy/README.md).

Run as ``python -m bench.round_trips --tokens tokens.json`` with ``CUNJIANG_DATABASE_URL`` set
to a database bench/scale_seed.py filled (the backend reads it at import time). The app runs in
this process (as the tests run it); every call a connection makes to PostgreSQL — a query, a
BEGIN, a COMMIT — is counted by wrapping asyncpg's Connection methods, which all of Piccolo's
and our own queries go through. CPU is this process's, less what a bare ``GET /healthz``
costs the in-process client and the framework, so it is the work of the request itself, and
the database's: that of the PostgreSQL backends serving this database (from /proc), so run it
on a machine where nothing else uses that database.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import functools
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench.loadgen import _cpu_ticks

CALLS = ("execute", "executemany", "fetch", "fetchrow", "fetchval", "copy_records_to_table")
_count = 0


def _counting() -> None:
    def wrap(method: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        @functools.wraps(method)
        async def counted(self: asyncpg.Connection, *args: Any, **kwargs: Any) -> Any:
            global _count
            _count += 1
            return await method(self, *args, **kwargs)

        return counted

    for name in CALLS:
        setattr(asyncpg.connection.Connection, name, wrap(getattr(asyncpg.connection.Connection, name)))


async def _server_cpu() -> float:
    """CPU seconds of the PostgreSQL backends serving this database (this process's pool)."""
    from backend.db.session import run

    rows = await run("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
    return sum(_cpu_ticks(row["pid"]) or 0.0 for row in rows)


async def _measure(http: httpx.AsyncClient, requests: list[tuple[str, str, dict[str, str], Any]]) -> dict[str, Any]:
    global _count
    database = await _server_cpu()
    _count, cpu, statuses = 0, time.process_time(), set()
    for method, path, headers, body in requests:
        answer = await http.request(method, path, headers=headers, json=body)
        statuses.add(answer.status_code)
    n, calls, cpu = len(requests), _count, time.process_time() - cpu
    database = await _server_cpu() - database
    return {"n": n, "db_calls": round(calls / n, 1), "cpu_ms": round(1000 * cpu / n, 2),
            "db_cpu_ms": round(1000 * database / n, 2), "statuses": sorted(statuses)}  # fmt: skip


async def main_async(tokens: dict[str, Any]) -> dict[str, Any]:
    _counting()
    from backend.app import create_app
    from backend.db import counters, session

    app = create_app(run_worker=False)
    await session.start()
    await counters.start_listener()
    artisans = [artisan[0] for artisan in tokens["artisans"][:200]]
    ours = [artisan for artisan in tokens["artisans"] if artisan[3] == tokens["brand"]][-200:]
    staff = {"Authorization": f"Bearer {tokens['staff'][0]}"}
    report: dict[str, Any] = {}
    try:
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://bench.local", timeout=120) as http:
            report["healthz (floor)"] = floor = await _measure(http, [("GET", "/healthz", {}, None)] * 200)
            feed = [("GET", "/api/v1/jobs", {"Authorization": f"Bearer {t}"}, None) for t in artisans]
            report["GET /jobs (first of the day: sign-in read, feed read)"] = await _measure(http, feed)
            report["GET /jobs (nothing changed since: from the cache)"] = await _measure(http, feed)
            etags = [(await http.get(path, headers=h)).headers["etag"] for _m, path, h, _b in feed]
            cached = [("GET", p, h | {"If-None-Match": e}, None) for (_m, p, h, _b), e in zip(feed, etags, strict=True)]
            report["GET /jobs (304)"] = await _measure(http, cached)
            due = (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).date().isoformat()
            order = {"title": "苗绣围巾", "craft": "embroidery", "quantity": 10_000, "unit_price_fen": 4500,
                     "due_date": due}  # fmt: skip
            created = (await http.post("/api/v1/orders", json=order, headers=staff)).json()
            offers = {"offers": [{"artisan_id": artisan[2], "quantity": 5} for artisan in ours]}
            dispatch = [("POST", f"/api/v1/orders/{created['id']}/dispatch", staff, offers)]
            report[f"dispatch to {len(ours)}"] = await _measure(http, dispatch)
            token_of = {artisan[2]: artisan[0] for artisan in ours}
            jobs = (await http.get(f"/api/v1/orders/{created['id']}/jobs", headers=staff)).json()["jobs"]
            accepts: list[tuple[str, str, dict[str, str], Any]] = [
                ("POST", f"/api/v1/jobs/{job['id']}/accept",
                 {"Authorization": f"Bearer {token_of[job['artisan_id']]}", "Idempotency-Key": uuid.uuid4().hex}, {})
                for job in jobs
            ]  # fmt: skip
            report["accept"] = await _measure(http, accepts)
            orders = await session.run(
                "SELECT id FROM production_order WHERE brand = {} AND status = 'open' AND due_date >= {} "
                "AND quantity_accepted < quantity ORDER BY created_at DESC LIMIT 20",
                tokens["brand"],
                dt.datetime.now(dt.UTC).date(),
            )
            screens = [("GET", f"/api/v1/orders/{row['id']}/suggestion", staff, None) for row in orders]
            report["suggestion"] = await _measure(http, screens)
            for path in ("/api/v1/dashboard/orders", "/api/v1/dashboard/villages", "/api/v1/submissions"):
                report[path] = await _measure(http, [("GET", path, staff, None)] * 20)
    finally:
        await counters.stop_listener()
        await session.stop()
    for name, figures in report.items():
        if name != "healthz (floor)":
            figures["cpu_ms_net"] = round(figures["cpu_ms"] - floor["cpu_ms"], 2)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tokens", required=True)
    args = parser.parse_args()
    tokens = json.loads(Path(args.tokens).read_text(encoding="utf-8"))
    print(json.dumps(asyncio.run(main_async(tokens)), indent=2))


if __name__ == "__main__":
    main()
