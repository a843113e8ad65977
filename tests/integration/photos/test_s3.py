"""Photos in an S3-compatible store, over real HTTP to a local S3 server (moto's server mode):
finished photos live in the store only; a store that is down refuses the upload clearly and
leaves no half photo."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import boto3
import httpx
import pytest
from moto.server import ThreadedMotoServer

from backend.core.settings import get_settings
from backend.db.session import run
from backend.photos import service, uploads
from tests import support

BUCKET = "cunjiang-photos"


@pytest.fixture(scope="module")
def s3() -> Iterator[ThreadedMotoServer]:
    with socket.socket() as probe:  # a fixed port, so that a restarted server is found again
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    host = "127.0.0.1"
    saved = {
        k: os.environ.get(k)
        for k in (
            "AWS_ENDPOINT_URL",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_REGION",
            "CUNJIANG_STORAGE_URL",
        )
    }
    os.environ.update(
        AWS_ENDPOINT_URL=f"http://{host}:{port}",
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
        AWS_REGION="us-east-1",
        CUNJIANG_STORAGE_URL=f"s3://{BUCKET}/brand-photos",
    )
    boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"]).create_bucket(Bucket=BUCKET)
    get_settings.cache_clear()
    service.photo_store.cache_clear()
    yield server
    server.stop()
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    get_settings.cache_clear()
    service.photo_store.cache_clear()


def _objects() -> list[str]:
    listed = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"]).list_objects_v2(Bucket=BUCKET)
    return [item["Key"] for item in listed.get("Contents", [])]


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
    assert not uploads._file(upload_id).exists()
    assert not [key for key in _objects() if upload_id in key]
