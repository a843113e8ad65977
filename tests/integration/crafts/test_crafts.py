"""Crafts are each brand's own list: admins add, rename and retire them; orders and artisans use them."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from backend.core.types import Role
from backend.crafts.tables import Craft
from tests import support
from tests.support import ok, refused

API = "/api/v1"
BAMBOO = {"code": "bamboo-weaving", "names": {"zh_Hans": "竹编", "en": "Bamboo weaving"}}


async def _admin(brand: support.Brand) -> support.Person:
    return await support.person(brand.id, Role.ADMIN)


async def _crafts(client: httpx.AsyncClient, who: support.Person, **headers: str) -> dict[str, Any]:
    listed = await ok(await client.get(f"{API}/crafts", headers=who.auth | headers))
    return {craft["code"]: craft for craft in listed["crafts"]}


async def test_a_new_brand_starts_with_the_common_crafts_named_in_the_callers_language(
    client: httpx.AsyncClient,
) -> None:
    brand = await support.brand()
    english = await support.person(brand.id, Role.COORDINATOR, locale="en")

    chinese = await _crafts(client, brand.coordinator)
    in_english = await _crafts(client, english)

    assert list(chinese) == ["embroidery", "batik", "weaving", "silverwork"]
    assert [c["name"] for c in chinese.values()] == ["刺绣", "蜡染", "织锦", "银饰"]
    assert [c["name"] for c in in_english.values()] == ["Embroidery", "Batik", "Weaving", "Silverwork"]
    assert chinese["batik"]["names"] == {"zh_Hans": "蜡染", "en": "Batik"}


async def test_an_admins_new_craft_serves_orders_artisans_and_the_artisan_filter(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    admin = await _admin(brand)

    created = await ok(await client.post(f"{API}/crafts", json=BAMBOO, headers=admin.auth), 201)
    order = await support.open_order(client, brand, craft="bamboo-weaving")
    weaver = await ok(
        await client.post(
            f"{API}/artisans",
            json={
                "name": "竹编师傅",
                "phone": support.new_phone(),
                "village_id": brand.villages[0],
                "crafts": ["bamboo-weaving"],
            },
            headers=brand.coordinator.auth,
        ),
        201,
    )
    found = await ok(await client.get(f"{API}/artisans?craft=bamboo-weaving", headers=brand.coordinator.auth))

    assert (created["code"], created["name"], created["active"]) == ("bamboo-weaving", "竹编", True)
    assert order["craft"] == "bamboo-weaving"
    assert [a["id"] for a in found["artisans"]] == [weaver["id"]]


async def test_another_brand_neither_sees_nor_uses_a_brands_craft(client: httpx.AsyncClient) -> None:
    brand, other = await support.brand(), await support.brand()
    await ok(await client.post(f"{API}/crafts", json=BAMBOO, headers=(await _admin(brand)).auth), 201)

    assert "bamboo-weaving" not in await _crafts(client, other.coordinator)
    response = await client.post(
        f"{API}/orders", json=support.order_body(craft="bamboo-weaving"), headers=other.coordinator.auth
    )
    body = refused(response, 422, "invalid")
    assert body["fields"] == {"craft": "unknown_craft"}


async def test_renaming_in_one_language_keeps_the_others(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    admin = await _admin(brand)
    batik = (await _crafts(client, admin))["batik"]

    renamed = await ok(
        await client.patch(
            f"{API}/crafts/{batik['id']}", json={"names": {"en": "Wax-resist dyeing"}}, headers=admin.auth
        )
    )

    assert renamed["names"] == {"zh_Hans": "蜡染", "en": "Wax-resist dyeing"}
    assert (await _crafts(client, admin, **{"Accept-Language": "en"}))["batik"]["names"]["en"] == "Wax-resist dyeing"


async def test_a_retired_craft_takes_no_new_work_but_old_orders_keep_it(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    admin = await _admin(brand)
    old = await support.open_order(client, brand, craft="silverwork")
    silver = (await _crafts(client, admin))["silverwork"]

    retired = await ok(await client.patch(f"{API}/crafts/{silver['id']}", json={"active": False}, headers=admin.auth))
    refused_order = await client.post(
        f"{API}/orders", json=support.order_body(craft="silverwork"), headers=brand.coordinator.auth
    )
    still = await ok(await client.get(f"{API}/orders/{old['id']}", headers=brand.coordinator.auth))

    assert retired["active"] is False
    assert refused(refused_order, 422, "invalid")["fields"] == {"craft": "unknown_craft"}
    assert (still["craft"], still["status"]) == ("silverwork", "open")


async def test_the_same_code_twice_is_a_conflict_even_at_the_same_moment(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    admin = await _admin(brand)
    twice = {"code": "paper-cutting", "names": {"zh_Hans": "剪纸"}}

    racing = await asyncio.gather(*[client.post(f"{API}/crafts", json=twice, headers=admin.auth) for _ in range(2)])
    again = await client.post(f"{API}/crafts", json=twice, headers=admin.auth)

    assert sorted(r.status_code for r in racing) == [201, 409]
    refused(again, 409, "craft_exists")
    assert await Craft.count().where((Craft.brand == brand.id) & (Craft.code == "paper-cutting")) == 1


async def test_bad_craft_bodies_are_refused_and_change_nothing(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    admin = await _admin(brand)
    before = await Craft.count().where(Craft.brand == brand.id)
    cases = [
        ({"code": "lacquer", "names": {"xx-YY": "漆器"}}, 422, "invalid"),
        ({"code": "lacquer", "names": {"zh_Hans": "   "}}, 422, "invalid"),
        ({"code": "Not a code", "names": {"zh_Hans": "漆器"}}, 400, "invalid_request"),
        ({"code": "lacquer", "names": {}}, 400, "invalid_request"),
        ({"code": "lacquer", "names": {"zh_Hans": "漆器"}, "colour": "red"}, 400, "invalid_request"),
        ({"code": "lacquer"}, 400, "invalid_request"),
    ]

    for body, status, code in cases:
        refused(await client.post(f"{API}/crafts", json=body, headers=admin.auth), status, code)

    assert await Craft.count().where(Craft.brand == brand.id) == before
