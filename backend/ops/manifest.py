"""The photo half of a backup: every object of the store with its size and SHA-256 (one JSON
object a line), an optional copy of the objects, putting them back, and checking a store
against a manifest."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable, Iterable
from enum import StrEnum
from pathlib import Path, PurePosixPath
from typing import TypeVar

import msgspec

from backend.photos.storage import PhotoStore

CONCURRENCY = 16  # objects read or written at once: S3 answers in parallel, a disk does not mind
CONTENT_TYPES = {".jpg": "image/jpeg", ".webp": "image/webp"}

T = TypeVar("T")
R = TypeVar("R")
Progress = Callable[[int, int], None]  # (done, of): called as objects are handled


class Entry(msgspec.Struct, frozen=True):
    """One line of ``photos.jsonl``."""

    key: str
    size: int
    sha256: str


class Fault(StrEnum):
    MISSING = "missing"  # in the manifest, not in the store
    CHANGED = "changed"  # in the store, with other bytes
    DAMAGED_COPY = "damaged_copy"  # the backup's own copy is not what the manifest says


class Problem(msgspec.Struct, frozen=True):
    key: str
    fault: Fault


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_manifest(path: Path, entries: Iterable[Entry]) -> None:
    encoder = msgspec.json.Encoder()
    with path.open("wb") as file:
        for entry in entries:
            file.write(encoder.encode(entry) + b"\n")


def read_manifest(path: Path) -> list[Entry]:
    decoder = msgspec.json.Decoder(Entry)
    with path.open("rb") as file:
        return [decoder.decode(line) for line in file if line.strip()]


def copy_path(folder: Path, key: str) -> Path:
    """Where the backup keeps its copy of ``key``; a key that would leave the folder is refused."""
    parts = PurePosixPath(key).parts
    if not parts or key.startswith("/") or ".." in parts or "\\" in key or "\x00" in key:
        raise ValueError(f"not a photo key: {key!r}")
    return folder.joinpath(*parts)


async def take_manifest(store: PhotoStore, copy_to: Path | None, progress: Progress) -> list[Entry]:
    """Read every object of ``store`` once: its hash for the manifest and, with ``copy_to``,
    its bytes into that folder. Sorted by key."""
    listed = [stored async for batch in store.listing() for stored in batch]

    async def one(key: str) -> Entry | None:
        data = await store.get(key)
        if data is None:  # deleted between the listing and now: it is not in the backup
            return None
        if copy_to is not None:
            await asyncio.to_thread(_write, copy_path(copy_to, key), data)
        return Entry(key=key, size=len(data), sha256=sha256(data))

    found = await _each([stored.key for stored in listed], one, progress)
    return sorted((entry for entry in found if entry is not None), key=lambda entry: entry.key)


async def verify_store(store: PhotoStore, entries: list[Entry], progress: Progress) -> list[Problem]:
    """Every object of the manifest present in ``store`` with the same bytes; the others, by key."""

    async def one(entry: Entry) -> Problem | None:
        data = await store.get(entry.key)
        if data is None:
            return Problem(entry.key, Fault.MISSING)
        return None if sha256(data) == entry.sha256 else Problem(entry.key, Fault.CHANGED)

    return [problem for problem in await _each(entries, one, progress) if problem is not None]


async def verify_copies(folder: Path, entries: list[Entry], progress: Progress) -> list[Problem]:
    """The backup's own copies of the objects, against its manifest."""

    async def one(entry: Entry) -> Problem | None:
        data = await asyncio.to_thread(_read, copy_path(folder, entry.key))
        if data is None:
            return Problem(entry.key, Fault.MISSING)
        return None if sha256(data) == entry.sha256 else Problem(entry.key, Fault.DAMAGED_COPY)

    return [problem for problem in await _each(entries, one, progress) if problem is not None]


async def put_back(store: PhotoStore, folder: Path, entries: list[Entry], progress: Progress) -> list[Problem]:
    """Copy the backup's objects into ``store``, skipping those it holds already with the same
    bytes. A copy that is not what the manifest says is not written (it is reported)."""

    async def one(entry: Entry) -> Problem | None:
        present = await store.get(entry.key)
        if present is not None and sha256(present) == entry.sha256:
            return None
        data = await asyncio.to_thread(_read, copy_path(folder, entry.key))
        if data is None or sha256(data) != entry.sha256:
            return Problem(entry.key, Fault.DAMAGED_COPY)
        content_type = CONTENT_TYPES.get(PurePosixPath(entry.key).suffix, "application/octet-stream")
        await store.put(entry.key, data, content_type)
        return None

    return [problem for problem in await _each(entries, one, progress) if problem is not None]


async def _each(items: list[T], work: Callable[[T], Awaitable[R]], progress: Progress) -> list[R]:
    """``work`` on every item, a few at once (workers, not a task per item: stores hold
    100,000 objects), results in the items' order; ``progress`` as each ends."""
    results: list[R | None] = [None] * len(items)
    pending = iter(enumerate(items))
    done = 0
    progress(0, len(items))

    async def worker() -> None:
        nonlocal done
        for index, item in pending:  # one iterator shared: each item taken once
            results[index] = await work(item)
            done += 1
            progress(done, len(items))

    await asyncio.gather(*(worker() for _ in range(min(CONCURRENCY, len(items)))))
    return results  # type: ignore[return-value]  # every slot filled


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
