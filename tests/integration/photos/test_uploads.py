"""Resumable uploads (tus 1.0.0): a third-party tus client, interrupted and resumed, and the
protocol's refusals."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import io
from collections.abc import Iterator

import httpx
import pytest
from PIL import Image
from tusclient.client import TusClient

from backend.db.session import run
from backend.photos import uploads
from tests import support
from tests.integration.photos import tus
from tests.integration.photos.tus import TUS, URL
from tests.servers import running_servers


def noisy_jpeg(width: int = 900, height: int = 700) -> bytes:
    """A photo that does not compress to nothing: a few hundred kilobytes."""
    buffer = io.BytesIO()
    Image.effect_noise((width, height), 60).convert("RGB").save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with running_servers(1) as [url]:
        yield url


async def test_a_tus_client_interrupted_after_two_parts_resumes_with_a_new_client_and_makes_a_photo(
    client: httpx.AsyncClient, server: str
) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    photo = noisy_jpeg()
    headers = {"Authorization": f"Bearer {artisan.token}"}

    def first_two_parts() -> str:
        uploader = TusClient(f"{server}{URL}", headers=headers).uploader(
            file_stream=io.BytesIO(photo),
            chunk_size=40_000,
            metadata={"filename": "work.jpg", "filetype": "image/jpeg"},
            upload_checksum=True,
        )
        uploader.upload_chunk()
        uploader.upload_chunk()
        return str(uploader.url)  # the connection drops here

    def resume(url: str) -> int:
        uploader = TusClient(f"{server}{URL}", headers=headers).uploader(
            file_stream=io.BytesIO(photo), url=url, chunk_size=40_000, upload_checksum=True
        )
        start = uploader.offset  # asked of the server (HEAD), not remembered by the client
        uploader.upload()
        return int(start)

    location = await asyncio.to_thread(first_two_parts)
    resumed_from = await asyncio.to_thread(resume, location)
    upload_id = location.rsplit("/", 1)[1]
    made = await support.ok(
        await client.post("/api/v1/photos", json={"upload_id": upload_id}, headers=artisan.auth), 201
    )

    assert resumed_from == 80_000
    assert (made["width"], made["height"]) == (900, 700)
    assert not tus.has_local_bytes(upload_id)  # the bytes went with the upload
    assert await run("SELECT id FROM upload WHERE id = {}", upload_id) == []


async def test_options_says_what_the_server_speaks(client: httpx.AsyncClient) -> None:
    answer = await client.options(URL)
    assert answer.status_code == 204
    assert answer.headers["tus-version"] == "1.0.0"
    assert set(answer.headers["tus-extension"].split(",")) == {
        "creation",
        "creation-with-upload",
        "expiration",
        "termination",
        "checksum",
    }
    assert int(answer.headers["tus-max-size"]) >= 10 * 1024 * 1024
    assert "sha1" in answer.headers["tus-checksum-algorithm"]


async def test_creation_with_upload_head_and_the_offset_rules(client: httpx.AsyncClient) -> None:
    artisan = await support.artisan(await support.brand())
    photo = noisy_jpeg(300, 200)
    first = photo[:1000]
    created = await client.post(
        URL,
        content=first,
        headers=artisan.auth
        | TUS
        | {"Upload-Length": str(len(photo)), "Content-Type": "application/offset+octet-stream"},
    )
    upload_id = created.headers["location"].rsplit("/", 1)[1]

    state = await client.head(f"{URL}/{upload_id}", headers=artisan.auth | TUS)
    wrong = await tus.patch(client, artisan, upload_id, 0, photo[:10])
    unfinished = await client.post("/api/v1/photos", json={"upload_id": upload_id}, headers=artisan.auth)
    rest = await tus.patch(client, artisan, upload_id, 1000, photo[1000:])

    assert (created.status_code, created.headers["upload-offset"]) == (201, "1000")
    assert "upload-expires" in created.headers
    assert (state.status_code, state.headers["upload-offset"], state.headers["upload-length"]) == (
        200,
        "1000",
        str(len(photo)),
    )
    assert state.headers["cache-control"] == "no-store"
    assert support.refused(wrong, 409, "upload_offset_mismatch")
    assert support.refused(unfinished, 409, "upload_unfinished")
    assert (rest.status_code, rest.headers["upload-offset"]) == (204, str(len(photo)))


async def test_a_part_that_does_not_match_its_checksum_is_refused_with_460_and_not_kept(
    client: httpx.AsyncClient,
) -> None:
    artisan = await support.artisan(await support.brand())
    upload_id = await tus.create(client, artisan, 100)
    good = base64.b64encode(hashlib.sha1(b"x" * 50).digest()).decode()  # noqa: S324 - tus's checksum

    bad = await tus.patch(client, artisan, upload_id, 0, b"y" * 50, **{"Upload-Checksum": f"sha1 {good}"})
    fine = await tus.patch(client, artisan, upload_id, 0, b"x" * 50, **{"Upload-Checksum": f"sha1 {good}"})
    unknown = await tus.patch(client, artisan, upload_id, 50, b"x", **{"Upload-Checksum": f"crc32 {good}"})

    assert support.refused(bad, 460, "checksum_mismatch")
    assert fine.headers["upload-offset"] == "50"
    support.refused(unknown, 422, "invalid")


async def test_the_protocol_refusals(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan, other = await support.artisan(brand), await support.artisan(brand)
    upload_id = await tus.create(client, artisan, 100)

    no_version = await client.head(f"{URL}/{upload_id}", headers=artisan.auth)
    too_big = await client.post(URL, headers=artisan.auth | TUS | {"Upload-Length": str(200 * 1024 * 1024)})
    no_length = await client.post(URL, headers=artisan.auth | TUS)
    wrong_type = await client.patch(
        f"{URL}/{upload_id}",
        content=b"x",
        headers=artisan.auth | TUS | {"Upload-Offset": "0", "Content-Type": "text/plain"},
    )
    beyond = await tus.patch(client, artisan, upload_id, 0, b"x" * 101)
    not_yours = await client.head(f"{URL}/{upload_id}", headers=other.auth | TUS)
    anonymous = await client.head(f"{URL}/{upload_id}", headers=TUS)
    outsider = await client.post(URL, headers=TUS | {"Upload-Length": "10"})

    assert (no_version.status_code, no_version.headers["tus-version"]) == (412, "1.0.0")
    support.refused(too_big, 413, "too_large")
    support.refused(no_length, 400, "invalid_request")
    support.refused(wrong_type, 415)
    support.refused(beyond, 422, "invalid")
    assert not_yours.status_code == 404
    assert anonymous.status_code == 401
    support.refused(outsider, 401)


async def test_termination_and_expiry_remove_the_bytes(client: httpx.AsyncClient) -> None:
    artisan = await support.artisan(await support.brand())
    cancelled, lapsed = await tus.create(client, artisan, 10), await tus.create(client, artisan, 10)
    await tus.patch(client, artisan, lapsed, 0, b"12345")
    past = dt.datetime.now(dt.UTC) - dt.timedelta(hours=25)
    await run(
        "UPDATE upload SET created_at = {}, expires_at = {} WHERE id = {}", past, past + uploads.EXPIRES_AFTER, lapsed
    )

    deleted = await client.delete(f"{URL}/{cancelled}", headers=artisan.auth | TUS)
    gone = await client.head(f"{URL}/{cancelled}", headers=artisan.auth | TUS)
    expired = await client.head(f"{URL}/{lapsed}", headers=artisan.auth | TUS)
    await uploads.remove_expired()  # (a worker round of another test may have done it first)

    assert deleted.status_code == 204
    assert [gone.status_code, expired.status_code] == [404, 404]
    assert not await run("SELECT 1 AS x FROM upload WHERE id IN ({}, {})", cancelled, lapsed)
    assert not tus.has_local_bytes(cancelled)
    assert not tus.has_local_bytes(lapsed)
