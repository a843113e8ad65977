"""HTTP routes of photos."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.exceptions import ValidationException
from litestar.params import FromPath

from backend.core.types import Principal, Wire
from backend.http.responses import NO_COMPRESSION, has_current
from backend.jobs import photo_access
from backend.photos import service
from backend.photos.processing import MAX_UPLOAD_BYTES
from backend.photos.schemas import PhotoRead


class PhotoFromUpload(Wire):
    upload_id: Annotated[
        str, msgspec.Meta(pattern=r"^[0-9a-f]{32}$", description="The last segment of the upload's Location.")
    ]


class PhotoController(Controller):
    tags = ("photos",)

    # A photo is one row per owner and content, so a repeat has no second effect by itself:
    # the decoding runs outside any transaction, even under an Idempotency-Key.
    @post(
        "/photos",
        request_max_body_size=MAX_UPLOAD_BYTES + 64 * 1024,
        opt={"exactly_once": "by_content"},
        summary="A photo: a multipart 'file', or JSON {upload_id} for a finished resumable upload",
    )
    async def upload(self, request: Request[Any, Any, Any], principal: NamedDependency[Principal]) -> PhotoRead:
        if request.headers.get("content-type", "").split(";")[0].strip().lower() == "application/json":
            try:
                wanted = msgspec.json.decode(await request.body(), type=PhotoFromUpload)
            except msgspec.MsgspecError as error:
                raise ValidationException(str(error)) from error
            return await service.photo_from_upload(principal, wanted.upload_id)
        sent = (await request.form()).get("file")
        if not isinstance(sent, UploadFile):
            raise ValidationException("a multipart 'file' is required")
        return await service.upload_photo(principal, await sent.read())

    @get(
        "/photos/{photo_id:int}/{size:str}",
        summary="A stored image: list, review or full",
        opt={NO_COMPRESSION: True},  # JPEG and WebP: compressing them again costs time and saves nothing
    )
    async def image(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        photo_id: FromPath[int],
        size: FromPath[Literal["list", "review", "full"]],
    ) -> Response[Any]:
        webp = "image/webp" in request.headers.get("accept", "")
        image = await service.photo_bytes(principal, photo_id, size, photo_access, webp=webp)
        # A stored size never changes (its name is its content): cached for a year, and a
        # repeat asking with its ETag gets 304 without the bytes.
        headers = {"cache-control": "private, max-age=31536000, immutable", "etag": image.etag, "vary": "Accept"}
        if has_current(request, image.etag):
            return Response(content=b"", status_code=304, headers=headers)
        return Response(content=image.data, media_type=image.media_type, headers=headers)
