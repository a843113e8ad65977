"""Exactly once under real concurrency: many requests at the same moment, one effect each."""

from __future__ import annotations

import asyncio
import io
import random
import uuid

import httpx
from PIL import Image

from backend.accounts.tables import Member
from backend.core.types import Role
from backend.jobs.tables import Job
from backend.orders.tables import Order
from backend.payouts.tables import Payout
from backend.photos.tables import Photo
from tests import support
from tests.support import ok


async def test_fifty_simultaneous_accepts_never_over_allocate(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisans = [await support.artisan(brand) for _ in range(50)]
    order = await support.open_order(client, brand, quantity=20)
    jobs = await support.offer(client, brand, order["id"], *[(a, 1) for a in artisans])

    responses = await asyncio.gather(
        *[
            client.post(f"/api/v1/jobs/{job['id']}/accept", json={"quantity": 1}, headers=a.auth)
            for job, a in zip(jobs, artisans, strict=True)
        ]
    )

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 20 + [409] * 30
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"order_full"}
    accepted = await Order.select(Order.quantity_accepted).where(Order.id == order["id"]).first()
    assert accepted == {"quantity_accepted": 20}
    assert await Job.count().where((Job.order == order["id"]) & (Job.status == "accepted")) == 20


async def test_twenty_replays_of_one_idempotency_key_have_one_effect(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    headers = brand.coordinator.auth | {"Idempotency-Key": str(uuid.uuid4())}
    body = support.order_body(title="重放测试")

    responses = await asyncio.gather(*[client.post("/api/v1/orders", json=body, headers=headers) for _ in range(20)])

    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    assert sum(r.headers.get("idempotent-replayed") == "true" for r in responses) == 19
    assert await Order.count().where((Order.brand == brand.id) & (Order.title == "重放测试")) == 1


async def test_replayed_accept_returns_the_first_answer_without_a_second_effect(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    order = await support.open_order(client, brand, quantity=10)
    [job] = await support.offer(client, brand, order["id"], (artisan, 4))
    headers = artisan.auth | {"Idempotency-Key": "outbox-entry-1"}

    responses = await asyncio.gather(
        *[client.post(f"/api/v1/jobs/{job['id']}/accept", json={"quantity": 4}, headers=headers) for _ in range(20)]
    )

    assert {r.status_code for r in responses} == {200}
    assert len({r.content for r in responses}) == 1
    progress = (await ok(await client.get(f"/api/v1/orders/{order['id']}", headers=brand.coordinator.auth)))["progress"]
    assert progress["accepted"] == 4


async def test_two_coordinators_recording_the_same_payout_produce_one_payout(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    second = await support.person(brand.id, Role.COORDINATOR)
    artisan = await support.artisan(brand)
    job_id = (await support.job_in_state(client, brand, artisan, "approved")).job_id

    first, other = await asyncio.gather(
        *[
            client.post(f"/api/v1/jobs/{job_id}/payout", json={"method": "cash"}, headers=c.auth)
            for c in (brand.coordinator, second)
        ]
    )

    assert sorted([first.status_code, other.status_code]) == [201, 409]
    refused = first if first.status_code == 409 else other
    assert refused.json()["code"] == "payout_exists"
    assert await Payout.count().where(Payout.job == job_id) == 1


async def test_crossing_dispatches_to_the_same_artisans_both_succeed(client: httpx.AsyncClient) -> None:
    """Two coordinators offer work to the same 30 artisans, listed in opposite orders (a
    deadlock on PostgreSQL while dispatch locked each artisan, then the feed counter)."""
    brand = await support.brand()
    second = await support.person(brand.id, Role.COORDINATOR)
    artisans = [await support.artisan(brand) for _ in range(30)]
    for _round in range(3):
        orders = [(await support.open_order(client, brand, quantity=100))["id"] for _ in range(2)]
        listed = [[{"artisan_id": a.id, "quantity": 1} for a in artisans] for _ in range(2)]
        listed[1].reverse()

        responses = await asyncio.gather(
            *[
                client.post(f"/api/v1/orders/{order_id}/dispatch", json={"offers": offers}, headers=who.auth)
                for order_id, offers, who in zip(orders, listed, (brand.coordinator, second), strict=True)
            ]
        )

        assert [r.status_code for r in responses] == [201, 201], [r.text[:300] for r in responses]
    codes = await Job.select(Job.artisan, Job.code).where(Job.brand == brand.id)
    assert len(codes) == 6 * 30
    assert len({(row["artisan"], row["code"]) for row in codes}) == 6 * 30


async def test_a_patch_racing_a_dispatch_loses_neither_change(client: httpx.AsyncClient) -> None:
    """A PATCH wrote every column back: a racing dispatch's job code counter went back too,
    and the artisan's next offer then failed on a code already taken."""
    brand = await support.brand()
    artisan = await support.artisan(brand)  # the lowest id: the dispatch reaches it first
    others = [await support.artisan(brand) for _ in range(40)]
    # The PATCH starts a little later each round, to land inside the dispatch's transaction.
    delays = (0.0, 0.01, 0.02, 0.04, 0.08)
    rounds = len(delays)
    for n, delay in enumerate(delays):
        order_id = (await support.open_order(client, brand, quantity=100))["id"]
        offers = [{"artisan_id": a.id, "quantity": 1} for a in (artisan, *others)]

        async def rename(name: str, after: float) -> httpx.Response:
            await asyncio.sleep(after)
            return await client.patch(
                f"/api/v1/artisans/{artisan.id}", json={"name": name}, headers=brand.coordinator.auth
            )

        dispatch, patch = await asyncio.gather(
            client.post(f"/api/v1/orders/{order_id}/dispatch", json={"offers": offers}, headers=brand.coordinator.auth),
            rename(f"绣娘{n}", delay),
        )
        assert (dispatch.status_code, patch.status_code) == (201, 200), (dispatch.text[:300], patch.text)

    seq = Member.person.job_seq.as_alias("job_seq")
    member = await Member.select(Member.name, seq).where(Member.id == artisan.id).first()
    assert member == {"name": f"绣娘{rounds - 1}", "job_seq": rounds}
    codes = await Job.select(Job.code).where(Job.artisan == artisan.id).output(as_list=True)
    assert sorted(codes) == [f"K{n}" for n in range(1, rounds + 1)]


async def test_a_patch_racing_a_deactivation_does_not_undo_it(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    url = f"/api/v1/artisans/{artisan.id}"

    renamed, deactivated = await asyncio.gather(
        *[
            client.patch(url, json=body, headers=brand.coordinator.auth)
            for body in ({"name": "新名字", "locale": "en"}, {"active": False})
        ]
    )

    assert (renamed.status_code, deactivated.status_code) == (200, 200)
    member = (
        await Member.select(Member.name, Member.person.locale.as_alias("locale"), Member.active)
        .where(Member.id == artisan.id)
        .first()
    )
    assert member == {"name": "新名字", "locale": "en", "active": False}


async def test_an_upload_under_a_key_decodes_without_holding_the_write_lock(client: httpx.AsyncClient) -> None:
    """While a big photo is decoded, another write (an order) goes through and finishes first."""
    brand = await support.brand()
    artisan = await support.artisan(brand)
    body, content_type = multipart_photo(noise_jpeg(4800, 3600))
    headers = artisan.auth | {"Idempotency-Key": "big", "Content-Type": content_type}
    finished: list[str] = []

    async def upload() -> httpx.Response:
        response = await client.post("/api/v1/photos", content=body, headers=headers)
        finished.append("upload")
        return response

    async def order_meanwhile() -> httpx.Response:
        await asyncio.sleep(0.1)  # the upload has read its body and is decoding by now
        response = await client.post(
            "/api/v1/orders", json=support.order_body(), headers=brand.coordinator.auth | {"Idempotency-Key": "o"}
        )
        finished.append("order")
        return response

    uploaded, ordered = await asyncio.gather(upload(), order_meanwhile())

    assert (uploaded.status_code, ordered.status_code) == (201, 201), (uploaded.text, ordered.text)
    assert finished == ["order", "upload"]
    again = await client.post("/api/v1/photos", content=body, headers=headers)
    assert again.headers.get("idempotent-replayed") == "true"
    assert again.json() == uploaded.json()
    assert await Photo.count().where(Photo.owner == artisan.id) == 1


async def test_concurrent_uploads_of_one_picture_make_one_photo(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    picture = noise_jpeg(400, 300)

    responses = await asyncio.gather(
        *[
            client.post("/api/v1/photos", files={"file": ("p.jpg", picture, "image/jpeg")}, headers=artisan.auth)
            for _ in range(6)
        ]
    )

    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    assert await Photo.count().where(Photo.owner == artisan.id) == 1


def multipart_photo(jpeg: bytes) -> tuple[bytes, str]:
    """The same bytes every time, as an app's outbox replays them (httpx picks a new boundary)."""
    head = b'--b0undary\r\nContent-Disposition: form-data; name="file"; filename="big.jpg"\r\n'
    head += b"Content-Type: image/jpeg\r\n\r\n"
    return head + jpeg + b"\r\n--b0undary--\r\n", "multipart/form-data; boundary=b0undary"


def noise_jpeg(width: int, height: int) -> bytes:
    """A photo-like JPEG: random pixels decode as slowly as a real picture."""
    image = Image.frombytes("RGB", (width, height), random.randbytes(width * height * 3))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()
