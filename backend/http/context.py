"""Per-request context: the language of the answer and the caller behind the bearer token."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send

from backend.auth.service import resolve_token
from backend.core.errors import Unauthorized
from backend.core.i18n import DEFAULT_LOCALE, current_locale, negotiate
from backend.core.types import Channel, Principal


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


async def provide_principal(request: Request[Any, Any, Any]) -> Principal:
    """The signed-in caller; their saved language wins over the header from here on."""
    token = bearer_token(request.headers)
    if token is None:
        raise Unauthorized()
    principal = await resolve_token(token)
    current_locale.set(principal.locale)
    # Staff work in the console; everyone else in the app.
    return msgspec.structs.replace(principal, channel=Channel.CONSOLE) if principal.is_staff else principal


def client_address(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"
