"""The whole loop through the HTTP API: order → offer → accept → submit → review → payout → confirm."""

from __future__ import annotations

import httpx

from backend.audit import history
from backend.core.types import Role
from tests import support
from tests.support import ok


async def test_core_loop_from_order_to_confirmed_payout(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    order = await support.open_order(client, brand, quantity=20, unit_price_fen=4500)
    [job] = await support.offer(client, brand, order["id"], (artisan, 15))
    assert (job["status"], job["code"]) == ("offered", "K1")

    job = await ok(await client.post(f"/api/v1/jobs/{job['id']}/accept", json={"quantity": 12}, headers=artisan.auth))
    assert (job["status"], job["quantity_accepted"]) == ("accepted", 12)

    files = {"file": ("work.jpg", support.jpeg_bytes(), "image/jpeg")}
    photo = await ok(await client.post("/api/v1/photos", files=files, headers=artisan.auth), 201)
    submission = await ok(
        await client.post(
            f"/api/v1/jobs/{job['id']}/submissions",
            json={"quantity": 12, "photo_ids": [photo["id"]]},
            headers=artisan.auth,
        ),
        201,
    )
    queue = await ok(await client.get("/api/v1/submissions?status=submitted", headers=brand.coordinator.auth))
    assert [s["id"] for s in queue["submissions"]] == [submission["id"]]

    await ok(
        await client.post(
            f"/api/v1/submissions/{submission['id']}/review",
            json={"decision": "approve"},
            headers=brand.coordinator.auth,
        )
    )
    payout = await ok(
        await client.post(
            f"/api/v1/jobs/{job['id']}/payout",
            json={"method": "wechat", "reference": "WX1"},
            headers=brand.coordinator.auth,
        ),
        201,
    )
    assert (payout["amount_fen"], payout["status"]) == (12 * 4500, "paid")

    confirmed = await ok(await client.post(f"/api/v1/payouts/{payout['id']}/confirm", headers=artisan.auth))
    assert confirmed["status"] == "confirmed"

    progress = (await ok(await client.get(f"/api/v1/orders/{order['id']}", headers=brand.coordinator.auth)))["progress"]
    assert progress == {
        "quantity": 20,
        "accepted": 12,
        "submitted": 12,
        "approved": 12,
        "paid": 12,
        "offered_open": 0,
        "price_low": 0,
    }

    trail = [(e["action"], e["from_status"], e["to_status"], e["channel"]) for e in await history("job", job["id"])]
    assert trail == [
        ("offer", "", "offered", "console"),
        ("accept", "offered", "accepted", "app"),
        ("submit", "accepted", "submitted", "app"),
        ("approve", "submitted", "approved", "console"),
        ("pay", "approved", "paid", "console"),
        ("confirm", "paid", "confirmed", "app"),
    ]


async def test_a_village_leader_submits_on_behalf_of_an_artisan_and_the_trail_says_so(
    client: httpx.AsyncClient,
) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    leader = await support.person(brand.id, Role.LEADER, village_id=brand.villages[0])
    work = await support.job_in_state(client, brand, artisan, "accepted", quantity=6)
    photo = await support.upload_photo(client, leader)

    submission = await ok(
        await client.post(
            f"/api/v1/jobs/{work.job_id}/submissions", json={"quantity": 6, "photo_ids": [photo]}, headers=leader.auth
        ),
        201,
    )

    assert submission["channel"] == "on-behalf"
    [event] = [e for e in await history("job", work.job_id) if e["action"] == "submit"]
    assert (event["channel"], event["actor"], event["on_behalf_of"]) == ("on-behalf", leader.id, artisan.id)
    coordinator_view = await client.get(f"/api/v1/photos/{photo}/review", headers=brand.coordinator.auth)
    assert coordinator_view.status_code == 200
    assert coordinator_view.headers["content-type"] == "image/jpeg"
    artisan_view = await client.get(f"/api/v1/photos/{photo}/list", headers=artisan.auth)
    assert artisan_view.status_code == 200
