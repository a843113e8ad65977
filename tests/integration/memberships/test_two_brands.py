"""One artisan, two brands: a brand adds her only with her yes, she signs in once and works
for both, each brand sees its own work and nothing of the other's, and she may leave."""

from __future__ import annotations

import asyncio
import datetime as dt

import httpx

from backend.audit.tables import AuditEvent
from backend.core.types import Role
from backend.db.session import run, write_transaction
from backend.messages.templates import render
from backend.outbox import enqueue
from backend.sms import engine, inbox
from tests import support
from tests.integration.outbox.test_budget import Phone, budget, china, deliver_at  # noqa: F401 - the fixture
from tests.integration.sms.webhook import text
from tests.support import Brand, Person, ok, refused

API = "/api/v1"


def artisan_body(b: Brand, phone: str, name: str = "王阿姨", **extra: object) -> dict[str, object]:
    return {"name": name, "phone": phone, "village_id": b.villages[0], "crafts": ["embroidery"]} | extra


async def invite(client: httpx.AsyncClient, b: Brand, phone: str) -> dict[str, object]:
    body = await ok(await client.post(f"{API}/artisans", json=artisan_body(b, phone), headers=b.coordinator.auth), 202)
    return body["invitation"]  # type: ignore[no-any-return]


async def shared(client: httpx.AsyncClient) -> tuple[Brand, Brand, Person, int]:
    """Brands A and B, and an artisan of A who said yes to B: her, and her membership of B."""
    a, b = await support.brand(), await support.brand()
    her = await support.artisan(a)
    invitation = await invite(client, b, her.phone)
    me = await ok(
        await client.post(f"{API}/me/invitations/{invitation['id']}/answer", json={"accept": True}, headers=her.auth)
    )
    [there] = [m["id"] for m in me["memberships"] if m["brand"]["id"] == b.id]
    return a, b, her, there


async def test_a_new_phone_is_registered_and_a_known_one_only_invited_without_saying_whose(
    client: httpx.AsyncClient,
) -> None:
    a, b = await support.brand(), await support.brand()
    hers = await support.artisan(a)
    new = await ok(
        await client.post(f"{API}/artisans", json=artisan_body(b, support.new_phone()), headers=b.coordinator.auth), 201
    )

    sent = await ok(
        await client.post(f"{API}/artisans", json=artisan_body(b, hers.phone), headers=b.coordinator.auth), 202
    )

    assert sent["status"] == "invitation_sent"
    assert set(sent["invitation"]) == {"id", "name", "village_id", "crafts", "status", "created_at"}
    assert (sent["invitation"]["name"], sent["invitation"]["status"]) == ("王阿姨", "pending")
    assert a.slug not in str(sent)
    listed = await ok(await client.get(f"{API}/artisans", headers=b.coordinator.auth))
    assert [x["id"] for x in listed["artisans"]] == [new["id"]]  # she is not B's until she says yes
    again = await ok(
        await client.post(f"{API}/artisans", json=artisan_body(b, hers.phone), headers=b.coordinator.auth), 202
    )
    assert again["invitation"]["id"] == sent["invitation"]["id"]  # asking twice is one question


async def test_a_bad_request_gets_the_same_answer_whoever_the_number_is(client: httpx.AsyncClient) -> None:
    a, b = await support.brand(), await support.brand()
    hers = await support.artisan(a)
    answers = []
    for phone in (hers.phone, support.new_phone()):
        body = artisan_body(b, phone, village_id=a.villages[0])  # another brand's village
        answers.append(refused(await client.post(f"{API}/artisans", json=body, headers=b.coordinator.auth), 422))

    assert answers[0] == answers[1]


async def test_she_is_told_who_asks_and_what_it_will_see_and_only_her_yes_makes_the_membership(
    client: httpx.AsyncClient,
) -> None:
    a, b = await support.brand(), await support.brand()
    her = await support.artisan(a)
    invitation = await invite(client, b, her.phone)

    [asked] = (await ok(await client.get(f"{API}/me/invitations", headers=her.auth)))["invitations"]
    assert (asked["id"], asked["brand"]["id"], asked["name"], asked["crafts"]) == (
        invitation["id"],
        b.id,
        "王阿姨",
        ["embroidery"],
    )
    assert len(asked["sees"]) == 4
    assert all(isinstance(line, str) and line for line in asked["sees"])
    me = await ok(
        await client.post(f"{API}/me/invitations/{invitation['id']}/answer", json={"accept": True}, headers=her.auth)
    )

    assert sorted(m["brand"]["id"] for m in me["memberships"]) == sorted([a.id, b.id])
    listed = await ok(await client.get(f"{API}/artisans", headers=b.coordinator.auth))
    assert [(x["name"], x["phone"]) for x in listed["artisans"]] == [("王阿姨", her.phone)]  # B now sees her number
    assert (await ok(await client.get(f"{API}/invitations", headers=b.coordinator.auth)))["invitations"][0][
        "status"
    ] == "accepted"
    assert await ok(await client.get(f"{API}/me/invitations", headers=her.auth)) == {"invitations": []}
    [joined] = await AuditEvent.select().where((AuditEvent.brand == b.id) & (AuditEvent.action == "join"))
    assert joined["channel"] == "app"


async def test_a_no_makes_nothing_and_each_invitation_is_answered_once_by_her_only(client: httpx.AsyncClient) -> None:
    a, b = await support.brand(), await support.brand()
    her, someone = await support.artisan(a), await support.artisan(a)
    invitation = await invite(client, b, her.phone)
    url = f"{API}/me/invitations/{invitation['id']}/answer"

    refused(await client.post(url, json={"accept": True}, headers=someone.auth), 404)
    me = await ok(await client.post(url, json={"accept": False}, headers=her.auth))

    assert [m["brand"]["id"] for m in me["memberships"]] == [a.id]
    refused(await client.post(url, json={"accept": True}, headers=her.auth), 409, "already_answered")
    assert (await ok(await client.get(f"{API}/artisans", headers=b.coordinator.auth)))["artisans"] == []
    assert (await ok(await client.get(f"{API}/invitations", headers=b.coordinator.auth)))["invitations"][0][
        "status"
    ] == "declined"


async def test_she_signs_in_once_and_works_for_both_each_job_naming_its_brand(client: httpx.AsyncClient) -> None:
    a, b, her, in_b = await shared(client)
    order_a, order_b = await support.open_order(client, a), await support.open_order(client, b)
    [job_a] = await support.offer(client, a, order_a["id"], (her, 4))
    body = {"offers": [{"artisan_id": in_b, "quantity": 6}]}
    [job_b] = (
        await ok(
            await client.post(f"{API}/orders/{order_b['id']}/dispatch", json=body, headers=b.coordinator.auth), 201
        )
    )["jobs"]

    jobs = {j["id"]: j for j in (await ok(await client.get(f"{API}/jobs", headers=her.auth)))["jobs"]}
    assert {(j["brand_id"], j["code"]) for j in jobs.values()} == {(a.id, "K1"), (b.id, "K2")}  # one code series
    assert jobs[job_b["id"]]["brand_name"] == f"Brand {b.slug}"
    await ok(await client.post(f"{API}/jobs/{job_a['id']}/accept", json={}, headers=her.auth))
    await ok(await client.post(f"{API}/jobs/{job_b['id']}/accept", json={"quantity": 5}, headers=her.auth))

    seen_by_b = (await ok(await client.get(f"{API}/orders/{order_b['id']}/jobs", headers=b.coordinator.auth)))["jobs"]
    assert [(j["artisan_id"], j["status"], j["quantity_accepted"]) for j in seen_by_b] == [(in_b, "accepted", 5)]
    actors = await AuditEvent.select(AuditEvent.brand, AuditEvent.actor).where(
        (AuditEvent.entity == "job")
        & (AuditEvent.action == "accept")
        & AuditEvent.entity_id.is_in([job_a["id"], job_b["id"]])
    )
    assert {(row["brand"], row["actor"]) for row in actors} == {(a.id, her.id), (b.id, in_b)}


async def test_no_brand_sees_her_work_prices_payouts_or_photos_for_the_other(client: httpx.AsyncClient) -> None:
    a, b, her, in_b = await shared(client)
    her_in_b = Person(id=in_b, phone=her.phone, role=her.role, token=her.token, village_id=b.villages[0])
    work = await support.job_in_state(client, b, her_in_b, "paid")

    refused(await client.get(f"{API}/orders/{work.order_id}/jobs", headers=a.coordinator.auth), 404)
    refused(await client.get(f"{API}/orders/{work.order_id}", headers=a.coordinator.auth), 404)
    assert (await ok(await client.get(f"{API}/payouts", headers=a.coordinator.auth)))["payouts"] == []
    refused(await client.get(f"{API}/photos/{work.photo_id}/full", headers=a.coordinator.auth), 404)
    refused(await client.patch(f"{API}/artisans/{in_b}", json={"name": "x"}, headers=a.coordinator.auth), 404)
    assert [
        x["id"] for x in (await ok(await client.get(f"{API}/artisans", headers=a.coordinator.auth)))["artisans"]
    ] == [her.id]
    # She sees her money from both, each naming its brand; her photo is hers in both.
    [payout] = (await ok(await client.get(f"{API}/payouts", headers=her.auth)))["payouts"]
    assert (payout["id"], payout["brand_id"]) == (work.payout_id, b.id)
    assert (await client.get(f"{API}/photos/{work.photo_id}/list", headers=her.auth)).status_code == 200
    await ok(await client.post(f"{API}/payouts/{work.payout_id}/confirm", headers=her.auth))


async def test_a_code_by_sms_names_her_job_whichever_brand_it_is_for(
    client: httpx.AsyncClient, twilio_token: str
) -> None:
    a, b, her, in_b = await shared(client)
    [job_a] = await support.offer(client, a, (await support.open_order(client, a))["id"], (her, 3))
    body = {"offers": [{"artisan_id": in_b, "quantity": 3}]}
    order_b = await support.open_order(client, b)
    await ok(await client.post(f"{API}/orders/{order_b['id']}/dispatch", json=body, headers=b.coordinator.auth), 201)

    await text(client, her.phone, "K2 1")

    statuses = await run("SELECT brand, code, status FROM job WHERE artisan IN ({}, {}) ORDER BY id", her.id, in_b)
    assert [(r["brand"], r["code"], r["status"]) for r in statuses] == [
        (a.id, "K1", "offered"),
        (b.id, "K2", "accepted"),
    ]
    assert job_a["status"] == "offered"


async def test_two_brands_together_never_send_her_more_than_the_daily_cap(budget: None) -> None:  # noqa: F811
    a, b = await support.brand(), await support.brand()
    her, gateway = support.new_phone(), Phone()
    async with write_transaction():
        for n in range(4):
            await enqueue(her, support.sms(f"A {n}"), brand_id=a.id)
            await enqueue(her, support.sms(f"B {n}"), brand_id=b.id)

    await deliver_at(gateway, china(1, 10))

    assert len(gateway.to(her)) == 3  # CUNJIANG_SMS_DAILY_CAP, whichever brands wrote
    await deliver_at(gateway, china(2, 10))
    assert len(gateway.to(her)) == 6


async def test_work_in_hand_keeps_her_until_it_is_done(client: httpx.AsyncClient) -> None:
    _a, b, her, in_b = await shared(client)
    her_in_b = Person(id=in_b, phone=her.phone, role=her.role, token=her.token, village_id=b.villages[0])
    await support.job_in_state(client, b, her_in_b, "accepted")

    refused(await client.post(f"{API}/me/brands/{b.id}/leave", headers=her.auth), 409, "open_work")

    assert len((await ok(await client.get(f"{API}/artisans", headers=b.coordinator.auth)))["artisans"]) == 1


async def test_she_leaves_a_brand_once_paid_and_its_staff_no_longer_see_her(client: httpx.AsyncClient) -> None:
    a, b, her, in_b = await shared(client)
    her_in_b = Person(id=in_b, phone=her.phone, role=her.role, token=her.token, village_id=b.villages[0])
    work = await support.job_in_state(client, b, her_in_b, "paid")
    [offer] = await support.offer(client, b, (await support.open_order(client, b))["id"], (her_in_b, 2))
    leave = f"{API}/me/brands/{b.id}/leave"
    refused(await client.post(leave, headers=her.auth), 409, "open_work")  # paid, not yet confirmed
    await ok(await client.post(f"{API}/payouts/{work.payout_id}/confirm", headers=her.auth))

    me = await ok(await client.post(leave, headers=her.auth))

    assert [m["brand"]["id"] for m in me["memberships"]] == [a.id]
    [declined] = await run("SELECT status FROM job WHERE id = {}", offer["id"])
    assert declined["status"] == "declined"  # an offer she had not answered
    assert (await ok(await client.get(f"{API}/artisans", headers=b.coordinator.auth)))["artisans"] == []
    refused(await client.patch(f"{API}/artisans/{in_b}", json={"name": "x"}, headers=b.coordinator.auth), 404)
    refused(await client.post(f"{API}/artisans/{in_b}/sign-out", headers=b.coordinator.auth), 404)
    assert all(j["brand_id"] == a.id for j in (await ok(await client.get(f"{API}/jobs", headers=her.auth)))["jobs"])
    refused(await client.post(leave, headers=her.auth), 404)  # not hers any more


async def test_the_other_brand_sees_only_her_total_pieces_in_hand_and_the_read_is_audited(
    client: httpx.AsyncClient,
) -> None:
    a, b, her, in_b = await shared(client)
    await support.job_in_state(client, a, her, "accepted", quantity=8)
    order_b = await support.open_order(client, b, quantity=10)

    suggestion = await ok(await client.get(f"{API}/orders/{order_b['id']}/suggestion", headers=b.coordinator.auth))

    [mine] = [o for o in suggestion["offers"] + suggestion["others"] if o["artisan_id"] == in_b]
    assert mine["open_load"] == 8  # a total, with nothing saying for whom
    assert a.slug not in str(suggestion)
    [read] = await AuditEvent.select().where((AuditEvent.brand == b.id) & (AuditEvent.action == "read_shared"))
    assert (read["entity"], read["entity_id"], read["actor"]) == ("order", order_b["id"], b.coordinator.id)


async def test_her_photo_goes_with_the_work_it_shows_and_no_brand_sees_the_others(client: httpx.AsyncClient) -> None:
    a, b, her, in_b = await shared(client)
    her_in_b = Person(id=in_b, phone=her.phone, role=her.role, token=her.token, village_id=b.villages[0])
    only_b, both = await support.upload_photo(client, her, (10, 200, 10)), await support.upload_photo(client, her)
    work_a = await support.job_in_state(client, a, her, "accepted")
    work_b = await support.job_in_state(client, b, her_in_b, "accepted")
    submit = f"{API}/jobs/{{}}/submissions"
    await ok(
        await client.post(submit.format(work_a.job_id), json={"quantity": 5, "photo_ids": [both]}, headers=her.auth),
        201,
    )

    sent = await ok(
        await client.post(
            submit.format(work_b.job_id), json={"quantity": 5, "photo_ids": [only_b, both]}, headers=her.auth
        ),
        201,
    )

    moved, copy = sent["photo_ids"]
    assert moved == only_b  # taken for B only: now B's
    assert copy != both  # shown in A's work too: B gets its own copy of the picture
    for photo, owner, stranger in ((moved, b, a), (copy, b, a), (both, a, b)):
        assert (await client.get(f"{API}/photos/{photo}/list", headers=owner.coordinator.auth)).status_code == 200
        refused(await client.get(f"{API}/photos/{photo}/list", headers=stranger.coordinator.auth), 404)
        assert (await client.get(f"{API}/photos/{photo}/list", headers=her.auth)).status_code == 200


async def test_a_photo_sent_with_its_job_is_that_brands_at_once(client: httpx.AsyncClient) -> None:
    a, b, her, in_b = await shared(client)
    her_in_b = Person(id=in_b, phone=her.phone, role=her.role, token=her.token, village_id=b.villages[0])
    work = await support.job_in_state(client, b, her_in_b, "accepted")
    files = {"file": ("work.jpg", support.jpeg_bytes(64, 48, (1, 2, 250)), "image/jpeg")}

    photo = await ok(
        await client.post(f"{API}/photos", files=files, data={"job_id": str(work.job_id)}, headers=her.auth), 201
    )

    assert (await client.get(f"{API}/photos/{photo['id']}/list", headers=b.coordinator.auth)).status_code == 200
    refused(await client.get(f"{API}/photos/{photo['id']}/list", headers=a.coordinator.auth), 404)
    someone = await support.artisan(a)
    refused(
        await client.post(f"{API}/photos", files=files, data={"job_id": str(work.job_id)}, headers=someone.auth), 404
    )
    refused(await client.post(f"{API}/photos", files=files, data={"job_id": "١٢"}, headers=her.auth), 400)


async def test_offers_of_two_brands_are_never_merged_into_one_sms(budget: None) -> None:  # noqa: F811
    a, b = await support.brand(), await support.brand()
    her, gateway = support.new_phone(), Phone()
    due = dt.date(2026, 12, 31)
    async with write_transaction():
        for brand, code, title in ((a, "K1", "苗绣围巾"), (a, "K2", "蜡染靠垫"), (b, "K3", "银饰手镯")):
            offer = render("offer", "zh_Hans", code=code, quantity=5, title=title, price=4500, due=due)
            await enqueue(her, offer, brand_id=brand.id)

    await deliver_at(gateway, china(1, 10))

    sent = sorted(gateway.to(her))
    assert len(sent) == 2
    [of_a] = [body for body in sent if "苗绣围巾" in body]
    assert "蜡染靠垫" in of_a
    assert "银饰手镯" not in of_a
    [of_b] = [body for body in sent if "银饰手镯" in body]
    assert "苗绣围巾" not in of_b
    rows = await run("SELECT body FROM outbox_message WHERE brand = {} AND to_phone = {}", a.id, her)
    assert not any("银饰手镯" in row["body"] for row in rows)  # what A's console can show


async def test_two_coordinators_asking_at_once_make_one_invitation(client: httpx.AsyncClient) -> None:
    a, b = await support.brand(), await support.brand()
    her = await support.artisan(a)
    other_coordinator = await support.person(b.id, Role.COORDINATOR)
    body = artisan_body(b, her.phone)

    answers = await asyncio.gather(
        *[client.post(f"{API}/artisans", json=body, headers=who.auth) for who in (b.coordinator, other_coordinator) * 3]
    )

    assert [answer.status_code for answer in answers] == [202] * 6
    assert len({answer.json()["invitation"]["id"] for answer in answers}) == 1
    assert len((await ok(await client.get(f"{API}/me/invitations", headers=her.auth)))["invitations"]) == 1


async def test_someone_who_works_with_no_brand_any_more_is_registered_at_once(client: httpx.AsyncClient) -> None:
    a, b = await support.brand(), await support.brand()
    her = await support.artisan(a)
    await ok(await client.patch(f"{API}/artisans/{her.id}", json={"active": False}, headers=a.coordinator.auth))

    added = await ok(
        await client.post(f"{API}/artisans", json=artisan_body(b, her.phone), headers=b.coordinator.auth), 201
    )

    assert (added["phone"], added["name"]) == (her.phone, "王阿姨")
    assert await support.person_of(added["id"]) == await support.person_of(her.id)  # the same person
    await ok(await client.post(f"{API}/auth/otp", json={"phone": her.phone}), 202)  # she signs in again
    # Her old brand has her still (deactivated): it reactivates her there instead.
    refused(await client.post(f"{API}/artisans", json=artisan_body(a, her.phone), headers=a.coordinator.auth), 409)


async def test_her_texts_show_in_the_simulator_of_the_brand_they_were_about_only(client: httpx.AsyncClient) -> None:
    a, b, her, in_b = await shared(client)
    body = {"offers": [{"artisan_id": in_b, "quantity": 3}]}
    order_b = await support.open_order(client, b)
    [job] = (
        await ok(
            await client.post(f"{API}/orders/{order_b['id']}/dispatch", json=body, headers=b.coordinator.auth), 201
        )
    )["jobs"]
    received = await inbox.receive("aliyun", f"seq-{job['id']}", her.phone, "106900", f"{job['code']} 1")
    assert received.inbox_id is not None
    await engine.process(received.inbox_id)

    seen = {}
    for brand in (a, b):
        talk = await ok(
            await client.get(f"{API}/sms/simulator", params={"phone": her.phone}, headers=brand.coordinator.auth)
        )
        seen[brand.slug] = [m["body"] for m in talk["messages"] if m["direction"] == "in"]

    assert seen == {a.slug: [], b.slug: [f"{job['code']} 1"]}
