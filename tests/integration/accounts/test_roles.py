"""Roles: admins manage coordinators, leaders, crafts and the brand's settings; coordinators do
the daily work; the server enforces it."""

from __future__ import annotations

import httpx

from backend.core.types import Role
from tests import support
from tests.support import ok


async def _admin(brand: support.Brand) -> support.Person:
    return await support.person(brand.id, Role.ADMIN)


async def test_an_admin_adds_changes_and_deactivates_coordinators_and_leaders(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    admin = await _admin(brand)
    phone = support.new_phone()

    leader = await ok(
        await client.post(
            "/api/v1/members",
            json={"role": "leader", "name": "杨带头", "phone": phone, "village_id": brand.villages[0]},
            headers=admin.auth,
        ),
        201,
    )
    renamed = await ok(await client.patch(f"/api/v1/members/{leader['id']}", json={"name": "杨姐"}, headers=admin.auth))
    await ok(await client.patch(f"/api/v1/members/{leader['id']}", json={"active": False}, headers=admin.auth))
    listed = await ok(await client.get("/api/v1/members?role=leader", headers=admin.auth))
    sign_in = await client.post("/api/v1/auth/otp", json={"phone": phone})

    assert (leader["role"], leader["village_id"], renamed["name"]) == ("leader", brand.villages[0], "杨姐")
    assert [(m["id"], m["active"]) for m in listed["members"]] == [(leader["id"], False)]
    assert sign_in.status_code == 202  # says nothing, sends nothing: inactive


async def test_coordinators_do_the_daily_work_but_cannot_manage_people_crafts_or_settings(
    client: httpx.AsyncClient,
) -> None:
    brand = await support.brand()
    coordinator = brand.coordinator
    artisan = await support.artisan(brand)
    body = {"role": "coordinator", "name": "新协调员", "phone": support.new_phone()}

    answers = {
        "members": await client.get("/api/v1/members", headers=coordinator.auth),
        "add_member": await client.post("/api/v1/members", json=body, headers=coordinator.auth),
        "promote_self": await client.patch(
            f"/api/v1/members/{coordinator.id}", json={"name": "x"}, headers=coordinator.auth
        ),
        "craft": await client.post(
            "/api/v1/crafts", json={"code": "weaving", "names": {"zh_Hans": "织锦"}}, headers=coordinator.auth
        ),
        "settings": await client.patch("/api/v1/brand", json={"offer_window_hours": 1}, headers=coordinator.auth),
        "artisan_settings": await client.get("/api/v1/brand", headers=artisan.auth),
    }
    daily = await client.post("/api/v1/orders", json=support.order_body(), headers=coordinator.auth)

    assert {name: answer.status_code for name, answer in answers.items()} == dict.fromkeys(answers, 403)
    assert daily.status_code == 201


async def test_an_admin_sets_the_offer_window_that_new_offers_use(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    admin = await _admin(brand)
    artisan = await support.artisan(brand)

    settings = await ok(await client.patch("/api/v1/brand", json={"offer_window_hours": 24}, headers=admin.auth))
    order = await support.open_order(client, brand)
    [job] = await support.offer(client, brand, order["id"], (artisan, 2))
    bad = await client.patch("/api/v1/brand", json={"offer_window_hours": 0}, headers=admin.auth)

    assert settings["offer_window_hours"] == 24
    created = await ok(await client.get(f"/api/v1/orders/{order['id']}/jobs", headers=admin.auth))
    assert created["jobs"][0]["expires_at"] == job["expires_at"]
    support.refused(bad, 400)


async def test_an_admin_gives_the_brand_a_short_name_that_sms_name_it_by(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    admin = await _admin(brand)
    before = await ok(await client.get("/api/v1/brand", headers=admin.auth))

    settings = await ok(await client.patch("/api/v1/brand", json={"short_name": " 王家 "}, headers=admin.auth))
    too_long = await client.patch("/api/v1/brand", json={"short_name": "王家手作银饰刺绣坊"}, headers=admin.auth)
    two_lines = await client.patch("/api/v1/brand", json={"short_name": "王家\n手作"}, headers=admin.auth)
    no_letters = await client.patch("/api/v1/brand", json={"short_name": "!!"}, headers=admin.auth)
    by_coordinator = await client.patch("/api/v1/brand", json={"short_name": "李家"}, headers=brand.coordinator.auth)

    assert before["short_name"] == ""  # SMS name it by its name until an admin says
    assert settings["short_name"] == "王家"
    support.refused(too_long, 400)
    support.refused(two_lines, 400)
    assert support.refused(no_letters, 422, "invalid")["fields"] == {"short_name": "no_letters"}
    support.refused(by_coordinator, 403)
    cleared = await ok(await client.patch("/api/v1/brand", json={"short_name": ""}, headers=admin.auth))
    assert (cleared["short_name"], cleared["name"]) == ("", before["name"])


async def test_an_admin_cannot_deactivate_themselves_nor_reach_another_brand(client: httpx.AsyncClient) -> None:
    brand, other = await support.brand(), await support.brand()
    admin = await _admin(brand)

    myself = await client.patch(f"/api/v1/members/{admin.id}", json={"active": False}, headers=admin.auth)
    theirs = await client.patch(f"/api/v1/members/{other.coordinator.id}", json={"name": "x"}, headers=admin.auth)
    artisan = await support.artisan(brand)
    not_staff = await client.patch(f"/api/v1/members/{artisan.id}", json={"name": "x"}, headers=admin.auth)

    assert support.refused(myself, 422, "invalid")["fields"] == {"active": "self"}
    support.refused(theirs, 404)
    support.refused(not_staff, 404)  # artisans are changed through /artisans


async def test_a_deactivated_village_gets_no_new_offers(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    order = await support.open_order(client, brand)

    village = await ok(
        await client.patch(
            f"/api/v1/villages/{brand.villages[0]}", json={"active": False}, headers=brand.coordinator.auth
        )
    )
    offer = await client.post(
        f"/api/v1/orders/{order['id']}/dispatch",
        json={"offers": [{"artisan_id": artisan.id, "quantity": 2}]},
        headers=brand.coordinator.auth,
    )

    assert village["active"] is False
    support.refused(offer, 422, "invalid")
