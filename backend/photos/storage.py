"""Where photo files live: a small port, a local directory, and a factory for the settings URL."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path, PurePosixPath
from typing import NamedTuple, Protocol
from urllib.parse import unquote, urlsplit

import obstore
import obstore.exceptions
from obstore.store import S3Store

from backend.core.errors import Unavailable
from backend.core.i18n import N_
from backend.core.metrics import PHOTO_STORE_ERRORS


class Stored(NamedTuple):
    """One object of a store, as a listing gives it."""

    key: str
    size: int


class PhotoStore(Protocol):
    async def put(self, key: str, data: bytes, content_type: str) -> None: ...

    async def get(self, key: str) -> bytes | None: ...

    def listing(self) -> AsyncIterator[list[Stored]]:
        """Every photo object, in batches: for backups (``backend.ops.backup``). Unfinished
        uploads (``uploads/``, where the S3 store keeps them) and half-written files are no
        photos and are left out."""
        ...


UPLOADS_PREFIX = "uploads/"  # where S3UploadParts keeps unfinished uploads, beside the photos
LISTING_BATCH = 1000


def photo_key(content_hash: str, size: str, kind: str = "jpg") -> str:
    """``ab/cdef…/list.jpg``: two letters of fan-out keep any one directory small."""
    return f"{content_hash[:2]}/{content_hash[2:]}/{size}.{kind}"


class LocalPhotoStore:
    """Files under ``root``; a reader never sees half a file, even after a crash."""

    def __init__(self, root: Path) -> None:
        self.root = root

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        # The key's extension already says what the file is; content_type is for stores
        # that serve files themselves.
        try:
            await asyncio.to_thread(_write_atomically, self._path(key), data)
        except OSError:
            PHOTO_STORE_ERRORS.labels("local", "put").inc()  # a full or read-only disk
            raise

    async def get(self, key: str) -> bytes | None:
        try:
            return await asyncio.to_thread(_read_or_none, self._path(key))
        except OSError:
            PHOTO_STORE_ERRORS.labels("local", "get").inc()
            raise

    async def listing(self) -> AsyncIterator[list[Stored]]:
        found = await asyncio.to_thread(_walk, self.root)
        for start in range(0, len(found), LISTING_BATCH):
            yield found[start : start + LISTING_BATCH]

    def _path(self, key: str) -> Path:
        parts = PurePosixPath(key).parts
        # Keys are built by us, but a path that leaves the root is never a photo.
        if not parts or key.startswith("/") or "\\" in key or "\x00" in key or ".." in parts:
            raise ValueError(f"photo key must be a relative path inside the store: {key!r}")
        return self.root.joinpath(*parts)


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # A temporary file in the same directory, so that os.replace is a rename on one file system.
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        # mkstemp makes files only the owner can read; a web server may serve this folder.
        Path(tmp_name).chmod(0o644)
        Path(tmp_name).replace(path)  # os.replace: readers see the old file or the new one
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    # Without this a crash can forget the rename while the database already names the photo.
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _walk(root: Path) -> list[Stored]:
    """Every file under ``root`` but the temporary ones of writes under way (dot files)."""
    found = []
    for folder, dirs, files in os.walk(root):
        if Path(folder) == root and UPLOADS_PREFIX.rstrip("/") in dirs:
            dirs.remove(UPLOADS_PREFIX.rstrip("/"))
        for name in files:
            if name.startswith("."):
                continue
            path = Path(folder) / name
            found.append(Stored(path.relative_to(root).as_posix(), path.stat().st_size))
    return sorted(found)


def _read_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


def is_virtual_hosted() -> bool:
    """``AWS_VIRTUAL_HOSTED_STYLE_REQUEST=true``: the bucket in the host name
    (``bucket.oss-cn-hangzhou.aliyuncs.com/key``), which Aliyun OSS requires, instead of
    the path (``endpoint/bucket/key``)."""
    return os.environ.get("AWS_VIRTUAL_HOSTED_STYLE_REQUEST", "").strip().lower() == "true"


def bucket_endpoint(endpoint: str, url: str) -> str:
    """``https://oss-cn-hangzhou.aliyuncs.com`` and ``s3://bucket/…`` → ``https://bucket.oss-cn-hangzhou.aliyuncs.com``."""
    bucket = urlsplit(url).netloc
    parts = urlsplit(endpoint)
    if parts.netloc.startswith(f"{bucket}."):  # given with the bucket already
        return f"{parts.scheme}://{parts.netloc}"
    return f"{parts.scheme}://{bucket}.{parts.netloc}"


class StoreUnavailable(Unavailable):
    code = "storage_unavailable"
    message = N_("Photos cannot be stored just now. Please try again in a few minutes.")


# A store down for a moment is retried (about 10 s in all); longer, the upload is refused.
S3_RETRY = {
    "max_retries": 4,
    "backoff": {"init_backoff": dt.timedelta(milliseconds=200), "max_backoff": dt.timedelta(seconds=4), "base": 2},
    "retry_timeout": dt.timedelta(seconds=10),
}


class S3PhotoStore:
    """Any S3-compatible store (AWS S3, MinIO, Aliyun OSS, moto in tests) through obstore:
    ``s3://bucket/prefix``, with the endpoint and keys from the usual ``AWS_*`` variables."""

    def __init__(self, url: str) -> None:
        endpoint = os.environ.get("AWS_ENDPOINT_URL", "")
        options = {"allow_http": endpoint.startswith("http://"), "timeout": "30s", "connect_timeout": "5s"}
        config = {}
        if is_virtual_hosted() and endpoint:
            # obstore sends virtual-hosted requests to the endpoint as given: the bucket goes in it.
            config = {"virtual_hosted_style_request": True, "endpoint": bucket_endpoint(endpoint, url)}
        self._store = S3Store.from_url(url, config=config, client_options=options, retry_config=S3_RETRY)  # type: ignore[arg-type]

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        # One PUT: S3 shows an object whole or not at all.
        try:
            await obstore.put_async(self._store, key, data, attributes={"Content-Type": content_type})
        except obstore.exceptions.BaseError as error:
            PHOTO_STORE_ERRORS.labels("s3", "put").inc()
            raise StoreUnavailable() from error

    async def get(self, key: str) -> bytes | None:
        try:
            found = await obstore.get_async(self._store, key)
            return bytes(await found.bytes_async())
        except FileNotFoundError:
            return None
        except obstore.exceptions.BaseError as error:
            PHOTO_STORE_ERRORS.labels("s3", "get").inc()
            raise StoreUnavailable() from error

    async def listing(self) -> AsyncIterator[list[Stored]]:
        try:
            async for batch in obstore.list(self._store, chunk_size=LISTING_BATCH):
                yield [
                    Stored(str(meta["path"]), int(meta["size"]))
                    for meta in batch
                    if not str(meta["path"]).startswith(UPLOADS_PREFIX)
                ]
        except obstore.exceptions.BaseError as error:
            PHOTO_STORE_ERRORS.labels("s3", "list").inc()
            raise StoreUnavailable() from error


def store_from_url(url: str) -> PhotoStore:
    """The store named by CUNJIANG_STORAGE_URL: a plain path, a ``file://`` URL, or ``s3://bucket/prefix``."""
    if url.startswith("s3://"):
        return S3PhotoStore(url)
    if url.startswith("file://"):
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise ValueError(f"CUNJIANG_STORAGE_URL: a file:// URL names a local path, not a host: {url!r}")
        return LocalPhotoStore(Path(unquote(parts.path)))
    if "://" in url:
        raise ValueError(f"CUNJIANG_STORAGE_URL: unknown storage scheme in {url!r}")
    if not url.strip():
        raise ValueError("CUNJIANG_STORAGE_URL is empty")
    return LocalPhotoStore(Path(url))
