"""Idempotency-Key on every POST, through the exactly-once service (``backend.idempotency``).

The same key and body get the first response back (``Idempotent-Replayed: true``) and no
second effect; another body under the same key is refused (409). For most routes the
handler runs inside the key's transaction, so its effect and the kept response commit
together. A route whose effect is already one per content (``opt={"exactly_once":
"by_content"}``, e.g. a photo: one row per owner and content hash) runs first, outside
any transaction, so that its expensive work (decoding an image) holds no lock; its
response is then kept under the key.
"""

from __future__ import annotations

import hashlib
from typing import Any, cast

import msgspec
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from backend import idempotency
from backend.auth.service import resolve_token
from backend.core import errors as domain
from backend.core.i18n import N_, current_locale
from backend.http.context import bearer_token
from backend.http.errors import domain_body, status_of
from backend.idempotency import StoredResponse
from backend.photos.processing import MAX_UPLOAD_BYTES

MAX_KEY = 255
MAX_BODY = MAX_UPLOAD_BYTES + 1024 * 1024  # a photo and its multipart envelope
BY_CONTENT = "by_content"


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        key = headers.get(b"idempotency-key", b"").decode("latin-1").strip()
        if not key:
            await self.app(scope, receive, send)
            return
        if len(key) > MAX_KEY:
            await _send(send, _error(domain.Invalid(fields={"Idempotency-Key": "too_long"})))
            return
        body = await _read_body(receive)
        if body is None:
            await _send(send, _error(domain.TooLarge(N_("The request is too large."))))
            return
        caller = await _caller(scope, headers)
        if caller is None:  # a bad token: let the route answer 401
            await self.app(scope, _replay(body), send)
            return
        digest = hashlib.sha256(b"\n".join([b"POST", scope["raw_path"], body])).hexdigest()
        try:
            response = await self._once(scope, body, caller, key, digest)
        except domain.DomainError as error:
            response = _error(error)
        await _send(send, response)

    async def _once(self, scope: Scope, body: bytes, caller: str, key: str, digest: str) -> StoredResponse:
        handler = scope.get("route_handler")
        if handler is None or handler.opt.get("exactly_once") != BY_CONTENT:
            return await idempotency.run_once(caller, key, digest, lambda: _capture(self.app, scope, body))
        stored = await idempotency.find(caller, key, digest)
        if stored is not None:
            return stored
        response = await _capture(self.app, scope, body)

        async def keep() -> StoredResponse:
            return response

        return await idempotency.run_once(caller, key, digest, keep)


async def _caller(scope: Scope, headers: dict[bytes, bytes]) -> str | None:
    token = bearer_token({"authorization": headers.get(b"authorization", b"").decode("latin-1")})
    if token is None:
        client = scope.get("client") or ("unknown", 0)
        return f"address:{client[0]}"
    try:
        principal = await resolve_token(token)
    except domain.Unauthorized:
        return None
    current_locale.set(principal.locale)
    return f"member:{principal.member_id}"


async def _read_body(receive: Receive) -> bytes | None:
    """The whole body (it is hashed and replayed), or None past the largest upload we take."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = cast("dict[str, Any]", await receive())
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
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


__all__ = ["IdempotencyMiddleware"]
