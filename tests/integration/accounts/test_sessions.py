"""Devices live only as long as the access they stand for (issue 22, finding 3): revoked when a
person is deactivated or changes phone or role, idle ones expire, staff sign people out, and
every change to a person is audited with who made it."""

from __future__ import annotations

import datetime as dt
import json

import httpx
import pytest

from backend.accounts.tables import DeviceToken
from backend.audit.service import history
from backend.auth.service import issue_token
from backend.core.settings import get_settings
from backend.core.types import Role, utcnow
from backend.db.session import run
from tests import support
from tests.support import Person, ok, refused

API = "/api/v1"

# A person's devices, made older.
LAST_USED = "UPDATE device_token SET last_used_at = {} WHERE person = {}"
MADE = "UPDATE device_token SET created_at = {}, last_used_at = NULL WHERE person = {}"


async def _works(client: httpx.AsyncClient, token: str) -> bool:
    return (await client.get(f"{API}/me", headers={"Authorization": f"Bearer {token}"})).status_code == 200


async def _second_device(person: Person) -> str:
    return await issue_token(person.id)


async def test_a_deactivated_artisan_reactivated_with_a_new_phone_gets_no_old_device_back(
    client: httpx.AsyncClient,
) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    staff, url = brand.coordinator.auth, f"{API}/artisans/{artisan.id}"

    await ok(await client.patch(url, json={"active": False}, headers=staff))
    await ok(await client.patch(url, json={"active": True, "phone": support.new_phone()}, headers=staff))

    assert not await _works(client, artisan.token)


@pytest.mark.parametrize("change", ["phone", "active"])
async def test_a_phone_change_or_a_deactivation_signs_her_out_of_every_device(
    client: httpx.AsyncClient, change: str
) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    other = await support.artisan(brand)
    tablet = await _second_device(artisan)
    body = {"phone": support.new_phone()} if change == "phone" else {"active": False}

    await ok(await client.patch(f"{API}/artisans/{artisan.id}", json=body, headers=brand.coordinator.auth))

    assert not await _works(client, artisan.token)
    assert not await _works(client, tablet)
    assert await _works(client, other.token)  # nobody else is touched


async def test_a_change_that_leaves_her_access_as_it_was_keeps_her_signed_in(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    url = f"{API}/artisans/{artisan.id}"
    same_phone = {"phone": artisan.phone.removeprefix("+86"), "name": "新名字", "sms_only": True, "active": True}

    await ok(await client.patch(url, json=same_phone, headers=brand.coordinator.auth))

    assert await _works(client, artisan.token)


async def test_a_role_change_signs_them_out_and_is_the_admins_to_make(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    admin = await support.person(brand.id, Role.ADMIN)
    coordinator = await support.person(brand.id, Role.COORDINATOR)
    url = f"{API}/members/{coordinator.id}"

    refused(await client.patch(url, json={"role": "leader"}, headers=admin.auth), 422, "invalid")  # no village
    assert await _works(client, coordinator.token)
    changed = await ok(
        await client.patch(url, json={"role": "leader", "village_id": brand.villages[0]}, headers=admin.auth)
    )

    assert (changed["role"], changed["village_id"]) == ("leader", brand.villages[0])
    assert not await _works(client, coordinator.token)
    refused(await client.patch(f"{API}/members/{admin.id}", json={"role": "coordinator"}, headers=admin.auth), 422)
    refused(await client.patch(url, json={"role": "admin"}, headers=brand.coordinator.auth), 403, "forbidden")
    back = await ok(await client.patch(url, json={"role": "coordinator"}, headers=admin.auth))
    assert (back["role"], back["village_id"]) == ("coordinator", None)


async def test_a_token_idle_for_longer_than_the_limit_stops_working(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    idle, recent = await support.artisan(brand), await support.artisan(brand)
    now = utcnow()
    await run(LAST_USED, now - dt.timedelta(days=91), await support.person_of(idle.id))
    await run(LAST_USED, now - dt.timedelta(days=89), await support.person_of(recent.id))

    assert not await _works(client, idle.token)
    assert await _works(client, recent.token)
    hers = DeviceToken.person == await support.person_of(recent.id)
    [renewed] = await DeviceToken.select(DeviceToken.last_used_at).where(hers)
    assert support.as_moment(renewed["last_used_at"]) >= now  # used: renewed silently


async def test_a_token_never_renewed_counts_from_when_it_was_made(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    await run(
        MADE,
        utcnow() - dt.timedelta(days=91),
        await support.person_of(artisan.id),
    )

    assert not await _works(client, artisan.token)


async def test_the_idle_limit_is_configured_in_days(client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    await run(LAST_USED, utcnow() - dt.timedelta(days=8), await support.person_of(artisan.id))
    monkeypatch.setenv("CUNJIANG_TOKEN_IDLE_DAYS", "7")
    get_settings.cache_clear()
    try:
        assert not await _works(client, artisan.token)
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


async def test_a_coordinator_signs_an_artisan_out_of_every_device(client: httpx.AsyncClient) -> None:
    brand, other = await support.brand(), await support.brand()
    artisan = await support.artisan(brand)
    tablet = await _second_device(artisan)
    url = f"{API}/artisans/{artisan.id}/sign-out"

    refused(await client.post(url, headers=other.coordinator.auth), 404, "not_found")
    refused(await client.post(url, headers=artisan.auth), 403, "forbidden")
    assert (await client.post(url, headers=brand.coordinator.auth)).status_code == 204

    assert not await _works(client, artisan.token)
    assert not await _works(client, tablet)
    [event] = [e for e in await history("member", artisan.id) if e["action"] == "sign_out"]
    assert (event["actor"], event["channel"]) == (brand.coordinator.id, "console")
    signed_in_again = await issue_token(artisan.id)  # she signs in again with a new code
    assert await _works(client, signed_in_again)


async def test_an_admin_signs_a_coordinator_out_of_every_device(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    admin = await support.person(brand.id, Role.ADMIN)
    url = f"{API}/members/{brand.coordinator.id}/sign-out"

    refused(await client.post(url, headers=brand.coordinator.auth), 403, "forbidden")
    assert (await client.post(url, headers=admin.auth)).status_code == 204

    assert not await _works(client, brand.coordinator.token)
    assert await _works(client, admin.token)


async def test_every_change_to_a_person_is_audited_with_who_made_it_and_phones_masked(
    client: httpx.AsyncClient,
) -> None:
    brand = await support.brand(villages=2)
    artisan = await support.artisan(brand)
    new_phone = support.new_phone()
    body = {"phone": new_phone, "village_id": brand.villages[1], "crafts": ["batik"], "active": False}

    await ok(await client.patch(f"{API}/artisans/{artisan.id}", json=body, headers=brand.coordinator.auth))

    [event] = [e for e in await history("member", artisan.id) if e["action"] == "change"]
    assert (event["actor"], event["channel"], event["brand"]) == (brand.coordinator.id, "console", brand.id)
    detail = json.loads(event["detail"])
    assert set(detail) == {"phone", "village", "crafts", "active"}
    assert detail["village"] == [brand.villages[0], brand.villages[1]]
    assert detail["crafts"] == ["embroidery", "batik"]
    assert detail["active"] == [True, False]
    assert detail["phone"] == [
        artisan.phone[:-8] + "****" + artisan.phone[-4:],
        new_phone[:-8] + "****" + new_phone[-4:],
    ]
    assert artisan.phone not in str(detail)
    assert new_phone not in str(detail)


async def test_a_person_added_by_hand_or_from_a_file_is_audited_with_who_added_her(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    village = brand.villages[0]
    by_hand = await ok(
        await client.post(
            f"{API}/artisans",
            json={"name": "龙阿妹", "phone": support.new_phone(), "village_id": village},
            headers=brand.coordinator.auth,
        ),
        201,
    )
    sheet = f"姓名,手机,村\n杨阿花,{support.new_phone()},{village}\n".encode()
    files = {"file": ("a.csv", sheet, "text/csv")}
    [from_file] = (
        await ok(await client.post(f"{API}/artisans/import", files=files, headers=brand.coordinator.auth), 201)
    )["artisans"]

    for member_id in (by_hand["id"], from_file):
        [event] = await history("member", member_id)
        assert (event["action"], event["actor"], event["channel"]) == ("create", brand.coordinator.id, "console")
        assert json.loads(event["detail"])["role"] == "artisan"
        assert "****" in json.loads(event["detail"])["phone"]
