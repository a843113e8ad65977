"""Responses that save artisans' bytes: an ETag on lists, 304 when nothing changed,
and encoded answers kept while the data they came from stays the same."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

import msgspec
from litestar import MediaType, Request, Response

# The option of routes whose answers are compressed already (the app's files, made once) or
# are pictures: the compression middleware leaves them alone (``CompressionConfig.exclude_opt_key``).
NO_COMPRESSION = "no_compression"


class Encoded(msgspec.Struct, frozen=True):
    body: bytes
    etag: str


def encode(payload: Any) -> Encoded:
    body = msgspec.json.encode(payload)
    return Encoded(body, '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"')


def has_current(request: Request[Any, Any, Any], etag: str) -> bool:
    """Whether the client's ``If-None-Match`` names ``etag`` (or ``*``): a 304 is its answer."""
    asked = request.headers.get("if-none-match", "")
    if asked.strip() == "*":
        return True
    return etag in (candidate.strip().removeprefix("W/") for candidate in asked.split(","))


def respond(request: Request[Any, Any, Any], encoded: Encoded) -> Response[Any]:
    headers = {"etag": encoded.etag, "cache-control": "private, no-cache"}
    if has_current(request, encoded.etag):
        return Response(content=b"", status_code=304, headers=headers)
    return Response(content=encoded.body, media_type=MediaType.JSON, headers=headers)


def json_with_etag(request: Request[Any, Any, Any], payload: Any) -> Response[Any]:
    return respond(request, encode(payload))


class VersionedCache:
    """Encoded answers per key, each valid while the data version it was made at holds.

    Bounded (least recently used first out) so that a process's memory stays flat.
    """

    def __init__(self, size: int = 20_000) -> None:
        self._size = size
        self._entries: OrderedDict[Hashable, tuple[int, Encoded]] = OrderedDict()

    def get(self, key: Hashable, version: int) -> Encoded | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] != version:
            return None
        self._entries.move_to_end(key)
        return entry[1]

    async def get_or_make(self, key: Hashable, version: int | None, make: Callable[[], Awaitable[Encoded]]) -> Encoded:
        """The kept answer while ``version`` holds, else a new one (kept unless ``version`` is None)."""
        found = self.get(key, version) if version is not None else None
        if found is None:
            found = await make()
            if version is not None:
                self.put(key, version, found)
        return found

    def put(self, key: Hashable, version: int, encoded: Encoded) -> Encoded:
        self._entries[key] = (version, encoded)
        self._entries.move_to_end(key)
        if len(self._entries) > self._size:
            self._entries.popitem(last=False)
        return encoded
