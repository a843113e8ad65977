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

JobId = Annotated[
    int,
    msgspec.Meta(
        ge=1, le=2**31 - 1, description="The job the photo shows: it is then the job's brand's (an artisan of several)."
    ),
]


class PhotoFromUpload(Wire):
    upload_id: Annotated[
        str, msgspec.Meta(pattern=r"^[0-9a-f]{32}$", description="The last segment of the upload's Location.")
    ]
    job_id: JobId | None = None


def _job_id(text: object) -> int:
    """A multipart ``job_id``: ASCII digits, in range (400 otherwise)."""
    value = str(text)
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) < 2**31:
        raise ValidationException("job_id: the id of a job")
    return int(value)


class PhotoController(Controller):
    tags = ("photos",)

    # A photo is one row per owner and content, so a repeat has no second effect by itself:
    # the decoding runs outside any transaction, even under an Idempotency-Key.
    @post(
        "/photos",
        request_max_body_size=MAX_UPLOAD_BYTES + 64 * 1024,
        opt={"exactly_once": "by_content"},
        summary="A photo: a multipart 'file', or JSON {upload_id} for a finished resumable upload; with the "
        "job_id it shows (optional), it is that job's brand's",
    )
    async def upload(self, request: Request[Any, Any, Any], principal: NamedDependency[Principal]) -> PhotoRead:
        if request.headers.get("content-type", "").split(";")[0].strip().lower() == "application/json":
            try:
                wanted = msgspec.json.decode(await request.body(), type=PhotoFromUpload)
            except msgspec.MsgspecError as error:
                raise ValidationException(str(error)) from error
            if wanted.job_id is not None:
                principal = await photo_access.for_job(principal, wanted.job_id)
            return await service.photo_from_upload(principal, wanted.upload_id)
        form = await request.form()
        sent, job_id = form.get("file"), form.get("job_id")
        if not isinstance(sent, UploadFile):
            raise ValidationException("a multipart 'file' is required")
        if job_id is not None:
            principal = await photo_access.for_job(principal, _job_id(job_id))
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
