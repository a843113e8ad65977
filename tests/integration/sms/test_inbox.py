"""Villagers' SMS arrive through Twilio's signed webhook: stored once per MessageSid, answered at once."""

from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET

import httpx

from backend.sms.tables import InboundSms
from tests import support
from tests.integration.sms.webhook import INBOUND as PATH
from tests.integration.sms.webhook import inbound_form, signed


def _signed(form: dict[str, str]) -> dict[str, str]:
    return signed(PATH, form)


def _form(sid: str, body: str, phone: str | None = None) -> dict[str, str]:
    return inbound_form(phone or support.new_phone(), body, sid)


async def _stored(sid: str) -> list[dict[str, object]]:
    return await InboundSms.select().where((InboundSms.provider == "twilio") & (InboundSms.provider_id == sid))


async def test_a_signed_message_is_stored_intact_and_answered_with_twiml(
    client: httpx.AsyncClient, twilio_token: str
) -> None:
    form = _form("SMinbound0001", "接 10，K7")

    response = await client.post(PATH, data=form, headers=_signed(form))

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml")
    assert ET.fromstring(response.content).tag == "Response"  # noqa: S314 - our own answer
    [row] = await _stored("SMinbound0001")
    assert (row["from_phone"], row["body"]) == (form["From"], "接 10，K7")
    assert row["processed_at"] is not None  # answered just after (a stranger: told once it is unknown)
    assert row["outcome"] == "unregistered number"


async def test_the_same_message_sid_has_one_effect_even_at_the_same_moment(
    client: httpx.AsyncClient, twilio_token: str
) -> None:
    form = _form("SMinbound0002", "1")

    answers = await asyncio.gather(*[client.post(PATH, data=form, headers=_signed(form)) for _ in range(5)])
    later = await client.post(PATH, data=form, headers=_signed(form))

    assert {a.status_code for a in [*answers, later]} == {200}
    assert len({a.content for a in [*answers, later]}) == 1
    assert len(await _stored("SMinbound0002")) == 1


async def test_a_forged_or_missing_signature_is_refused_and_nothing_is_stored(
    client: httpx.AsyncClient, twilio_token: str
) -> None:
    form = _form("SMinbound0003", "1")

    forged = await client.post(PATH, data=form, headers={"X-Twilio-Signature": "forged"})
    unsigned = await client.post(PATH, data=form)
    tampered = await client.post(PATH, data=form | {"Body": "2"}, headers=_signed(form))

    assert [r.status_code for r in (forged, unsigned, tampered)] == [403, 403, 403]
    assert await _stored("SMinbound0003") == []


async def test_a_message_without_an_id_is_refused_clearly(client: httpx.AsyncClient, twilio_token: str) -> None:
    form = _form("", "1")

    response = support.refused(await client.post(PATH, data=form, headers=_signed(form)), 422, "invalid")

    assert response["fields"] == {"message": "incomplete"}
    assert await _stored("") == []


async def test_a_webhook_that_carries_an_idempotency_key_is_answered_once_never_with_a_500(
    client: httpx.AsyncClient, twilio_token: str
) -> None:
    """A proxy or a retrying client may add an Idempotency-Key to the provider's webhook: the
    conversation, which runs its own transactions, still answers, once per MessageSid."""
    form = _form("SMinbound0003", "帮助")
    headers = _signed(form) | {"Idempotency-Key": "proxy-added-key"}

    first = await client.post(PATH, data=form, headers=headers)
    again = await client.post(PATH, data=form, headers=headers)
    other_key = await client.post(PATH, data=form, headers=_signed(form) | {"Idempotency-Key": "another"})

    assert [first.status_code, again.status_code, other_key.status_code] == [200, 200, 200]
    [row] = await _stored("SMinbound0003")
    assert row["processed_at"] is not None
