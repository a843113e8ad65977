"""The API documentation works without a CDN."""

from __future__ import annotations

import httpx


async def test_the_api_documentation_loads_its_assets_locally(client: httpx.AsyncClient) -> None:
    page = await client.get("/api/docs")
    assert page.status_code == 200
    assert "/api/docs/assets/swagger-ui-bundle.js" in page.text
    assert "cdn" not in page.text.lower()
    assert (await client.get("/api/docs/assets/swagger-ui-bundle.js")).status_code == 200
    spec = (await client.get("/api/docs/openapi.json")).json()
    assert "/api/v1/jobs/{job_id}/accept" in spec["paths"]
