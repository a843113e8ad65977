"""``/healthz``, ``/readyz`` and ``/metrics``: outside the API (no sign-in, no body, not in
the OpenAPI document), for load balancers and Prometheus. deploy/nginx.conf keeps
``/metrics`` and ``/readyz`` off the public site."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, get
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController

from backend.ops.gauges import read_levels
from backend.ops.health import Readiness, readiness

NO_STORE = {"cache-control": "no-store"}


@get("/healthz", include_in_schema=False)
async def healthz() -> Response[dict[str, str]]:
    """200 while the process lives: it touches no database and nothing else that can fail."""
    return Response({"status": "ok"}, headers=NO_STORE)


@get("/readyz", include_in_schema=False)
async def readyz() -> Response[Readiness]:
    """200 when this process can serve; otherwise 503 naming what is not ready."""
    found = await readiness()
    return Response(found, status_code=200 if found.ready else 503, headers=NO_STORE)


async def _read_levels(_request: Request[Any, Any, Any]) -> None:
    await read_levels()


def metrics() -> Router:
    """Litestar's Prometheus endpoint, with the database's levels read just before each scrape."""
    return Router(path="/", route_handlers=[PrometheusController], before_request=_read_levels, include_in_schema=False)


def prometheus_config() -> PrometheusConfig:
    """Request counts and latency per route (``path`` is the route's template, such as
    ``/api/v1/jobs/{job_id:int}/accept``, never an id) and status."""
    return PrometheusConfig(app_name="cunjiang", prefix="litestar", group_path=True)
