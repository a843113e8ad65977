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


def needs_principal(handler: Any) -> bool:
    """Whether a route acts for a signed-in caller (it takes the ``principal`` dependency)."""
    return handler is not None and "principal" in handler.parsed_fn_signature.parameters


async def principal_of(token: str | None) -> Principal:
    """The signed-in caller behind a bearer token; their saved language wins from here on."""
    if token is None:
        raise Unauthorized()
    principal = await resolve_token(token)
    current_locale.set(principal.locale)
    # Staff work in the console; everyone else in the app.
    return msgspec.structs.replace(principal, channel=Channel.CONSOLE) if principal.is_staff else principal


async def authenticate(request: Request[Any, Any, Any]) -> None:
    """Know the caller before anything else (a ``before_request`` hook): Litestar reads a
    body before it resolves dependencies, so without this a stranger's 16 MB would be read
    whole before the 401."""
    if needs_principal(request.route_handler):
        request.state.principal = await principal_of(bearer_token(request.headers))


async def provide_principal(request: Request[Any, Any, Any]) -> Principal:
    """The caller :func:`authenticate` found."""
    found = getattr(request.state, "principal", None)
    return found if isinstance(found, Principal) else await principal_of(bearer_token(request.headers))


def client_address(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"
