"""What one person may hold in uploads not yet made photos: how many, how many bytes, how long.

A finished upload waits for ``POST /photos {upload_id}``; until then it holds a slot and
its bytes like an unfinished one, and it expires like one."""

from __future__ import annotations

import asyncio
import datetime as dt

import httpx

from backend.db.session import run
from backend.photos import uploads
from backend.photos.processing import MAX_UPLOAD_BYTES
from tests import support
from tests.integration.photos import tus
from tests.integration.photos.tus import TUS, URL

TOO_MANY, TOO_MANY_BYTES = "too_many_uploads", "too_many_upload_bytes"


async def _photo_from(client: httpx.AsyncClient, person: support.Person, upload_id: str) -> httpx.Response:
    return await client.post("/api/v1/photos", json={"upload_id": upload_id}, headers=person.auth)


async def test_finished_uploads_not_yet_photos_count_towards_the_open_limit(client: httpx.AsyncClient) -> None:
    artisan = await support.artisan(await support.brand())
    first = await tus.finished(client, artisan, support.jpeg_bytes(64, 48))
    for _ in range(uploads.MAX_OPEN - 1):
        await tus.finished(client, artisan, b"x" * 10)

    twenty_first = await tus.create_answer(client, artisan, 10)
    made = await _photo_from(client, artisan, first)
    in_its_place = await tus.create_answer(client, artisan, 10)
    twenty_second = await tus.create_answer(client, artisan, 10)

    support.refused(twenty_first, 409, TOO_MANY)
    assert made.status_code == 201, made.text
    assert in_its_place.status_code == 201, in_its_place.text
    support.refused(twenty_second, 409, TOO_MANY)


async def test_the_bytes_held_in_uploads_not_yet_photos_are_capped(client: httpx.AsyncClient) -> None:
    artisan = await support.artisan(await support.brand())
    whole = uploads.MAX_HELD_BYTES // MAX_UPLOAD_BYTES
    held = [await tus.create(client, artisan, MAX_UPLOAD_BYTES) for _ in range(whole)]
    room = uploads.MAX_HELD_BYTES - whole * MAX_UPLOAD_BYTES

    one_more_photo = await tus.create_answer(client, artisan, MAX_UPLOAD_BYTES)
    up_to_the_cap = await tus.create_answer(client, artisan, room)
    one_byte_over = await tus.create_answer(client, artisan, 1)
    cancelled = await client.delete(f"{URL}/{held[0]}", headers=artisan.auth | TUS)
    after_cancelling = await tus.create_answer(client, artisan, MAX_UPLOAD_BYTES)

    assert whole < uploads.MAX_OPEN, "the bytes cap binds before the count for whole photos"
    support.refused(one_more_photo, 409, TOO_MANY_BYTES)
    assert up_to_the_cap.status_code == 201, up_to_the_cap.text
    support.refused(one_byte_over, 409, TOO_MANY_BYTES)
    assert cancelled.status_code == 204
    assert after_cancelling.status_code == 201, after_cancelling.text


async def test_a_finished_upload_never_made_a_photo_expires_and_its_bytes_go(client: httpx.AsyncClient) -> None:
    artisan = await support.artisan(await support.brand())
    upload_id = await tus.finished(client, artisan, support.jpeg_bytes(64, 48))
    created = dt.datetime.now(dt.UTC) - uploads.EXPIRES_AFTER - dt.timedelta(minutes=1)
    await run(
        "UPDATE upload SET created_at = {}, expires_at = {} WHERE id = {}",
        created,
        created + uploads.EXPIRES_AFTER,
        upload_id,
    )

    state = await client.head(f"{URL}/{upload_id}", headers=artisan.auth | TUS)
    claimed = await _photo_from(client, artisan, upload_id)
    await uploads.remove_expired()

    assert state.status_code == 404
    support.refused(claimed, 404, "not_found")
    assert await run("SELECT id FROM upload WHERE id = {}", upload_id) == []
    assert not tus.has_local_bytes(upload_id)


async def test_simultaneous_creations_never_pass_the_open_limit(client: httpx.AsyncClient) -> None:
    artisan = await support.artisan(await support.brand())

    answers = await asyncio.gather(*[tus.create_answer(client, artisan, 10) for _ in range(30)])

    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201] * uploads.MAX_OPEN + [409] * (30 - uploads.MAX_OPEN)
    assert {answer.json()["code"] for answer in answers if answer.status_code == 409} == {TOO_MANY}
    assert await run("SELECT COUNT(*) AS n FROM upload WHERE owner = {}", artisan.id) == [{"n": uploads.MAX_OPEN}]


async def test_simultaneous_creations_never_pass_the_bytes_cap(client: httpx.AsyncClient) -> None:
    artisan = await support.artisan(await support.brand())
    whole = uploads.MAX_HELD_BYTES // MAX_UPLOAD_BYTES

    answers = await asyncio.gather(*[tus.create_answer(client, artisan, MAX_UPLOAD_BYTES) for _ in range(30)])

    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201] * whole + [409] * (30 - whole)
    assert {answer.json()["code"] for answer in answers if answer.status_code == 409} == {TOO_MANY_BYTES}
    assert await run("SELECT COUNT(*) AS n FROM upload WHERE owner = {}", artisan.id) == [{"n": whole}]
