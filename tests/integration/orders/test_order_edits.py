"""An order's reference photos and its edits before the first offer."""

from __future__ import annotations

import asyncio
import json

import httpx

from backend.audit import history
from backend.core.types import Role
from tests import support
from tests.support import ok


async def test_reference_photos_travel_with_the_offer_and_show_to_those_offered_only(
    client: httpx.AsyncClient,
) -> None:
    brand = await support.brand(villages=2)
    offered, elsewhere = await support.artisan(brand), await support.artisan(brand)
    leader = await support.person(brand.id, Role.LEADER, village_id=brand.villages[0])
    far_leader = await support.person(brand.id, Role.LEADER, village_id=brand.villages[1])
    stranger = (await support.brand()).coordinator
    pattern = await support.upload_photo(client, brand.coordinator, color=(200, 30, 30))
    order = await support.open_order(client, brand, photo_ids=[pattern], quality_notes="针脚细密，不露线头")
    await support.offer(client, brand, order["id"], (offered, 5))

    [job] = (await ok(await client.get("/api/v1/jobs", headers=offered.auth)))["jobs"]
    seen = {
        who: (await client.get(f"/api/v1/photos/{pattern}/list", headers=person.auth)).status_code
        for who, person in [
            ("offered", offered),
            ("leader", leader),
            ("coordinator", brand.coordinator),
            ("not_offered", elsewhere),
            ("other_village_leader", far_leader),
            ("other_brand", stranger),
        ]
    }

    assert order["photo_ids"] == [pattern]
    assert (job["reference_photo_ids"], job["quality_notes"]) == ([pattern], "针脚细密，不露线头")
    assert seen == {
        "offered": 200,
        "leader": 200,
        "coordinator": 200,
        "not_offered": 404,
        "other_village_leader": 404,
        "other_brand": 404,
    }


async def test_an_order_refuses_photos_that_are_not_the_brands(client: httpx.AsyncClient) -> None:
    brand, other = await support.brand(), await support.brand()
    theirs = await support.upload_photo(client, other.coordinator)

    for photo_ids in ([theirs], [987654321]):
        answer = await client.post(
            "/api/v1/orders", json=support.order_body(photo_ids=photo_ids), headers=brand.coordinator.auth
        )
        assert support.refused(answer, 422, "invalid")["fields"] == {"photo_ids": "unknown_photo"}
    too_many = await client.post(
        "/api/v1/orders", json=support.order_body(photo_ids=list(range(1, 10))), headers=brand.coordinator.auth
    )
    support.refused(too_many, 400)


async def test_an_order_is_edited_until_its_first_offer_and_the_edit_is_audited(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    pattern = await support.upload_photo(client, brand.coordinator)
    order = await support.open_order(client, brand, quantity=20)
    url = f"/api/v1/orders/{order['id']}"
    changes = {"title": "蜡染桌旗", "quantity": 30, "unit_price_fen": 5200, "photo_ids": [pattern]}

    edited = await ok(await client.patch(url, json=changes, headers=brand.coordinator.auth))
    await support.offer(client, brand, order["id"], (artisan, 5))
    too_late = await client.patch(url, json={"quantity": 40}, headers=brand.coordinator.auth)

    assert {key: edited[key] for key in changes} == changes
    assert edited["description"] == order["description"]  # what the edit does not name stays
    support.refused(too_late, 409, "order_dispatched")
    events = await history("order", order["id"])
    assert [(e["action"], json.loads(e["detail"]).get("changed")) for e in events] == [
        ("create", None),
        ("edit", ["photo_ids", "quantity", "title", "unit_price_fen"]),
    ]


async def test_an_edit_is_refused_clearly(client: httpx.AsyncClient) -> None:
    brand, other = await support.brand(), await support.brand()
    artisan = await support.artisan(brand)
    order = await support.open_order(client, brand)
    cancelled = await support.open_order(client, brand)
    await ok(await client.post(f"/api/v1/orders/{cancelled['id']}/cancel", headers=brand.coordinator.auth))
    url = f"/api/v1/orders/{order['id']}"

    support.refused(await client.patch(url, json={"due_date": "2020-01-01"}, headers=brand.coordinator.auth), 422)
    support.refused(await client.patch(url, json={"craft": "pottery"}, headers=brand.coordinator.auth), 422)
    support.refused(await client.patch(url, json={"colour": "red"}, headers=brand.coordinator.auth), 400)
    support.refused(await client.patch(url, json={"quantity": 0}, headers=brand.coordinator.auth), 400)
    support.refused(await client.patch(url, json={"title": "x"}, headers=artisan.auth), 403, "forbidden")
    support.refused(await client.patch(url, json={"title": "x"}, headers=other.coordinator.auth), 404)
    support.refused(
        await client.patch(f"/api/v1/orders/{cancelled['id']}", json={"title": "x"}, headers=brand.coordinator.auth),
        409,
        "order_closed",
    )


async def test_an_edit_racing_a_dispatch_never_leaves_offers_made_from_the_old_order(
    client: httpx.AsyncClient,
) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    outcomes = set()
    for _ in range(6):
        order = await support.open_order(client, brand, quantity=10)
        edit, dispatch = await asyncio.gather(
            client.patch(f"/api/v1/orders/{order['id']}", json={"quantity": 5}, headers=brand.coordinator.auth),
            client.post(
                f"/api/v1/orders/{order['id']}/dispatch",
                json={"offers": [{"artisan_id": artisan.id, "quantity": 8}]},
                headers=brand.coordinator.auth,
            ),
        )
        now = await ok(await client.get(f"/api/v1/orders/{order['id']}", headers=brand.coordinator.auth))
        if edit.status_code == 200:  # the edit went first: an offer of 8 no longer fits
            support.refused(dispatch, 422, "invalid")
            assert now["quantity"] == 5
        else:
            support.refused(edit, 409, "order_dispatched")
            assert (dispatch.status_code, now["quantity"]) == (201, 10)
        outcomes.add(edit.status_code)
    assert outcomes <= {200, 409}
