"""tus 1.0.0 over HTTP at /api/v1/uploads: core (HEAD, PATCH, OPTIONS) and the creation,
creation-with-upload, expiration, termination and checksum extensions (CONTRACT.md)."""

from __future__ import annotations

from email.utils import format_datetime
from typing import Any

from litestar import Controller, Request, Response, delete, head, patch, post, route
from litestar.di import NamedDependency
from litestar.enums import HttpMethod
from litestar.params import FromPath

from backend.core.errors import Unsupported
from backend.core.i18n import N_
from backend.core.types import Principal
from backend.http.params import ascii_number
from backend.photos import uploads
from backend.photos.processing import MAX_UPLOAD_BYTES

TUS_VERSION = "1.0.0"
EXTENSIONS = "creation,creation-with-upload,expiration,termination,checksum"
OFFSET_STREAM = "application/offset+octet-stream"
PART_MAX = MAX_UPLOAD_BYTES + 64 * 1024  # a client may send the whole file in one part
UploadId = FromPath[str]


def _headers(state: uploads.UploadState | None = None, **more: str) -> dict[str, str]:
    found = {"Tus-Resumable": TUS_VERSION, "Cache-Control": "no-store", **more}
    if state is not None:
        found["Upload-Offset"] = str(state.offset)
        found["Upload-Expires"] = format_datetime(state.expires_at, usegmt=True)
    return found


def _unsupported_version(request: Request[Any, Any, Any]) -> Response[None] | None:
    """412 for a client that does not speak our version (tus: every request but OPTIONS says it)."""
    if request.headers.get("tus-resumable") == TUS_VERSION:
        return None
    return Response(None, status_code=412, headers={"Tus-Version": TUS_VERSION, "Tus-Resumable": TUS_VERSION})


async def _part(request: Request[Any, Any, Any]) -> bytes:
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != OFFSET_STREAM:
        raise Unsupported(N_("Send the part as application/offset+octet-stream."))
    return await request.body()


class UploadController(Controller):
    path = "/uploads"
    tags = ("uploads",)

    @route("/", http_method=[HttpMethod.OPTIONS], status_code=204, summary="What this tus server supports")
    async def capabilities(self) -> Response[None]:
        return Response(
            None,
            status_code=204,
            headers=_headers(
                None,
                **{
                    "Tus-Version": TUS_VERSION,
                    "Tus-Extension": EXTENSIONS,
                    "Tus-Max-Size": str(MAX_UPLOAD_BYTES),
                    "Tus-Checksum-Algorithm": ",".join(uploads.CHECKSUMS),
                },
            ),
        )

    @post(
        "/", status_code=201, request_max_body_size=PART_MAX, summary="Create an upload (tus), with a first part or not"
    )
    async def create(self, request: Request[Any, Any, Any], principal: NamedDependency[Principal]) -> Response[None]:
        if refused := _unsupported_version(request):
            return refused
        length = ascii_number(request, "Upload-Length")
        state = await uploads.create_upload(
            principal, length, uploads.parse_metadata(request.headers.get("upload-metadata"))
        )
        if request.content_length:  # creation-with-upload: the first part rides along
            part = await _part(request)
            state = await uploads.append(principal, state.id, 0, part, request.headers.get("upload-checksum"))
        # A path, resolved by the client against the address it used: right behind any proxy.
        location = f"/api/v1/uploads/{state.id}"
        return Response(None, status_code=201, headers=_headers(state, Location=location))

    @head("/{upload_id:str}", summary="Where an upload stands (tus)")
    async def state(
        self, request: Request[Any, Any, Any], principal: NamedDependency[Principal], upload_id: UploadId
    ) -> Response[None]:
        if refused := _unsupported_version(request):
            return refused
        state = await uploads.upload_state(principal, upload_id)
        return Response(None, status_code=200, headers=_headers(state, **{"Upload-Length": str(state.length)}))

    @patch("/{upload_id:str}", status_code=204, request_max_body_size=PART_MAX, summary="Send the next part (tus)")
    async def append(
        self, request: Request[Any, Any, Any], principal: NamedDependency[Principal], upload_id: UploadId
    ) -> Response[None]:
        if refused := _unsupported_version(request):
            return refused
        offset = ascii_number(request, "Upload-Offset")
        part = await _part(request)
        state = await uploads.append(principal, upload_id, offset, part, request.headers.get("upload-checksum"))
        return Response(None, status_code=204, headers=_headers(state))

    @delete("/{upload_id:str}", status_code=204, summary="Cancel an upload and remove its bytes (tus)")
    async def terminate(
        self, request: Request[Any, Any, Any], principal: NamedDependency[Principal], upload_id: UploadId
    ) -> Response[None]:
        if refused := _unsupported_version(request):
            return refused
        await uploads.terminate(principal, upload_id)
        return Response(None, status_code=204, headers=_headers())
