"""Per-request context: the language of the answer, the bearer token, the client's address.
Who holds a token is ``backend.auth``'s to say (``backend.auth.requests``)."""

from __future__ import annotations

import re
import uuid
from typing import Any

from litestar import Request
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send

from backend.core.i18n import DEFAULT_LOCALE, current_locale, negotiate
from backend.core.logs import request_id

# What an id from outside may look like (nginx's $request_id is 32 hex digits); anything else is replaced.
REQUEST_ID = re.compile(rb"[A-Za-z0-9._\-]{8,64}")


def bearer_token(headers: Any) -> str | None:
    value = headers.get("authorization") or ""
    scheme, _, token = value.partition(" ")
    return (token.strip() or None) if scheme.lower() == "bearer" else None


class LocaleMiddleware:
    """Answer in the request's ``Accept-Language`` until the caller's own preference is known."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            header = next((v for k, v in scope["headers"] if k == b"accept-language"), b"")
            current_locale.set(negotiate(header.decode("latin-1")) or DEFAULT_LOCALE)
        await self.app(scope, receive, send)


class RequestIdMiddleware:
    """Every request has an id: nginx's (``X-Request-Id``, ``proxy_set_header X-Request-Id
    $request_id``) when it sent a plausible one, else a new one; every log line written while
    the request is served carries it, and the answer names it, so that a user's report, nginx's
    access log and the API's lines meet."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        given = next((v for k, v in scope["headers"] if k == b"x-request-id"), b"")
        rid = given.decode("ascii") if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        token = request_id.set(rid)

        async def named(message: Any) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode("ascii"))]
            await send(message)

        try:
            await self.app(scope, receive, named)
        finally:
            request_id.reset(token)


def needs_principal(handler: Any) -> bool:
    """Whether a route acts for a signed-in caller (it takes the ``principal`` dependency)."""
    return handler is not None and "principal" in handler.parsed_fn_signature.parameters


def client_address(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"
