"""One contract for every store of unfinished uploads (the local folder, S3 over real HTTP to
moto's server): parts read back whole and in order, a loser's bytes never show, removal
leaves nothing behind."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from backend.photos.upload_parts import Held, LocalUploadParts, UploadParts
from backend.photos.upload_parts_s3 import MIN_PART, S3UploadParts
from tests.integration.photos import s3 as s3_server

MiB = 1024 * 1024


@dataclass
class Store:
    parts: UploadParts
    leftovers: Callable[[str], list[str]]  # what is left of an upload, in words


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    with s3_server.moto_server() as (_server, endpoint), s3_server.storage_in(endpoint):
        yield endpoint


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    if request.param == "local":
        root = tmp_path / "uploads"
        return Store(LocalUploadParts(root), lambda upload_id: [str(path) for path in root.glob(f"{upload_id}*")])
    endpoint = request.getfixturevalue("moto_endpoint")

    def in_s3(upload_id: str) -> list[str]:
        found = s3_server.objects(endpoint) + s3_server.multipart_uploads(endpoint)
        return [key for key in found if upload_id in key]

    return Store(S3UploadParts(os.environ["CUNJIANG_STORAGE_URL"]), in_s3)


async def _send(store: Store, upload_id: str, held: Held, attempt: int, part: bytes, *, is_last: bool) -> Held:
    after = await store.parts.write(upload_id, held, attempt, part, is_last=is_last)
    await store.parts.settle(upload_id, held, after, is_last=is_last)
    return after


async def test_parts_small_and_over_the_s3_minimum_read_back_whole_and_in_order(store: Store) -> None:
    upload_id = secrets.token_hex(16)
    pieces = [os.urandom(3 * MiB), os.urandom(3 * MiB), os.urandom(1000), os.urandom(10)]
    assert sum(map(len, pieces[:2])) >= MIN_PART  # the second part makes an S3 part of the first two

    held = await store.parts.start(upload_id)
    for attempt, piece in enumerate(pieces, start=1):
        held = await _send(store, upload_id, held, attempt, piece, is_last=attempt == len(pieces))

    assert await store.parts.read(upload_id, held) == b"".join(pieces)


async def test_of_two_writes_at_one_offset_only_the_winners_bytes_are_read(store: Store) -> None:
    upload_id = secrets.token_hex(16)
    held = await store.parts.start(upload_id)
    held = await _send(store, upload_id, held, 1, b"a" * 100, is_last=False)

    # Both write from the same state; the database let attempt 3 win the offset.
    loser = await store.parts.write(upload_id, held, 2, b"L" * 200, is_last=False)
    winner = await store.parts.write(upload_id, held, 3, b"W" * 200, is_last=False)
    await store.parts.discard(upload_id, held, loser)
    await store.parts.settle(upload_id, held, winner, is_last=False)
    held = await _send(store, upload_id, winner, 4, b"z" * 50, is_last=True)

    assert await store.parts.read(upload_id, held) == b"a" * 100 + b"W" * 200 + b"z" * 50


async def test_a_loser_that_made_a_part_over_the_s3_minimum_leaves_no_trace_in_the_file(store: Store) -> None:
    upload_id = secrets.token_hex(16)
    held = await store.parts.start(upload_id)

    loser = await store.parts.write(upload_id, held, 1, b"L" * MIN_PART, is_last=False)
    winner = await store.parts.write(upload_id, held, 2, b"W" * MIN_PART, is_last=False)
    await store.parts.discard(upload_id, held, loser)
    await store.parts.settle(upload_id, held, winner, is_last=False)
    held = await _send(store, upload_id, winner, 3, b"end", is_last=True)

    assert await store.parts.read(upload_id, held) == b"W" * MIN_PART + b"end"


async def test_removing_an_unfinished_or_finished_upload_leaves_nothing(store: Store) -> None:
    unfinished, finished = secrets.token_hex(16), secrets.token_hex(16)
    held = await _send(store, unfinished, await store.parts.start(unfinished), 1, b"x" * 10, is_last=False)
    done = await _send(store, finished, await store.parts.start(finished), 1, b"y" * 10, is_last=True)
    assert store.leftovers(unfinished)
    assert store.leftovers(finished)

    await store.parts.remove(unfinished, held)
    await store.parts.remove(finished, done)
    await store.parts.remove(finished, done)  # twice: the worker and a termination may meet

    assert store.leftovers(unfinished) == []
    assert store.leftovers(finished) == []
