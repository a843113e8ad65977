"""A local S3 server (moto's server mode, real HTTP) and the environment that points Cunjiang's
stores at it, for the tests of photos and uploads in S3."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from moto.server import ThreadedMotoServer

from backend.core.settings import get_settings
from backend.photos import service, uploads

BUCKET = "cunjiang-photos"


@contextmanager
def moto_server(ip_address: str = "127.0.0.1") -> Iterator[tuple[ThreadedMotoServer, str]]:
    """A running server and its endpoint; a fixed port, so that a restarted server is found again."""
    with socket.socket() as probe:
        probe.bind((ip_address, 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address=ip_address, port=port, verbose=False)
    server.start()
    try:
        yield server, f"http://{ip_address}:{port}"
    finally:
        server.stop()


def client(endpoint: str) -> Any:
    return boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
    )


@contextmanager
def storage_in(endpoint: str, prefix: str = "brand-photos") -> Iterator[str]:
    """Photos and uploads in a new bucket of the server at ``endpoint`` while the block runs;
    the storage URL."""
    url = f"s3://{BUCKET}/{prefix}"
    names = ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "CUNJIANG_STORAGE_URL")
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update(
        AWS_ENDPOINT_URL=endpoint,
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
        AWS_REGION="us-east-1",
        CUNJIANG_STORAGE_URL=url,
    )
    client(endpoint).create_bucket(Bucket=BUCKET)
    _forget_stores()
    try:
        yield url
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        _forget_stores()


def _forget_stores() -> None:
    get_settings.cache_clear()
    service.photo_store.cache_clear()
    uploads.upload_parts.cache_clear()


def objects(endpoint: str) -> list[str]:
    listed = client(endpoint).list_objects_v2(Bucket=BUCKET)
    return [item["Key"] for item in listed.get("Contents", [])]


def multipart_uploads(endpoint: str) -> list[str]:
    listed = client(endpoint).list_multipart_uploads(Bucket=BUCKET)
    return [item["Key"] for item in listed.get("Uploads", [])]
