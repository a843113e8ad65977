"""An alliance of brands: formed with an admin of each agreeing, figures only in aggregate,
a shared registry, and the region's public page of the makers who agreed to be named."""

from __future__ import annotations

import secrets

import httpx

from backend.audit.tables import AuditEvent
from backend.core.types import Role
from tests import support
from tests.support import Brand, Person, ok, refused

API = "/api/v1"


async def alliance_of(client: httpx.AsyncClient, *brands: Brand) -> tuple[str, dict[str, Person]]:
    """The brands in one alliance (the first founds it, each other's admin agrees); its slug and the admins."""
    admins = {b.slug: await support.person(b.id, Role.ADMIN) for b in brands}
    slug = f"qdn-{secrets.token_hex(3)}"
    founder = admins[brands[0].slug]
    body = {"slug": slug, "name": "黔东南手艺联盟", "region": "黔东南"}
    await ok(await client.post(f"{API}/alliances", json=body, headers=founder.auth), 201)
    for other in brands[1:]:
        await ok(
            await client.post(f"{API}/alliance/invitations", json={"brand_slug": other.slug}, headers=founder.auth)
        )
        await ok(await client.post(f"{API}/alliance/join", headers=admins[other.slug].auth))
    return slug, admins


async def test_a_brand_is_in_only_when_its_own_admin_agrees(client: httpx.AsyncClient) -> None:
    a, b = await support.brand(), await support.brand()
    admin_a, admin_b = await support.person(a.id, Role.ADMIN), await support.person(b.id, Role.ADMIN)
    await ok(
        await client.post(
            f"{API}/alliances", json={"slug": f"x-{secrets.token_hex(3)}", "name": "联盟"}, headers=admin_a.auth
        ),
        201,
    )
    invited = await ok(
        await client.post(f"{API}/alliance/invitations", json={"brand_slug": b.slug}, headers=admin_a.auth)
    )
    assert [(x["slug"], x["status"]) for x in invited["brands"]] == [(a.slug, "joined"), (b.slug, "invited")]

    refused(await client.post(f"{API}/alliance/join", headers=b.coordinator.auth), 403)
    refused(await client.get(f"{API}/alliance/figures", headers=admin_b.auth), 404)  # not in yet
    joined = await ok(await client.post(f"{API}/alliance/join", headers=admin_b.auth))

    assert [(x["slug"], x["status"]) for x in joined["brands"]] == [(a.slug, "joined"), (b.slug, "joined")]
    refused(
        await client.post(f"{API}/alliance/invitations", json={"brand_slug": a.slug}, headers=admin_b.auth),
        409,
        "in_alliance",
    )


async def test_figures_are_aggregates_by_county_and_sums_over_few_people_are_left_out(
    client: httpx.AsyncClient,
) -> None:
    a, b = await support.brand(), await support.brand()
    _slug, admins = await alliance_of(client, a, b)
    few = await support.artisan(a)  # 雷山县: one person paid, her pay must not show
    await support.job_in_state(client, a, few, "paid")
    many = [await support.artisan(b) for _ in range(3)]
    for who in many:
        await support.job_in_state(client, b, who, "paid", quantity=4)

    found = await ok(await client.get(f"{API}/alliance/figures", headers=admins[a.slug].auth))

    assert found["min_people"] == 3
    [county] = found["counties"]  # the support brands' villages are all in 雷山县, 贵州省
    assert (county["county"], county["province"]) == ("雷山县", "贵州省")
    assert county["artisans"] >= 4
    assert county["pieces"] == 5 + 3 * 4
    assert set(county) == {"province", "county", "artisans", "villages", "pieces", "income_fen"}
    [read] = await AuditEvent.select().where((AuditEvent.brand == a.id) & (AuditEvent.action == "read_shared"))
    assert read["entity"] == "alliance"
    refused(await client.get(f"{API}/alliance/figures", headers=a.coordinator.auth), 403)
    outsider = await support.person((await support.brand()).id, Role.ADMIN)
    refused(await client.get(f"{API}/alliance/figures", headers=outsider.auth), 404)


async def test_a_county_of_two_people_shows_neither_pieces_nor_income(client: httpx.AsyncClient) -> None:
    a, b = await support.brand(), await support.brand()
    _slug, admins = await alliance_of(client, a, b)
    for brand in (a, b):
        await support.job_in_state(client, brand, await support.artisan(brand), "paid")

    [county] = (await ok(await client.get(f"{API}/alliance/figures", headers=admins[b.slug].auth)))["counties"]

    assert (county["artisans"], county["pieces"], county["income_fen"]) == (2, None, None)


async def test_the_registry_lists_villages_and_crafts_without_saying_whose(client: httpx.AsyncClient) -> None:
    a, b = await support.brand(), await support.brand()
    await alliance_of(client, a, b)

    registry = await ok(await client.get(f"{API}/alliance/registry", headers=b.coordinator.auth))

    assert {"name": "村0", "county": "雷山县", "province": "贵州省"} in registry["villages"]
    assert "embroidery" in {craft["code"] for craft in registry["crafts"]}
    assert a.slug not in str(registry)
    assert str(a.id) not in {str(v) for village in registry["villages"] for v in village.values()}


async def test_consent_is_off_until_she_says_and_each_change_is_audited(client: httpx.AsyncClient) -> None:
    a = await support.brand()
    her = await support.artisan(a)
    no_story = {"story_text": None, "story_proposed": None, "story_proposal": None}
    assert await ok(await client.get(f"{API}/me/consent", headers=her.auth)) == {
        "name": False, "display_name": None, "photo": False, "village": False, "story": False, **no_story,
    }  # fmt: skip

    body = {"name": True, "display_name": "阿妹", "photo": False, "village": True, "story": False}
    assert await ok(await client.put(f"{API}/me/consent", json=body, headers=her.auth)) == body | no_story

    assert await ok(await client.get(f"{API}/me/consent", headers=her.auth)) == body | no_story
    [change] = await AuditEvent.select().where((AuditEvent.brand == a.id) & (AuditEvent.entity == "consent"))
    assert change["action"] == "change"
    refused(await client.put(f"{API}/me/consent", json=body | {"display_name": "a\u0000b"}, headers=her.auth), 400)


async def test_the_region_page_names_only_makers_who_agreed_and_only_as_they_agreed(client: httpx.AsyncClient) -> None:
    a, b = await support.brand(), await support.brand()
    slug, _admins = await alliance_of(client, a, b)
    named, quiet, village_too = await support.artisan(a), await support.artisan(a), await support.artisan(b)
    consent = {"name": True, "display_name": "<b>阿妹</b>", "photo": False, "village": False, "story": False}
    await ok(await client.put(f"{API}/me/consent", json=consent, headers=named.auth))
    await ok(
        await client.put(
            f"{API}/me/consent", json=consent | {"display_name": None, "village": True}, headers=village_too.auth
        )
    )

    page = await client.get(f"/region/{slug}")

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert "&lt;b&gt;阿妹&lt;/b&gt;" in page.text  # her name as she gave it, escaped
    assert "村0" in page.text  # village_too agreed to her village being named
    assert quiet.phone not in page.text
    assert named.phone not in page.text
    assert "<script" not in page.text
    assert len(page.content) < 4096
    # She changes her mind: at once.
    await ok(await client.put(f"{API}/me/consent", json=consent | {"name": False}, headers=named.auth))
    assert "阿妹" not in (await client.get(f"/region/{slug}")).text
    assert (
        "Makers" in (await client.get(f"/region/{slug}?lang=en")).text
        or "makers" in (await client.get(f"/region/{slug}?lang=en")).text
    )
    assert (await client.get(f"/region/nobody-{secrets.token_hex(2)}")).status_code == 404
