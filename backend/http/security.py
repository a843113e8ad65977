"""Security headers on every answer, added in one place so that no page can go without them.

Every HTML answer (the app, the console, the files under ``/pwa/``, the API documentation,
an error page) carries a Content-Security-Policy with ``frame-ancestors 'none'`` and, for
browsers that know no CSP (WeChat's X5), ``X-Frame-Options: DENY``, plus a
``Referrer-Policy``; every answer carries ``X-Content-Type-Options: nosniff``. A header a
route set itself is kept. nginx adds HSTS (deploy/nginx.conf).
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

from litestar import Request
from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

# Only our own files run: no inline script, nothing from elsewhere (no CDN in China anyway),
# and no other site may show our pages in a frame (a console under a fake page, clickjacked).
POLICY = (
    "default-src 'self'; img-src 'self' blob: data:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
HTML_HEADERS = {
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}
ALL_HEADERS = {"x-content-type-options": "nosniff"}
_PAGE_POLICY = "cunjiang.content_security_policy"  # a page's own policy, in the request's state
_INLINE = re.compile(rb"<(?P<tag>script|style)(?P<attributes>[^>]*)>(?P<body>.*?)</(?P=tag)>", re.DOTALL)


def _digest(body: bytes) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode() + "'"


def policy_for(page: bytes) -> str:
    """The policy of a page we do not write ourselves (Swagger UI's): :data:`POLICY`, with
    exactly the inline scripts and styles of ``page`` allowed by their SHA-256 hashes."""
    scripts, styles = [], []
    for found in _INLINE.finditer(page):
        if found["tag"] == b"script" and b"src=" not in found["attributes"]:
            scripts.append(_digest(found["body"]))
        elif found["tag"] == b"style":
            styles.append(_digest(found["body"]))
    return POLICY + "".join(
        f"; {directive} 'self' {' '.join(dict.fromkeys(hashes))}"
        for directive, hashes in (("script-src", scripts), ("style-src", styles))
        if hashes
    )


def use_policy(request: Request[Any, Any, Any], policy: str) -> None:
    """Answer this request with ``policy`` instead of :data:`POLICY`."""
    request.scope["state"][_PAGE_POLICY] = policy


async def add_security_headers(message: Message, scope: Scope) -> None:
    """Litestar's ``before_send`` hook: it sees every answer, a 404 for an unknown path too."""
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    wanted = dict(ALL_HEADERS)
    if (headers.get("content-type") or "").startswith("text/html"):
        policy = scope.get("state", {}).get(_PAGE_POLICY, POLICY)
        wanted |= {"content-security-policy": policy, **HTML_HEADERS}
    for name, value in wanted.items():
        if name not in headers:
            headers[name] = value
