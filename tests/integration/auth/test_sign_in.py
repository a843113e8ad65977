"""Sign-in by one-time SMS code, device tokens, and the limits that protect them."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json

import httpx

from backend.accounts.tables import DeviceToken
from backend.auth.tables import OtpCode
from backend.core.types import Role, utcnow
from backend.db.session import run
from backend.gateways import ConsoleGateway
from backend.outbox.secrets import expire_stale
from backend.outbox.tables import OutboxMessage
from tests import support
from tests.support import ok


async def _last_code(phone: str) -> str:
    """The code queued for ``phone`` and not sent yet (no worker runs beside these tests):
    its digits are in the message's variables until it leaves."""
    row = (
        await OutboxMessage.select(OutboxMessage.variables)
        .where((OutboxMessage.to_phone == phone) & (OutboxMessage.kind == "otp"))
        .order_by(OutboxMessage.id, ascending=False)
        .first()
    )
    assert row is not None
    return str(json.loads(row["variables"])["code"])


async def _texted_code(client: httpx.AsyncClient) -> tuple[support.Person, str]:
    """A new artisan who asked for a sign-in code, and the code texted to them."""
    artisan = await support.artisan(await support.brand())
    await ok(await client.post("/api/v1/auth/otp", json={"phone": artisan.phone}), 202)
    return artisan, await _last_code(artisan.phone)


def _not(code: str) -> str:
    """A wrong code."""
    return "000000" if code != "000000" else "111111"


async def test_sign_in_with_the_texted_code_gives_a_token_that_works(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    local = artisan.phone.removeprefix("+86")  # as people type it: 139…
    await ok(await client.post("/api/v1/auth/otp", json={"phone": local}), 202)

    code = await _last_code(artisan.phone)
    signed = await ok(await client.post("/api/v1/auth/token", json={"phone": artisan.phone, "code": code}))

    me = await ok(await client.get("/api/v1/me", headers={"Authorization": f"Bearer {signed['token']}"}))
    assert (me["id"], me["role"], me["brand"]["id"]) == (artisan.id, "artisan", brand.id)
    assert signed["user"] == me


async def test_otp_answers_202_for_unknown_phones_and_sends_nothing(client: httpx.AsyncClient) -> None:
    phone = support.new_phone()
    response = await client.post("/api/v1/auth/otp", json={"phone": phone})
    assert response.status_code == 202
    assert await OutboxMessage.count().where(OutboxMessage.to_phone == phone) == 0


async def test_a_code_is_burned_after_five_wrong_tries(client: httpx.AsyncClient) -> None:
    artisan, code = await _texted_code(client)
    wrong = _not(code)
    for _ in range(5):
        refused = await client.post("/api/v1/auth/token", json={"phone": artisan.phone, "code": wrong})
        assert (refused.status_code, refused.json()["code"]) == (401, "invalid_code")
    late = await client.post("/api/v1/auth/token", json={"phone": artisan.phone, "code": code})
    assert late.status_code == 401


async def test_an_expired_code_is_refused(client: httpx.AsyncClient) -> None:
    artisan, code = await _texted_code(client)
    await OtpCode.update({OtpCode.expires_at: utcnow()}).where(OtpCode.phone == artisan.phone)
    response = await client.post("/api/v1/auth/token", json={"phone": artisan.phone, "code": code})
    assert response.status_code == 401


async def test_codes_are_rate_limited_per_phone(client: httpx.AsyncClient) -> None:
    phone = support.new_phone()
    statuses = [(await client.post("/api/v1/auth/otp", json={"phone": phone})).status_code for _ in range(6)]
    assert statuses == [202] * 5 + [429]


async def test_codes_are_rate_limited_per_address(client: httpx.AsyncClient) -> None:
    transport = httpx.ASGITransport(app=client._transport.app, client=("198.51.100.9", 1000))  # type: ignore[attr-defined]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as other:
        statuses = [
            (await other.post("/api/v1/auth/otp", json={"phone": support.new_phone()})).status_code for _ in range(101)
        ]
    assert statuses == [202] * 100 + [429]


async def test_a_revoked_token_stops_working_at_once(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    await ok(await client.get("/api/v1/me", headers=artisan.auth))
    assert (await client.delete("/api/v1/auth/token", headers=artisan.auth)).status_code == 204
    response = await client.get("/api/v1/me", headers=artisan.auth)
    assert (response.status_code, response.json()["code"]) == (401, "unauthorized")


async def test_a_deactivated_artisan_cannot_sign_in_or_use_old_tokens(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    await ok(
        await client.patch(f"/api/v1/artisans/{artisan.id}", json={"active": False}, headers=brand.coordinator.auth)
    )
    assert (await client.get("/api/v1/jobs", headers=artisan.auth)).status_code == 401
    await ok(await client.post("/api/v1/auth/otp", json={"phone": artisan.phone}), 202)
    assert await OutboxMessage.count().where(OutboxMessage.to_phone == artisan.phone) == 0


async def test_staff_sign_in_the_same_way(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    admin = await support.person(brand.id, Role.ADMIN)
    await ok(await client.post("/api/v1/auth/otp", json={"phone": admin.phone}), 202)
    signed = await ok(
        await client.post("/api/v1/auth/token", json={"phone": admin.phone, "code": await _last_code(admin.phone)})
    )
    assert signed["user"]["role"] == "admin"


async def test_wrong_codes_sent_with_idempotency_keys_still_burn_the_code(client: httpx.AsyncClient) -> None:
    artisan, code = await _texted_code(client)
    wrong = _not(code)
    for attempt in range(8):
        refused = await client.post(
            "/api/v1/auth/token",
            json={"phone": artisan.phone, "code": wrong},
            headers={"Idempotency-Key": f"guess-{attempt}"},
        )
        assert (refused.status_code, refused.json()["code"]) == (401, "invalid_code")

    late = await client.post(
        "/api/v1/auth/token", json={"phone": artisan.phone, "code": code}, headers={"Idempotency-Key": "right"}
    )

    assert late.status_code == 401
    row = await OtpCode.select(OtpCode.attempts).where(OtpCode.phone == artisan.phone).first()
    assert row == {"attempts": 5}


async def test_a_refused_code_under_a_key_can_be_retried_with_the_same_key(client: httpx.AsyncClient) -> None:
    """401 is not kept under the key: the same key with the right code signs in."""
    artisan, code = await _texted_code(client)
    headers = {"Idempotency-Key": "one-key"}
    wrong = _not(code)
    first = await client.post("/api/v1/auth/token", json={"phone": artisan.phone, "code": wrong}, headers=headers)
    assert first.status_code == 401

    # Another body under the same key would be refused as a mismatch if the 401 had been kept.
    second = await client.post("/api/v1/auth/token", json={"phone": artisan.phone, "code": code}, headers=headers)

    assert second.status_code == 200, second.text
    assert "idempotent-replayed" not in second.headers


async def test_a_repeated_sign_in_gets_a_token_in_place_of_the_first_and_no_token_rests_in_the_table(
    client: httpx.AsyncClient,
) -> None:
    """The code is used up by then: the repeat must not answer 401, nor free the key; and the
    key's record must not hold a token anyone reading the table could use (finding 9)."""
    artisan, code = await _texted_code(client)
    body = {"phone": artisan.phone, "code": code}
    headers = {"Idempotency-Key": "sign-in-once"}
    first = await client.post("/api/v1/auth/token", json=body, headers=headers)

    again = await client.post("/api/v1/auth/token", json=body, headers=headers)

    assert (first.status_code, again.status_code) == (200, 200)
    assert again.headers.get("idempotent-replayed") == "true"
    assert again.json()["user"] == first.json()["user"]
    old, new = first.json()["token"], again.json()["token"]
    assert (await client.get("/api/v1/me", headers={"Authorization": f"Bearer {old}"})).status_code == 401
    assert (await client.get("/api/v1/me", headers={"Authorization": f"Bearer {new}"})).status_code == 200
    hers = DeviceToken.person == await support.person_of(artisan.id)
    assert await DeviceToken.count().where(hers & DeviceToken.revoked_at.is_null()) == 2
    kept = await run('SELECT body, headers FROM idempotency_record WHERE "key" = {}', "sign-in-once")
    at_rest = str(kept) + "".join(base64.b64decode(row["body"]).decode() for row in kept)
    assert old not in at_rest
    assert new not in at_rest
    other = await client.post("/api/v1/auth/token", json={**body, "code": _not(code)}, headers=headers)
    assert (other.status_code, other.json()["code"]) == (409, "idempotency_key_reused")


async def test_a_code_not_sent_while_valid_is_never_sent_and_its_digits_are_forgotten(
    client: httpx.AsyncClient,
) -> None:
    artisan, code = await _texted_code(client)
    await OutboxMessage.update({OutboxMessage.created_at: utcnow() - dt.timedelta(minutes=11)}).where(
        OutboxMessage.to_phone == artisan.phone
    )

    assert await expire_stale() == 1
    await support.drain(ConsoleGateway())

    [row] = await OutboxMessage.select().where(OutboxMessage.to_phone == artisan.phone)
    assert (row["status"], row["variables"], row["sent_at"]) == ("failed", "{}", None)
    assert code not in row["body"]


# Each limit holds under concurrency (issue 22, finding 12): on PostgreSQL the requests below
# really run at once, each on its own pooled connection; on SQLite writers take turns.


async def test_twenty_wrong_codes_at_once_burn_the_code_and_the_right_one_is_refused_after(
    client: httpx.AsyncClient,
) -> None:
    artisan, code = await _texted_code(client)
    wrong = {"phone": artisan.phone, "code": _not(code)}

    answers = await asyncio.gather(*[client.post("/api/v1/auth/token", json=wrong) for _ in range(20)])
    late = await client.post("/api/v1/auth/token", json={"phone": artisan.phone, "code": code})

    assert {a.status_code for a in answers} == {401}
    assert (late.status_code, late.json()["code"]) == (401, "invalid_code")
    [row] = await OtpCode.select(OtpCode.attempts, OtpCode.used_at).where(OtpCode.phone == artisan.phone)
    assert row == {"attempts": 5, "used_at": None}  # five compared, the other fifteen never were


async def test_the_right_code_sent_twenty_times_at_once_signs_in_once(client: httpx.AsyncClient) -> None:
    artisan, code = await _texted_code(client)
    right = {"phone": artisan.phone, "code": code}

    answers = await asyncio.gather(*[client.post("/api/v1/auth/token", json=right) for _ in range(20)])

    assert sorted(a.status_code for a in answers) == [200] + [401] * 19
    hers = DeviceToken.person == await support.person_of(artisan.id)
    assert await DeviceToken.count().where(hers) == 2  # the fixture's and this one


async def test_twenty_code_requests_at_once_for_one_phone_send_five(client: httpx.AsyncClient) -> None:
    artisan = await support.artisan(await support.brand())

    async with support.client_from(client, "198.51.100.77") as other:
        answers = await asyncio.gather(
            *[other.post("/api/v1/auth/otp", json={"phone": artisan.phone}) for _ in range(20)]
        )

    assert sorted(a.status_code for a in answers) == [202] * 5 + [429] * 15
    assert await OutboxMessage.count().where(OutboxMessage.to_phone == artisan.phone) == 5


async def test_a_hundred_and_ten_code_requests_at_once_from_one_address_pass_a_hundred(
    client: httpx.AsyncClient,
) -> None:
    async with support.client_from(client, "198.51.100.78") as other:
        answers = await asyncio.gather(
            *[other.post("/api/v1/auth/otp", json={"phone": support.new_phone()}) for _ in range(110)]
        )

    assert sorted(a.status_code for a in answers) == [202] * 100 + [429] * 10
