"""Security headers on every answer: each HTML page may not be framed and runs only our own
scripts (Swagger UI's inline one by its hash); nothing is sniffed into another type."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import httpx
import pytest
from litestar.routes import HTTPRoute

from backend.app import create_app
from tests import support

ROOT = Path(__file__).resolve().parents[3]
# A value for each path parameter of a GET route; a new parameter name fails the walk until
# it is given one here, so no new route goes unchecked.
SAMPLES: dict[str, list[str]] = {
    "locale": ["zh_Hans"],
    "order_id": ["1"],
    "member_id": ["1"],
    "photo_id": ["1"],
    "size": ["list"],
    "file_path": ["swagger-ui.css", "index.html", "oauth2-redirect.html"],
    "path": ["index.html", "console.html", "src/app.js", "no-such-page"],
    "section": ["sms", "orders"],
    "slug": ["no-such-region"],  # a real region page is checked in tests/integration/alliance
}
# Not routes of the app, but what a browser may ask for: each gets an answer with the headers.
EXTRA = ["/console/", "/no-such-page", "/api/v1/no-such-thing", "/pwa/no-such-file.html"]


def _addresses() -> list[str]:
    found: set[str] = set(EXTRA)
    for route in create_app(run_worker=False).routes:
        if not isinstance(route, HTTPRoute) or "GET" not in route.methods:
            continue
        paths = [route.path]
        for name, parameter in route.path_parameters.items():
            assert name in SAMPLES, f"{route.path}: give {name!r} a sample value in SAMPLES"
            paths = [path.replace(f"{{{parameter.full}}}", value) for path in paths for value in SAMPLES[name]]
        found.update(paths)
    return sorted(found)


def _problems(address: str, answer: httpx.Response) -> list[str]:
    problems = []
    if answer.headers.get("x-content-type-options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if answer.headers.get("content-type", "").startswith("text/html"):
        policy = answer.headers.get("content-security-policy", "")
        if "frame-ancestors 'none'" not in policy or "default-src 'self'" not in policy:
            problems.append(f"CSP {policy!r}")
        if answer.headers.get("x-frame-options") != "DENY":
            problems.append("no X-Frame-Options: DENY")
        if not answer.headers.get("referrer-policy"):
            problems.append("no Referrer-Policy")
    return [f"GET {address} ({answer.status_code}): {problem}" for problem in problems]


async def test_every_answer_of_every_get_route_carries_the_security_headers(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    problems, html = [], set()
    for address in _addresses():
        for who in ({}, brand.coordinator.auth):  # refused and answered
            answer = await client.get(address, headers=who)
            problems += _problems(address, answer)
            if answer.headers.get("content-type", "").startswith("text/html"):
                html.add(address)

    assert problems == []
    # The walk met the pages of finding 11: the app, the console, their files, the docs.
    assert {"/", "/console", "/console/", "/console/sms", "/pwa/index.html", "/pwa/console.html", "/api/docs"} <= html


async def test_a_304_and_an_error_page_keep_nosniff(client: httpx.AsyncClient) -> None:
    first = await client.get("/pwa/index.html")
    again = await client.get("/pwa/index.html", headers={"If-None-Match": first.headers["etag"]})
    missing = await client.get("/api/docs/no-such-page")

    assert again.status_code == 304
    assert again.headers["x-content-type-options"] == "nosniff"
    assert missing.status_code == 404
    assert "frame-ancestors 'none'" in missing.headers["content-security-policy"]


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


async def test_the_api_documentation_may_run_exactly_its_own_inline_script_and_style(client: httpx.AsyncClient) -> None:
    answer = await client.get("/api/docs")
    policy = answer.headers["content-security-policy"]
    scripts = re.findall(r"<script(?![^>]*src=)[^>]*>(.*?)</script>", answer.text, re.DOTALL)
    styles = re.findall(r"<style[^>]*>(.*?)</style>", answer.text, re.DOTALL)
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))

    assert len(scripts) == 1
    assert "SwaggerUIBundle" in scripts[0]
    assert directives["script-src"] == f"'self' {_hash(scripts[0])}"
    assert directives["style-src"] == "'self' " + " ".join(_hash(style) for style in styles)
    assert "unsafe" not in policy
    assert directives["frame-ancestors"] == "'none'"


def test_nginx_tells_browsers_to_use_https_only_on_its_tls_site() -> None:
    config = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    tls = next(block for block in config.split("\nserver {")[1:] if "listen 443 ssl" in block)

    assert 'add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;' in tls


@pytest.mark.parametrize("path", ["/", "/console/", "/pwa/index.html", "/api/docs"])
async def test_no_page_can_be_framed(client: httpx.AsyncClient, path: str) -> None:
    answer = await client.get(path)

    assert answer.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
