"""Who is asking, for every HTTP request: the signed-in person behind a bearer token, known
before any body is read. The app wires these into Litestar (``backend.app``)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request

from backend.auth.service import resolve_token
from backend.core.errors import Unauthorized
from backend.core.i18n import current_locale
from backend.core.types import Channel, Principal
from backend.http.context import bearer_token, needs_principal


async def principal_of(token: str | None) -> Principal:
    """The signed-in caller behind a bearer token; their saved language wins from here on."""
    if token is None:
        raise Unauthorized()
    principal = await resolve_token(token)
    current_locale.set(principal.locale)
    # Staff work in the console; everyone else in the app.
    return msgspec.structs.replace(principal, channel=Channel.CONSOLE) if principal.is_staff else principal


async def person_of(token: str) -> int:
    """The person behind a token (the idempotency middleware's ``identify``): her keys are
    hers, whichever brand's work she acts on."""
    return (await principal_of(token)).person_id


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
