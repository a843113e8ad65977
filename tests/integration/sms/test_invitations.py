"""A brand's invitation by SMS (sms_flows/invitation.toml): asked once, when she needs SMS,
naming only the brand that asks; answered once, by her alone, however the answers arrive."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from backend.accounts.tables import Member
from backend.audit.tables import AuditEvent
from backend.core.types import Role
from backend.db.session import run
from backend.sms import engine, inbox
from tests import support
from tests.integration.memberships.test_two_brands import artisan_body, invite
from tests.integration.sms.webhook import text
from tests.support import Brand, ok

API = "/api/v1"


async def _sms_to(phone: str) -> list[dict[str, object]]:
    return await run("SELECT brand, member, kind, body FROM outbox_message WHERE to_phone = {} ORDER BY id", phone)


async def _store(phone: str, body: str) -> int:
    """A villager's SMS stored by the webhook, not answered yet."""
    received = await inbox.receive("twilio", f"SM{uuid.uuid4().hex}", phone, "+15005550006", body)
    assert received.inbox_id is not None
    return received.inbox_id


async def _memberships(phone: str, brand: Brand) -> list[dict[str, object]]:
    return await Member.select(Member.id, Member.active).where(
        (Member.person.phone == phone) & (Member.brand == brand.id)
    )


async def _named(brand: Brand, short_name: str) -> None:
    from backend.accounts.tables import Brand as BrandTable

    await BrandTable.update({BrandTable.short_name: short_name}).where(BrandTable.id == brand.id)


async def test_an_sms_only_artisan_is_asked_once_naming_only_the_brand_that_asks(client: httpx.AsyncClient) -> None:
    a, b = await support.brand(), await support.brand()
    await _named(b, "李家")
    her = await support.artisan(a, sms_only=True)

    first = await invite(client, b, her.phone)
    again = await invite(client, b, her.phone)  # asking again before she answers

    assert first["id"] == again["id"]
    [asked] = await _sms_to(her.phone)
    assert (asked["brand"], asked["member"], asked["kind"]) == (b.id, None, "invitation")
    assert "李家" in str(asked["body"])
    assert a.slug not in str(asked["body"])
    listed = await ok(await client.get(f"{API}/sms/messages?phone={her.phone}", headers=a.coordinator.auth))
    assert listed["messages"] == []  # her brand's console shows nothing of it


async def test_staff_asking_at_once_and_again_send_her_one_question(client: httpx.AsyncClient) -> None:
    a, b = await support.brand(), await support.brand()
    her = await support.artisan(a, sms_only=True)
    other_coordinator = await support.person(b.id, Role.COORDINATOR)
    body = artisan_body(b, her.phone)
    add = f"{API}/artisans"

    asked = await asyncio.gather(
        *[client.post(add, json=body, headers=who.auth) for who in (b.coordinator, other_coordinator) * 3]
    )
    await engine.process(await _store(her.phone, "2"))
    again = await asyncio.gather(
        *[client.post(add, json=body, headers=who.auth) for who in (b.coordinator, other_coordinator) * 3]
    )

    assert [answer.status_code for answer in asked + again] == [202] * 12
    assert [sms["kind"] for sms in await _sms_to(her.phone)] == ["invitation", "invitation_declined", "invitation"]


async def test_an_app_user_seen_lately_is_asked_in_the_app_only_and_one_not_seen_for_a_day_by_sms(
    client: httpx.AsyncClient,
) -> None:
    a, b = await support.brand(), await support.brand()
    lately, long_ago = await support.artisan(a), await support.artisan(a)
    await run("UPDATE person SET last_seen_at = CURRENT_TIMESTAMP WHERE phone = {}", lately.phone)
    await run("UPDATE person SET last_seen_at = {} WHERE phone = {}", support.as_moment("2020-01-01T00:00:00+00:00"),
              long_ago.phone)  # fmt: skip

    await invite(client, b, lately.phone)
    await invite(client, b, long_ago.phone)

    assert await _sms_to(lately.phone) == []
    assert [sms["kind"] for sms in await _sms_to(long_ago.phone)] == ["invitation"]
    [seen] = (await ok(await client.get(f"{API}/me/invitations", headers=lately.auth)))["invitations"]
    assert seen["brand"]["id"] == b.id


async def test_asked_again_after_a_no_she_is_asked_again(client: httpx.AsyncClient, twilio_token: str) -> None:
    a, b = await support.brand(), await support.brand()
    her = await support.artisan(a, sms_only=True)
    await invite(client, b, her.phone)
    await text(client, her.phone, "2")

    await invite(client, b, her.phone)
    await text(client, her.phone, "1")

    assert [sms["kind"] for sms in await _sms_to(her.phone)] == [
        "invitation",
        "invitation_declined",
        "invitation",
        "invitation_accepted",
    ]
    assert [m["active"] for m in await _memberships(her.phone, b)] == [True]


async def test_an_import_asks_the_people_of_other_brands_by_sms_too(client: httpx.AsyncClient) -> None:
    a, b = await support.brand(), await support.brand()
    her = await support.artisan(a, sms_only=True)
    sheet = f"姓名,手机,村\n王阿姨,{her.phone},{b.villages[0]}\n".encode()

    answer = await ok(
        await client.post(
            f"{API}/artisans/import", files={"file": ("a.csv", sheet, "text/csv")}, headers=b.coordinator.auth
        ),
        201,
    )

    assert answer["invited"] == 1
    assert [(sms["brand"], sms["kind"]) for sms in await _sms_to(her.phone)] == [(b.id, "invitation")]


async def test_the_same_answer_delivered_twice_makes_one_membership(
    client: httpx.AsyncClient, twilio_token: str
) -> None:
    a, b = await support.brand(), await support.brand()
    her = await support.artisan(a, sms_only=True)
    await invite(client, b, her.phone)
    sid = f"SM{uuid.uuid4().hex}"

    await asyncio.gather(text(client, her.phone, "1", sid), text(client, her.phone, "1", sid))

    assert [m["active"] for m in await _memberships(her.phone, b)] == [True]
    answers = [sms["kind"] for sms in await _sms_to(her.phone)]
    assert answers == ["invitation", "invitation_accepted"]


async def test_answers_racing_each_other_and_the_app_make_one_answer(client: httpx.AsyncClient) -> None:
    a, b = await support.brand(), await support.brand()
    her = await support.artisan(a, sms_only=True)
    invitation = await invite(client, b, her.phone)
    yes, no = await _store(her.phone, "同意"), await _store(her.phone, "不同意")
    in_app = f"{API}/me/invitations/{invitation['id']}/answer"

    outcomes = await asyncio.gather(
        engine.process(yes),
        engine.process(no),
        engine.process(yes),
        client.post(in_app, json={"accept": True}, headers=her.auth),
    )

    sms_outcomes = [o for o in outcomes[:3] if o is not None]
    app = outcomes[3]
    assert isinstance(app, httpx.Response)
    won = [o for o in sms_outcomes if ":" not in o] + (["app"] if app.status_code == 200 else [])
    assert len(won) == 1, (sms_outcomes, app.status_code)
    assert len(sms_outcomes) == 2  # each message answered once
    assert all(o.endswith("already_answered") for o in sms_outcomes if ":" in o)
    [status] = await run("SELECT status FROM invitation WHERE id = {}", invitation["id"])
    members = await _memberships(her.phone, b)
    assert len(members) == (1 if status["status"] == "accepted" else 0)
    assert len([sms for sms in await _sms_to(her.phone) if sms["kind"] != "invitation"]) == 2


async def test_her_answer_by_sms_is_audited_on_channel_sms(client: httpx.AsyncClient, twilio_token: str) -> None:
    a, b, c = await support.brand(), await support.brand(), await support.brand()
    her = await support.artisan(a, sms_only=True)
    to_b, to_c = await invite(client, b, her.phone), await invite(client, c, her.phone)

    await text(client, her.phone, "Q1 1")
    await text(client, her.phone, "Q2 2")

    answered = await run("SELECT id, answered_via FROM invitation WHERE id IN ({}, {}) ORDER BY id", to_b["id"],
                         to_c["id"])  # fmt: skip
    assert [row["answered_via"] for row in answered] == ["sms", "sms"]
    [joined] = await AuditEvent.select().where((AuditEvent.brand == b.id) & (AuditEvent.action == "join"))
    [declined] = await AuditEvent.select().where((AuditEvent.brand == c.id) & (AuditEvent.action == "decline"))
    assert (joined["channel"], declined["channel"], declined["actor"]) == ("sms", "sms", None)
    [in_b] = await _memberships(her.phone, b)
    assert joined["actor"] == in_b["id"]  # her as B's member: nothing of her membership of A


async def test_staff_typing_as_her_in_the_simulator_neither_see_nor_answer_another_brands_invitation(
    client: httpx.AsyncClient,
) -> None:
    a, b = await support.brand(), await support.brand()
    await _named(b, "李家")
    her = await support.artisan(a, sms_only=True)
    await invite(client, b, her.phone)
    simulate = f"{API}/sms/simulator"

    menu = await ok(
        await client.post(simulate, json={"phone": her.phone, "body": "0"}, headers=a.coordinator.auth), 201
    )
    yes = await ok(
        await client.post(simulate, json={"phone": her.phone, "body": "Q1 1"}, headers=a.coordinator.auth), 201
    )
    bare = await ok(
        await client.post(simulate, json={"phone": her.phone, "body": "1"}, headers=a.coordinator.auth), 201
    )

    shown = [m["body"] for m in bare["messages"]]
    assert "李家" not in str(shown)
    assert "Q1" not in str(menu["messages"][-1]["body"])
    assert yes["messages"][-1]["body"] == "没有找到您的任务Q1。回复0查看待办。"
    assert await _memberships(her.phone, b) == []
    [status] = await run("SELECT status FROM invitation WHERE brand = {}", b.id)
    assert status["status"] == "pending"


async def test_a_person_added_to_a_brand_she_works_with_already_is_not_invited(client: httpx.AsyncClient) -> None:
    a = await support.brand()
    her = await support.artisan(a, sms_only=True)

    taken = await client.post(f"{API}/artisans", json=artisan_body(a, her.phone), headers=a.coordinator.auth)

    support.refused(taken, 409)
    assert await _sms_to(her.phone) == []
