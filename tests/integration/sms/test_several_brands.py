"""SMS to a person who works with several brands: each answer is filed under the one brand
whose things it shows, so a brand's console (its list of SMS) never reads of her work for
another."""

from __future__ import annotations

import httpx

from backend.db.session import run
from tests import support
from tests.integration.memberships.test_two_brands import shared
from tests.integration.sms.webhook import text
from tests.support import Person, ok

API = "/api/v1"


async def _answers(phone: str, after: int) -> list[dict[str, object]]:
    return await run("SELECT brand, member, kind, body FROM outbox_message WHERE to_phone = {} AND id > {} ORDER BY id",
                     phone, after)  # fmt: skip


async def _last_sms() -> int:
    return int((await run("SELECT COALESCE(MAX(id), 0) AS id FROM outbox_message"))[0]["id"])


async def test_an_answer_about_one_brands_work_is_filed_under_that_brand(
    client: httpx.AsyncClient, twilio_token: str
) -> None:
    a, b, her, in_b = await shared(client)
    her_in_b = Person(id=in_b, phone=her.phone, role=her.role, token=her.token, village_id=b.villages[0])
    await support.job_in_state(client, a, her, "offered")
    await support.job_in_state(client, b, her_in_b, "offered")  # K2, B's
    mark = await _last_sms()

    await text(client, her.phone, "K2 1")
    await text(client, her.phone, "K1 2")
    await text(client, her.phone, "K2 1")  # answered already: where it stands, still B's

    answers = await _answers(her.phone, mark)
    assert [(row["brand"], row["member"], row["kind"]) for row in answers] == [
        (b.id, in_b, "offer_accepted"),
        (a.id, her.id, "offer_declined"),
        (b.id, in_b, "item_status"),
    ]


async def test_an_answer_that_shows_several_brands_work_is_filed_under_none(
    client: httpx.AsyncClient, twilio_token: str
) -> None:
    a, b, her, in_b = await shared(client)
    her_in_b = Person(id=in_b, phone=her.phone, role=her.role, token=her.token, village_id=b.villages[0])
    await support.job_in_state(client, a, her, "offered")
    await support.job_in_state(client, b, her_in_b, "accepted")
    alone = await support.artisan(a, sms_only=True)
    mark = await _last_sms()

    await text(client, her.phone, "0")  # her open work: A's offer and B's work in hand
    await text(client, her.phone, "什么")  # not understood: the same menu
    await text(client, alone.phone, "0")  # one brand: its own

    answers = await _answers(her.phone, mark)
    assert [(row["brand"], row["kind"]) for row in answers] == [(None, "help_menu"), (None, "not_understood")]
    [menu] = await _answers(alone.phone, mark)
    assert (menu["brand"], menu["member"]) == (a.id, alone.id)
    listed = await ok(await client.get(f"{API}/sms/messages?phone={her.phone}", headers=a.coordinator.auth))
    assert [m["kind"] for m in listed["messages"] if m["id"] > mark] == []  # A's console shows none of it
