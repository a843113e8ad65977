"""Per-request context: the language of the answer, the bearer token, the client's address.
Who holds a token is ``backend.auth``'s to say (``backend.auth.requests``)."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send

from backend.core.i18n import DEFAULT_LOCALE, current_locale, negotiate


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


def needs_principal(handler: Any) -> bool:
    """Whether a route acts for a signed-in caller (it takes the ``principal`` dependency)."""
    return handler is not None and "principal" in handler.parsed_fn_signature.parameters


def client_address(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"
