"""Her own words: proposed by her brand's staff, approved or rejected by her alone, shown only
while her story switch is on; and what staff may read of her consent."""

from __future__ import annotations

import httpx
import pytest

from backend.accounts.consent import consent_of, public_story
from backend.audit.tables import AuditEvent
from backend.core.types import Role
from backend.db.session import run
from tests import support
from tests.support import Brand, Person, ok, refused

API = "/api/v1"
WORDS = "我十岁跟奶奶学蜡染。"


async def propose(client: httpx.AsyncClient, b: Brand, her: Person, text: str = WORDS) -> dict[str, object]:
    return await ok(  # type: ignore[no-any-return]
        await client.post(f"{API}/members/{her.id}/story", json={"text": text}, headers=b.coordinator.auth), 201
    )


async def decide(client: httpx.AsyncClient, her: Person, decision: str, **extra: object) -> httpx.Response:
    return await client.post(f"{API}/me/story", json={"decision": decision, **extra}, headers=her.auth)


async def test_a_proposal_waits_for_her_and_her_yes_makes_it_her_words(client: httpx.AsyncClient) -> None:
    b = await support.brand()
    her = await support.artisan(b)

    proposed = await propose(client, b, her, "  我十岁跟奶奶\n学蜡染。  ")

    assert proposed["text"] == "我十岁跟奶奶 学蜡染。"  # trimmed, the line break folded
    mine = await ok(await client.get(f"{API}/me/consent", headers=her.auth))
    assert (mine["story_text"], mine["story_proposed"]) == (None, "我十岁跟奶奶 学蜡染。")
    assert mine["story_proposal"] == proposed["proposal"]
    approved = await ok(await decide(client, her, "approve", proposal=proposed["proposal"]))
    assert (approved["story_text"], approved["story_proposed"], approved["story_proposal"]) == (
        "我十岁跟奶奶 学蜡染。",
        None,
        None,
    )
    person = await support.person_of(her.id)
    assert await public_story(person) is None  # approved, but her story switch is off
    body = {"name": False, "display_name": None, "photo": False, "village": False, "story": True}
    await ok(await client.put(f"{API}/me/consent", json=body, headers=her.auth))
    assert await public_story(person) == "我十岁跟奶奶 学蜡染。"
    await ok(await client.put(f"{API}/me/consent", json=body | {"story": False}, headers=her.auth))
    assert await public_story(person) is None  # revoked: at once
    actions = [
        row["action"]
        for row in await AuditEvent.select().where((AuditEvent.brand == b.id) & (AuditEvent.entity == "consent"))
    ]
    assert actions == ["story_proposed", "story_approved", "change", "change"]


async def test_a_new_proposal_replaces_the_waiting_one_and_an_answer_to_the_old_one_is_refused(
    client: httpx.AsyncClient,
) -> None:
    b = await support.brand()
    her = await support.artisan(b)
    first = await propose(client, b, her)
    second = await propose(client, b, her, "我绣的是我们村的花。")

    refused(await decide(client, her, "approve", proposal=first["proposal"]), 409, "story_changed")
    rejected = await ok(await decide(client, her, "reject", proposal=second["proposal"]))

    assert (rejected["story_text"], rejected["story_proposed"]) == (None, None)
    refused(await decide(client, her, "approve"), 409, "story_not_pending")


async def test_approving_with_nothing_waiting_is_a_conflict(client: httpx.AsyncClient) -> None:
    her = await support.artisan(await support.brand())
    refused(await decide(client, her, "approve"), 409, "story_not_pending")


async def test_a_replayed_approval_has_one_effect_and_a_second_one_is_refused(client: httpx.AsyncClient) -> None:
    b = await support.brand()
    her = await support.artisan(b)
    await propose(client, b, her)
    key = her.auth | {"Idempotency-Key": "approve-once"}
    url, body = f"{API}/me/story", {"decision": "approve"}

    first = await ok(await client.post(url, json=body, headers=key))
    again = await ok(await client.post(url, json=body, headers=key))

    assert first == again
    refused(await client.post(url, json=body, headers=her.auth), 409, "story_not_pending")
    approvals = await AuditEvent.select().where((AuditEvent.brand == b.id) & (AuditEvent.action == "story_approved"))
    assert len(approvals) == 1


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "blank"),
        ("   \n ", "blank"),
        ("绣" * 201, "too_long"),
        ("有事打我电话 138 0013 8000", "phone_number"),
        ("电话１３８００１３８０００", "phone_number"),
        ("看我的店 https://example.com/shop", "link"),
        ("看 www.example.cn 的照片", "link"),
        ("我的店 miao-silver.com", "link"),
        ("写信到 a@b.cn", "link"),
    ],
)
async def test_a_proposal_with_a_phone_number_a_link_or_the_wrong_length_is_refused_with_words(
    client: httpx.AsyncClient, text: str, code: str
) -> None:
    b = await support.brand()
    her = await support.artisan(b)

    body = refused(
        await client.post(f"{API}/members/{her.id}/story", json={"text": text}, headers=b.coordinator.auth), 422
    )

    assert body["fields"] == {"text": code}
    assert (await consent_of(await support.person_of(her.id))).story_proposed is None


async def test_two_hundred_characters_are_a_story_and_the_wire_refuses_a_control_character(
    client: httpx.AsyncClient,
) -> None:
    b = await support.brand()
    her = await support.artisan(b)
    await propose(client, b, her, "绣" * 200)
    url = f"{API}/members/{her.id}/story"
    refused(await client.post(url, json={"text": "a\u0000b"}, headers=b.coordinator.auth), 400)


async def test_only_her_brands_staff_propose_and_read_and_only_for_her(client: httpx.AsyncClient) -> None:
    a, other = await support.brand(), await support.brand()
    her = await support.artisan(a)
    neighbour = await support.artisan(a)
    leader = await support.person(a.id, Role.LEADER, a.villages[0])
    body = {"text": WORDS}

    # Another brand's staff: she does not exist for them.
    refused(await client.post(f"{API}/members/{her.id}/story", json=body, headers=other.coordinator.auth), 404)
    refused(await client.get(f"{API}/members/{her.id}/consent", headers=other.coordinator.auth), 404)
    refused(await client.post(f"{API}/members/999999999/story", json=body, headers=a.coordinator.auth), 404)
    # Not staff: an artisan for her neighbour, or a village leader.
    refused(await client.post(f"{API}/members/{her.id}/story", json=body, headers=neighbour.auth), 403)
    refused(await client.post(f"{API}/members/{her.id}/story", json=body, headers=leader.auth), 403)
    # Her own brand's coordinator reads her choice, read-only.
    await propose(client, a, her)
    seen = await ok(await client.get(f"{API}/members/{her.id}/consent", headers=a.coordinator.auth))
    assert (seen["name"], seen["story_proposed"]) == (False, WORDS)
    # Her neighbour's answer settles nothing of hers.
    refused(await decide(client, neighbour, "approve"), 409, "story_not_pending")
    assert (await consent_of(await support.person_of(her.id))).story_proposed == WORDS


async def test_a_coordinator_records_her_answer_on_her_behalf_and_the_trail_says_so(
    client: httpx.AsyncClient,
) -> None:
    a, other = await support.brand(), await support.brand()
    her = await support.artisan(a)
    proposed = await propose(client, a, her, "绣" * 150)  # too long for one SMS: read out to her
    assert proposed["asked_by_sms"] is False
    url = f"{API}/members/{her.id}/story/decision"
    body = {"decision": "approve", "proposal": proposed["proposal"]}
    refused(await client.post(url, json=body, headers=other.coordinator.auth), 404)

    done = await ok(await client.post(url, json=body, headers=a.coordinator.auth))

    assert done["story_text"] == "绣" * 150
    [row] = await AuditEvent.select().where((AuditEvent.brand == a.id) & (AuditEvent.action == "story_approved"))
    assert (row["channel"], row["on_behalf_of"]) == ("on-behalf", her.id)


async def test_a_short_story_for_someone_on_sms_is_asked_by_sms(client: httpx.AsyncClient) -> None:
    b = await support.brand()
    her = await support.artisan(b, sms_only=True)

    proposed = await propose(client, b, her)

    assert proposed["asked_by_sms"] is True
    [sent] = await run("SELECT body FROM outbox_message WHERE to_phone = {}", her.phone)
    assert WORDS in sent["body"]


async def test_revoking_a_switch_holds_at_once_for_every_reader(client: httpx.AsyncClient) -> None:
    her = await support.artisan(await support.brand())
    person = await support.person_of(her.id)
    body = {"name": True, "display_name": "阿妹", "photo": True, "village": True, "story": False}
    await ok(await client.put(f"{API}/me/consent", json=body, headers=her.auth))
    assert (await consent_of(person)).name is True

    await ok(await client.put(f"{API}/me/consent", json=body | {"name": False}, headers=her.auth))

    assert (await consent_of(person)).name is False
    shown = await ok(await client.get(f"{API}/me/consent", headers=her.auth))
    assert (shown["name"], shown["photo"]) == (False, True)


async def test_her_words_cannot_be_written_through_the_switches(client: httpx.AsyncClient) -> None:
    her = await support.artisan(await support.brand())
    body = {"name": True, "display_name": None, "photo": False, "village": False, "story": True}

    refused(await client.put(f"{API}/me/consent", json=body | {"story_text": "我写的"}, headers=her.auth), 400)

    assert (await consent_of(await support.person_of(her.id))).story_text is None
