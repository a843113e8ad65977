"""Idempotency-Key on every POST, through the exactly-once service (``backend.idempotency``).

The same key and request (path, query and body) get the first response back
(``Idempotent-Replayed: true``) and no second effect; another request under the same key
is refused (409). For most routes the handler runs inside the key's transaction, so its
effect and the kept response commit together. A route whose effect is already one per
content (``opt={"exactly_once": "by_content"}``, e.g. a photo: one row per owner and
content hash) runs first, outside any transaction, so that its expensive work (decoding an
image) holds no lock; its response is then kept under the key. A route whose answer holds
a secret (``opt={"exactly_once": "own"}``: a sign-in's token) keeps its own record through
:func:`once_for`, since a kept response could be read back.

The caller is known before a body is read: a stranger's request to a route that needs a
signed-in caller is refused 401 without reading what it sends.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import Any, cast

import msgspec
from litestar import Request
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from backend import idempotency
from backend.core import errors as domain
from backend.core.i18n import N_
from backend.http.context import bearer_token, needs_principal
from backend.http.errors import domain_body, status_of
from backend.idempotency import Key, StoredResponse

MAX_KEY = 255
BY_CONTENT = "by_content"
OWN = "own"
# The member behind a bearer token (Unauthorized if none): the app gives it (backend.auth).
Identify = Callable[[str], Awaitable[int]]


class IdempotencyMiddleware:
    """Wired by the app with ``identify`` (who holds a token) and ``max_body`` (the largest
    request any route takes, read whole here to be hashed and replayed)."""

    def __init__(self, app: ASGIApp, *, identify: Identify, max_body: int) -> None:
        self.app = app
        self.identify = identify
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler = scope.get("route_handler")
        if scope["type"] != ScopeType.HTTP or scope["method"] != "POST" or _opt(handler) == OWN:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        key = headers.get(b"idempotency-key", b"").decode("latin-1").strip()
        if not key:
            await self.app(scope, receive, send)
            return
        try:
            _check_key(key)
            caller = await _caller(scope, headers, handler, self.identify)  # first: a stranger's body is never read
        except domain.DomainError as error:
            await _send(send, _error(error))
            return
        body = await _read_body(receive, self.max_body)
        if body is None:
            await _send(send, _error(domain.TooLarge(N_("The request is too large."))))
            return
        digest = fingerprint(scope, body)
        try:
            response = await self._once(scope, body, caller, key, digest)
        except domain.DomainError as error:
            response = _error(error)
        await _send(send, response)

    async def _once(self, scope: Scope, body: bytes, caller: str, key: str, digest: str) -> StoredResponse:
        if _opt(scope.get("route_handler")) != BY_CONTENT:
            return await idempotency.run_once(caller, key, digest, lambda: _capture(self.app, scope, body))
        stored = await idempotency.find(caller, key, digest)
        if stored is not None:
            return stored
        response = await _capture(self.app, scope, body)

        async def keep() -> StoredResponse:
            return response

        return await idempotency.run_once(caller, key, digest, keep)


def _opt(handler: Any) -> Any:
    return handler.opt.get("exactly_once") if handler is not None else None


def _check_key(key: str) -> None:
    if len(key) > MAX_KEY:
        raise domain.Invalid(fields={"Idempotency-Key": "too_long"})


def fingerprint(scope: Scope, body: bytes) -> str:
    """What makes two requests the same: the path, the query (a dry run is not the real
    thing) and the body."""
    return hashlib.sha256(b"\n".join([b"POST", scope["raw_path"], scope.get("query_string", b""), body])).hexdigest()


async def _caller(scope: Scope, headers: dict[bytes, bytes], handler: Any, identify: Identify) -> str:
    """Whose keys these are: a signed-in person's, or an address's on the routes anyone may
    call (a sign-in). A route for signed-in callers refuses anyone else here (401)."""
    if not needs_principal(handler):
        return _address(scope)
    token = bearer_token({"authorization": headers.get(b"authorization", b"").decode("latin-1")})
    if token is None:
        raise domain.Unauthorized()
    return f"person:{await identify(token)}"


def _address(scope: Scope) -> str:
    client = scope.get("client") or ("unknown", 0)
    return f"address:{client[0]}"


async def once_for(request: Request[Any, Any, Any]) -> Key | None:
    """The Idempotency-Key of a route anyone may call that keeps its own record
    (``exactly_once: own``, a sign-in), if sent: keys are the caller's address's."""
    key = request.headers.get("idempotency-key", "").strip()
    if not key:
        return None
    _check_key(key)
    return Key(scope=_address(request.scope), key=key, fingerprint=fingerprint(request.scope, await request.body()))


async def _read_body(receive: Receive, max_body: int) -> bytes | None:
    """The whole body (it is hashed and replayed), or None past the largest request we take."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = cast("dict[str, Any]", await receive())
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > max_body:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Any:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _capture(app: ASGIApp, scope: Scope, body: bytes) -> StoredResponse:
    status = 500
    headers: list[tuple[str, str]] = []
    chunks: list[bytes] = []

    async def send(message: Message) -> None:
        nonlocal status, headers
        if message["type"] == "http.response.start":
            status = message["status"]
            headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in message.get("headers", [])]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, _replay(body), send)
    return StoredResponse(status, headers, b"".join(chunks))


def _error(error: domain.DomainError) -> StoredResponse:
    body = msgspec.json.encode(domain_body(error))
    return StoredResponse(status_of(error), [("content-type", "application/json")], body)


async def _send(send: Send, response: StoredResponse) -> None:
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers if k.lower() != "content-length"]
    headers.append((b"content-length", str(len(response.body)).encode()))
    if response.replayed:
        headers.append((b"idempotent-replayed", b"true"))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": response.body, "more_body": False})


__all__ = ["BY_CONTENT", "OWN", "IdempotencyMiddleware", "fingerprint", "once_for"]
