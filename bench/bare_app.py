"""The yardstick: bare Litestar answering GET /api/v1/jobs with 50 jobs held in memory.

Same JSON shape and field types as the real job list (``JobList`` of ``JobRead``), encoded
on every request as Litestar encodes any handler's return value; no database, no auth,
no middleware. Serve it as ``uvicorn bench.bare_app:app``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Litestar, get

JOB_COUNT = 50
_NOW = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)


def _job(n: int) -> dict[str, Any]:
    return {
        "id": 1000 + n,
        "order_id": 100 + n,
        "artisan_id": 7,
        "status": "offered",
        "code": f"K{n + 1}",
        "quantity_offered": 1,
        "quantity_accepted": 0,
        "quantity_submitted": 0,
        "quantity_approved": 0,
        "quantity_reported": 0,
        "expires_at": _NOW + dt.timedelta(hours=48),
        "title": f"苗绣围巾 第{n + 1}批",
        "craft": "embroidery",
        "unit_price_fen": 4500,
        "due_date": dt.date(2026, 12, 23),
    }


JOBS = [_job(n) for n in range(JOB_COUNT)]


@get("/api/v1/jobs")
async def jobs() -> dict[str, Any]:
    return {"jobs": JOBS, "cursor": str(10 * JOB_COUNT + 3)}


app = Litestar(route_handlers=[jobs])
