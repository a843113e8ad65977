"""``AWS_VIRTUAL_HOSTED_STYLE_REQUEST=true`` (Aliyun OSS answers nothing else): both S3 clients,
the photo store's and the uploads', put the bucket in the host name, not in the path.

What they send is seen by a local HTTP proxy (the standard ``HTTP_PROXY``, which both
clients honour) that records each request and answers as S3 would: no DNS name for the
bucket's host is needed, and the requests are the clients' real ones."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from backend.photos.storage import S3PhotoStore
from backend.photos.upload_parts_s3 import S3UploadParts

ENDPOINT = "http://oss-cn-hangzhou.aliyuncs.test:9000"  # never resolved: the proxy answers
STARTED = (
    b'<?xml version="1.0" encoding="UTF-8"?><InitiateMultipartUploadResult><Bucket>works</Bucket>'
    b"<Key>k</Key><UploadId>upload-1</UploadId></InitiateMultipartUploadResult>"
)


class RecordingProxy(BaseHTTPRequestHandler):
    """Each request as (method, target, Host); answered 200, as S3 answers a PUT or a new
    multipart upload."""

    seen: ClassVar[list[tuple[str, str, str]]] = []

    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        self.seen.append((self.command, self.path, self.headers.get("host", "")))
        body = STARTED if self.command == "POST" else b""
        self.send_response(200)
        self.send_header("ETag", '"etag"')
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_PUT(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.fixture
def proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, str, str]]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), RecordingProxy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{server.server_port}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", ENDPOINT)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "ak")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("AWS_REGION", "cn-hangzhou")
    RecordingProxy.seen = []
    yield RecordingProxy.seen
    server.shutdown()
    server.server_close()


async def _photo_and_upload() -> None:
    await S3PhotoStore("s3://works/brand").put("ab/cdef/list.jpg", b"jpeg", "image/jpeg")
    await S3UploadParts("s3://works/brand").start("f00d")


async def test_virtual_hosted_requests_put_the_bucket_in_the_host_name(
    proxy: list[tuple[str, str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_VIRTUAL_HOSTED_STYLE_REQUEST", "true")

    await _photo_and_upload()

    host = "works.oss-cn-hangzhou.aliyuncs.test:9000"
    assert proxy == [
        ("PUT", f"http://{host}/brand/ab/cdef/list.jpg", host),
        ("POST", f"http://{host}/brand/uploads/f00d/whole?uploads", host),
    ]


async def test_without_the_setting_requests_name_the_bucket_in_the_path(
    proxy: list[tuple[str, str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_VIRTUAL_HOSTED_STYLE_REQUEST", raising=False)

    await _photo_and_upload()

    host = "oss-cn-hangzhou.aliyuncs.test:9000"
    assert proxy == [
        ("PUT", f"http://{host}/works/brand/ab/cdef/list.jpg", host),
        ("POST", f"http://{host}/works/brand/uploads/f00d/whole?uploads", host),
    ]
