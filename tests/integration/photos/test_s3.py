"""Photos in an S3-compatible store, over real HTTP to a local S3 server (moto's server mode):
finished photos live in the store only; a store that is down refuses the upload clearly and
leaves no half photo. Unfinished resumable uploads live there too (an S3 multipart upload
each), so that any host continues any upload."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import os
from collections.abc import Iterator

import httpx
import pytest
from moto.server import ThreadedMotoServer

from backend.accounts.service import principal_for
from backend.core.types import Channel
from backend.db.session import run
from backend.photos import uploads
from backend.photos.upload_parts_s3 import MIN_PART
from tests import support
from tests.integration.photos import s3 as s3_server
from tests.integration.photos import tus
from tests.integration.photos.tus import has_local_bytes


@pytest.fixture(scope="module")
def s3() -> Iterator[ThreadedMotoServer]:
    with s3_server.moto_server() as (server, endpoint), s3_server.storage_in(endpoint):
        yield server


def _objects() -> list[str]:
    return s3_server.objects(os.environ["AWS_ENDPOINT_URL"])


async def test_an_uploaded_photo_lives_in_the_store_and_is_served_from_it(
    client: httpx.AsyncClient, s3: ThreadedMotoServer
) -> None:
    artisan = await support.artisan(await support.brand())

    photo = await support.upload_photo(client, artisan, color=(10, 90, 170))
    served = await client.get(f"/api/v1/photos/{photo}/review", headers=artisan.auth)

    [content_hash] = [row["content_hash"] for row in await run("SELECT content_hash FROM photo WHERE id = {}", photo)]
    stored = {key for key in _objects() if content_hash[2:] in key}
    assert stored == {
        f"brand-photos/{content_hash[:2]}/{content_hash[2:]}/{name}"
        for name in ("list.jpg", "review.jpg", "full.jpg", "list.webp")
    }
    assert (served.status_code, served.headers["content-type"]) == (200, "image/jpeg")


async def test_a_store_that_is_down_refuses_the_upload_clearly_and_keeps_no_half_photo(
    client: httpx.AsyncClient, s3: ThreadedMotoServer
) -> None:
    artisan = await support.artisan(await support.brand())
    files = {"file": ("work.jpg", support.jpeg_bytes(64, 48, (250, 20, 20)), "image/jpeg")}
    before = await run("SELECT COUNT(*) AS n FROM photo WHERE owner = {}", artisan.id)
    s3.stop()
    try:
        refused = await client.post("/api/v1/photos", files=files, headers=artisan.auth)
    finally:
        s3.start()  # the same address again

    support.refused(refused, 503, "storage_unavailable")
    assert await run("SELECT COUNT(*) AS n FROM photo WHERE owner = {}", artisan.id) == before
    again = await client.post("/api/v1/photos", files=files, headers=artisan.auth)
    assert again.status_code == 201


async def test_a_finished_resumable_upload_leaves_only_the_photo_in_the_store(
    client: httpx.AsyncClient, s3: ThreadedMotoServer
) -> None:
    artisan = await support.artisan(await support.brand())
    jpeg = support.jpeg_bytes(80, 60, (20, 200, 40))
    tus = {"Tus-Resumable": "1.0.0"}
    created = await client.post(
        "/api/v1/uploads",
        content=jpeg,
        headers=artisan.auth
        | tus
        | {"Upload-Length": str(len(jpeg)), "Content-Type": "application/offset+octet-stream"},
    )
    upload_id = created.headers["location"].rsplit("/", 1)[1]

    made = await support.ok(
        await client.post("/api/v1/photos", json={"upload_id": upload_id}, headers=artisan.auth), 201
    )

    assert made["width"] == 80
    assert not has_local_bytes(upload_id)
    assert not [key for key in _objects() if upload_id in key]


async def _whole_file(person: support.Person, upload_id: str) -> bytes:
    return await uploads.finished_bytes(await principal_for(person.id, Channel.APP), upload_id)


def _in_store(upload_id: str) -> tuple[list[str], list[str]]:
    """The upload's objects and its multipart uploads in the store."""
    endpoint = os.environ["AWS_ENDPOINT_URL"]
    return (
        [key for key in s3_server.objects(endpoint) if upload_id in key],
        [key for key in s3_server.multipart_uploads(endpoint) if upload_id in key],
    )


async def test_an_unfinished_upload_lives_in_the_store_as_a_multipart_upload_and_its_pending_chunks(
    client: httpx.AsyncClient, s3: ThreadedMotoServer
) -> None:
    artisan = await support.artisan(await support.brand())
    data = os.urandom(5000)
    upload_id = await tus.create(client, artisan, len(data))

    for offset in range(0, 3000, 1000):
        assert (await tus.patch(client, artisan, upload_id, offset, data[offset : offset + 1000])).status_code == 204

    objects, multipart = _in_store(upload_id)
    assert [key.rsplit("/", 1)[1] for key in objects] == ["00001.chunk", "00002.chunk", "00003.chunk"]
    assert multipart == [f"brand-photos/uploads/{upload_id}/whole"]
    assert not has_local_bytes(upload_id)


async def test_a_part_over_five_megabytes_goes_into_the_multipart_upload_and_the_whole_file_comes_back(
    client: httpx.AsyncClient, s3: ThreadedMotoServer
) -> None:
    artisan = await support.artisan(await support.brand())
    data = os.urandom(MIN_PART + 300_000)  # not a photo: read back as bytes, before it would be one
    upload_id = await tus.create(client, artisan, len(data))
    step = 1024 * 1024

    for offset in range(0, len(data), step):
        sent = await tus.patch(client, artisan, upload_id, offset, data[offset : offset + step])
        assert sent.status_code == 204, sent.text
        if offset == 4 * step:  # the fifth MiB made the pending chunks a part of 5 MiB
            assert _in_store(upload_id) == ([], [f"brand-photos/uploads/{upload_id}/whole"])

    assert _in_store(upload_id) == ([f"brand-photos/uploads/{upload_id}/whole"], [])
    assert await _whole_file(artisan, upload_id) == data


async def test_two_patches_at_one_offset_one_wins_the_other_gets_409_and_no_byte_of_the_loser_stays(
    client: httpx.AsyncClient, s3: ThreadedMotoServer
) -> None:
    artisan = await support.artisan(await support.brand())
    length = 8 * 2000
    upload_id = await tus.create(client, artisan, length)
    kept = b""
    for round_ in range(8):
        one, other = bytes([round_]) * 2000, bytes([100 + round_]) * 2000
        answers = await asyncio.gather(
            tus.patch(client, artisan, upload_id, len(kept), one),
            tus.patch(client, artisan, upload_id, len(kept), other),
        )
        assert sorted(answer.status_code for answer in answers) == [204, 409]
        kept += one if answers[0].status_code == 204 else other

    assert await _whole_file(artisan, upload_id) == kept
    assert _in_store(upload_id) == ([f"brand-photos/uploads/{upload_id}/whole"], [])


async def test_a_part_with_a_wrong_checksum_is_refused_and_leaves_nothing_in_the_store(
    client: httpx.AsyncClient, s3: ThreadedMotoServer
) -> None:
    artisan = await support.artisan(await support.brand())
    upload_id = await tus.create(client, artisan, 2000)
    wrong = "sha1 " + base64.b64encode(hashlib.sha1(b"something else").digest()).decode()  # noqa: S324
    right = "sha1 " + base64.b64encode(hashlib.sha1(b"a" * 1000).digest()).decode()  # noqa: S324

    refused = await tus.patch(client, artisan, upload_id, 0, b"a" * 1000, **{"Upload-Checksum": wrong})
    assert refused.status_code == 460
    assert _in_store(upload_id)[0] == []
    accepted = await tus.patch(client, artisan, upload_id, 0, b"a" * 1000, **{"Upload-Checksum": right})
    assert accepted.status_code == 204
    assert len(_in_store(upload_id)[0]) == 1


async def test_termination_and_expiry_abort_the_multipart_upload_and_delete_its_chunks(
    client: httpx.AsyncClient, s3: ThreadedMotoServer
) -> None:
    artisan = await support.artisan(await support.brand())
    cancelled, lapsed = await tus.create(client, artisan, 5000), await tus.create(client, artisan, 5000)
    for upload_id in (cancelled, lapsed):
        assert (await tus.patch(client, artisan, upload_id, 0, b"x" * 1000)).status_code == 204
        assert _in_store(upload_id) != ([], [])
    past = dt.datetime.now(dt.UTC) - uploads.EXPIRES_AFTER - dt.timedelta(minutes=1)
    await run("UPDATE upload SET expires_at = {} WHERE id = {}", past + uploads.EXPIRES_AFTER, lapsed)

    deleted = await client.delete(f"{tus.URL}/{cancelled}", headers=artisan.auth | tus.TUS)
    await uploads.remove_expired()

    assert deleted.status_code == 204
    assert _in_store(cancelled) == ([], [])
    assert _in_store(lapsed) == ([], [])
