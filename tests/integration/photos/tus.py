"""Requests of the tus protocol, as a tus client sends them, for the upload tests."""

from __future__ import annotations

import base64

import httpx

from backend.core.settings import get_settings
from tests import support

URL = "/api/v1/uploads"
TUS = {"Tus-Resumable": "1.0.0"}


def metadata(**values: str) -> str:
    return ",".join(f"{key} {base64.b64encode(value.encode()).decode()}" for key, value in values.items())


async def create_answer(
    client: httpx.AsyncClient, person: support.Person, length: int, **headers: str
) -> httpx.Response:
    """``POST /uploads`` of an upload of ``length`` bytes, answered or refused."""
    sent = person.auth | TUS | {"Upload-Length": str(length), "Upload-Metadata": metadata(filename="w.jpg")} | headers
    return await client.post(URL, headers=sent)


async def create(client: httpx.AsyncClient, person: support.Person, length: int, **headers: str) -> str:
    """A new upload of ``length`` bytes; its ``upload_id``."""
    answer = await create_answer(client, person, length, **headers)
    assert answer.status_code == 201, answer.text
    return answer.headers["location"].rsplit("/", 1)[1]


async def patch(
    client: httpx.AsyncClient, person: support.Person, upload_id: str, offset: int, part: bytes, **headers: str
) -> httpx.Response:
    sent = (
        person.auth | TUS | {"Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"} | headers
    )
    return await client.patch(f"{URL}/{upload_id}", content=part, headers=sent)


async def finished(client: httpx.AsyncClient, person: support.Person, data: bytes) -> str:
    """An upload of ``data``, sent whole: finished, not yet a photo; its ``upload_id``."""
    upload_id = await create(client, person, len(data))
    answer = await patch(client, person, upload_id, 0, data)
    assert answer.status_code == 204, answer.text
    return upload_id


def has_local_bytes(upload_id: str) -> bool:
    """Whether the upload's bytes are in the local folder (the store without ``s3://``)."""
    return (get_settings().data_dir / "uploads" / upload_id).exists()
