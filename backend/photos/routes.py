"""HTTP routes of photos."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from litestar import Controller, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath, MultipartBody

from backend.core.types import Principal
from backend.photos import service
from backend.photos.processing import MAX_UPLOAD_BYTES
from backend.photos.schemas import PhotoRead


@dataclass
class PhotoUpload:
    file: UploadFile


class PhotoController(Controller):
    tags = ("photos",)

    # A photo is one row per owner and content, so a repeat has no second effect by itself:
    # the decoding runs outside any transaction, even under an Idempotency-Key.
    @post(
        "/photos",
        request_max_body_size=MAX_UPLOAD_BYTES + 64 * 1024,
        opt={"exactly_once": "by_content"},
        summary="Upload a photo (multipart 'file')",
    )
    async def upload(self, principal: NamedDependency[Principal], data: MultipartBody[PhotoUpload]) -> PhotoRead:
        return await service.upload_photo(principal, await data.file.read())

    @get("/photos/{photo_id:int}/{size:str}", summary="A stored image: list, review or full")
    async def image(
        self,
        principal: NamedDependency[Principal],
        photo_id: FromPath[int],
        size: FromPath[Literal["list", "review", "full"]],
    ) -> Response[Any]:
        blob = await service.photo_bytes(principal, photo_id, size)
        return Response(
            content=blob, media_type="image/jpeg", headers={"cache-control": "private, max-age=31536000, immutable"}
        )
