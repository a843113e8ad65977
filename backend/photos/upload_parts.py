"""Where the bytes of unfinished resumable uploads live: a small port, the local folder (one
host), and a factory for the settings URL (``upload_parts_s3`` keeps them in the shared store).

Every part a PATCH sends is written under a name of its own (its attempt number, which the
database hands out once), never over bytes another request may be writing: two hosts
taking the same upload at the same offset both write, the database's compare-and-set on the
offset lets one win, and the loser's bytes are discarded. What an upload holds so far is a
:class:`Held`, kept in the upload's row with the offset it belongs to.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path
from typing import Protocol

import msgspec


class Chunk(msgspec.Struct, frozen=True, array_like=True):
    """One PATCH's bytes, kept as they came: the attempt that wrote them, and how many."""

    attempt: int
    size: int


class Part(msgspec.Struct, frozen=True, array_like=True):
    """A part of an S3 multipart upload (at least 5 MiB but the last): number, ETag, size."""

    number: int
    etag: str
    size: int


class Held(msgspec.Struct, frozen=True, omit_defaults=True):
    """What an upload holds in its store, in order: parts first, then the chunks after them."""

    multipart: str = ""  # the S3 multipart upload's id
    parts: tuple[Part, ...] = ()
    chunks: tuple[Chunk, ...] = ()

    def encode(self) -> str:
        return msgspec.json.encode(self).decode()

    @staticmethod
    def decode(text: str | None) -> Held:
        return msgspec.json.decode(text or "{}", type=Held)


class UploadParts(Protocol):
    """The bytes of unfinished uploads. ``write`` stores one attempt's part under its own name
    and says what the upload would hold if it wins; then exactly one of ``settle`` (it won the
    offset) or ``discard`` (it lost) follows."""

    async def start(self, upload_id: str) -> Held: ...

    async def write(self, upload_id: str, held: Held, attempt: int, part: bytes, *, is_last: bool) -> Held: ...

    async def settle(self, upload_id: str, before: Held, after: Held, *, is_last: bool) -> None: ...

    async def discard(self, upload_id: str, before: Held, after: Held) -> None: ...

    async def read(self, upload_id: str, held: Held) -> bytes: ...

    async def remove(self, upload_id: str, held: Held) -> None: ...


class LocalUploadParts:
    """One folder per upload under ``root``, one file per part: enough for one host."""

    def __init__(self, root: Path) -> None:
        self.root = root

    async def start(self, upload_id: str) -> Held:
        await asyncio.to_thread(self._folder(upload_id).mkdir, parents=True, exist_ok=False)
        return Held()

    async def write(self, upload_id: str, held: Held, attempt: int, part: bytes, *, is_last: bool) -> Held:
        await asyncio.to_thread(_write_durably, self._chunk(upload_id, attempt), part)
        return msgspec.structs.replace(held, chunks=(*held.chunks, Chunk(attempt, len(part))))

    async def settle(self, upload_id: str, before: Held, after: Held, *, is_last: bool) -> None:
        return None  # the file is already where the upload's read finds it

    async def discard(self, upload_id: str, before: Held, after: Held) -> None:
        for chunk in set(after.chunks) - set(before.chunks):
            await asyncio.to_thread(self._chunk(upload_id, chunk.attempt).unlink, missing_ok=True)

    async def read(self, upload_id: str, held: Held) -> bytes:
        def join() -> bytes:
            return b"".join(self._chunk(upload_id, chunk.attempt).read_bytes() for chunk in held.chunks)

        return await asyncio.to_thread(join)

    async def remove(self, upload_id: str, held: Held) -> None:
        await asyncio.to_thread(shutil.rmtree, self._folder(upload_id), ignore_errors=True)

    def _folder(self, upload_id: str) -> Path:
        if not upload_id.isalnum():  # ids are ours (hex), but a path never leaves the root
            raise ValueError(f"not an upload id: {upload_id!r}")
        return self.root / upload_id

    def _chunk(self, upload_id: str, attempt: int) -> Path:
        return self._folder(upload_id) / f"{attempt:05d}.part"


def _write_durably(path: Path, data: bytes) -> None:
    # Durable before the offset says so: a crash must not leave an offset past the bytes.
    with path.open("xb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())


def parts_from_url(storage_url: str, data_dir: Path) -> UploadParts:
    """With ``s3://`` photo storage, unfinished uploads live in the same shared store (any
    host continues any upload); otherwise in a folder of the data dir."""
    if storage_url.startswith("s3://"):
        from backend.photos.upload_parts_s3 import S3UploadParts

        return S3UploadParts(storage_url)
    return LocalUploadParts(data_dir / "uploads")
