"""Unfinished uploads in the shared S3-compatible store, as tusd's s3store keeps them: one S3
multipart upload per tus upload, completed when the last byte arrives.

S3 takes no part under 5 MiB but the last, and over 2G a PATCH carries some 64 KiB; so each
PATCH's bytes are kept as an object of their own (``uploads/<id>/<attempt>.chunk``) until
the chunks pending make 5 MiB or the upload ends; then that PATCH sends them, with its own
bytes, as the next part (numbered by its attempt, so two hosts never write the same part)
and the chunks go. Each byte is sent to the store about twice, never once per PATCH.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from typing import Any

import boto3
import botocore.exceptions
from botocore.config import Config

from backend.core.errors import NotFound
from backend.core.metrics import PHOTO_STORE_ERRORS
from backend.photos.storage import StoreUnavailable, is_virtual_hosted
from backend.photos.upload_parts import Chunk, Held, Part

MIN_PART = 5 * 1024 * 1024  # S3's smallest part but the last


def s3_config() -> Config:
    """boto3's settings for our store: virtual-hosted requests when asked (Aliyun OSS takes
    nothing else), else path style (MinIO, moto); bounded retries and timeouts."""
    style = "virtual" if is_virtual_hosted() else "path"
    return Config(
        s3={"addressing_style": style},
        retries={"max_attempts": 4, "mode": "standard"},
        connect_timeout=5,
        read_timeout=30,
    )


class S3UploadParts:
    """``s3://bucket/prefix``: parts under ``prefix/uploads/``, endpoint and keys from ``AWS_*``."""

    def __init__(self, url: str) -> None:
        bucket, _, prefix = url.removeprefix("s3://").partition("/")
        self.bucket = bucket
        self.prefix = f"{prefix.strip('/')}/uploads/" if prefix.strip("/") else "uploads/"
        self._client = boto3.client(
            "s3",
            endpoint_url=os.environ.get("AWS_ENDPOINT_URL") or None,
            region_name=os.environ.get("AWS_REGION") or None,
            config=s3_config(),
        )

    async def start(self, upload_id: str) -> Held:
        made = await self._call("create_multipart_upload", Key=self._whole(upload_id))
        return Held(multipart=made["UploadId"])

    async def write(self, upload_id: str, held: Held, attempt: int, part: bytes, *, is_last: bool) -> Held:
        pending = sum(chunk.size for chunk in held.chunks) + len(part)
        if pending < MIN_PART and not is_last:
            await self._call("put_object", Key=self._chunk(upload_id, attempt), Body=part)
            return Held(held.multipart, held.parts, (*held.chunks, Chunk(attempt, len(part))))
        kept = [await self._get(self._chunk(upload_id, chunk.attempt)) for chunk in held.chunks]
        data = b"".join(kept) + part
        sent = await self._call(
            "upload_part",
            Key=self._whole(upload_id),
            UploadId=held.multipart,
            PartNumber=attempt,
            Body=data,
        )
        return Held(held.multipart, (*held.parts, Part(attempt, sent["ETag"], len(data))), ())

    async def settle(self, upload_id: str, before: Held, after: Held, *, is_last: bool) -> None:
        for chunk in set(before.chunks) - set(after.chunks):  # now inside a part
            await self._call("delete_object", Key=self._chunk(upload_id, chunk.attempt))
        if is_last:
            await self._complete(upload_id, after)

    async def discard(self, upload_id: str, before: Held, after: Held) -> None:
        # A part the loser sent has a number no winner lists: completion leaves it out.
        for chunk in set(after.chunks) - set(before.chunks):
            await self._call("delete_object", Key=self._chunk(upload_id, chunk.attempt))

    async def read(self, upload_id: str, held: Held) -> bytes:
        """The whole file; completed now if the PATCH that finished it could not."""
        try:
            return await self._get(self._whole(upload_id))
        except NotFound:
            await self._complete(upload_id, held)
            return await self._get(self._whole(upload_id))

    async def remove(self, upload_id: str, held: Held) -> None:
        """Abort the multipart upload and delete everything under the upload's prefix."""
        if held.multipart:
            with contextlib.suppress(NotFound):  # completed, or aborted already
                await self._call("abort_multipart_upload", Key=self._whole(upload_id), UploadId=held.multipart)
        listed = await self._call("list_objects_v2", Prefix=f"{self.prefix}{upload_id}/")
        for item in listed.get("Contents", []):
            await self._call("delete_object", Key=item["Key"])

    async def _complete(self, upload_id: str, held: Held) -> None:
        parts = [{"PartNumber": part.number, "ETag": part.etag} for part in held.parts]
        await self._call(
            "complete_multipart_upload",
            Key=self._whole(upload_id),
            UploadId=held.multipart,
            MultipartUpload={"Parts": parts},
        )

    async def _get(self, key: str) -> bytes:
        found = await self._call("get_object", Key=key)
        return await asyncio.to_thread(found["Body"].read)

    async def _call(self, operation: str, **params: Any) -> dict[str, Any]:
        """One S3 call off the event loop; a missing key or upload is NotFound, the store
        unreachable or failing is StoreUnavailable (503)."""
        try:
            answer: dict[str, Any] = await asyncio.to_thread(
                getattr(self._client, operation), Bucket=self.bucket, **params
            )
        except botocore.exceptions.ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "NoSuchUpload", "404"):
                raise NotFound() from error
            PHOTO_STORE_ERRORS.labels("s3", operation).inc()
            raise StoreUnavailable() from error
        except botocore.exceptions.BotoCoreError as error:
            PHOTO_STORE_ERRORS.labels("s3", operation).inc()
            raise StoreUnavailable() from error
        return answer

    def _whole(self, upload_id: str) -> str:
        return f"{self.prefix}{upload_id}/whole"

    def _chunk(self, upload_id: str, attempt: int) -> str:
        return f"{self.prefix}{upload_id}/{attempt:05d}.chunk"
