"""Calls placed through Twilio Voice (the real client against a local Twilio-speaking server),
spoken as TwiML at signed webhooks (signatures by twilio's own RequestValidator), a key
pressed taken once as the flow's answer, the status callback settling the call."""

from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from twilio.request_validator import RequestValidator

from backend.core.settings import get_settings
from backend.db.session import run
from backend.gateways.registry import voice_configured
from backend.gateways.twilio_voice import TwilioVoiceGateway
from backend.voice import reports
from backend.voice.dispatch import call_due
from tests import support
from tests.fakes.twilio_server import FakeTwilio
from tests.integration.gateways.twilio_setup import SID, TOKEN
from tests.integration.voice.conftest import china

CALLER = "+15005550006"


@pytest.fixture
def twilio_voice(twilio_env: FakeTwilio, monkeypatch: pytest.MonkeyPatch) -> FakeTwilio:
    monkeypatch.setenv("CUNJIANG_VOICE_PROVIDER", "twilio")
    monkeypatch.setenv("TWILIO_VOICE_FROM", CALLER)
    get_settings.cache_clear()
    return twilio_env


async def _place(now_days: int = 1) -> TwilioVoiceGateway:
    gateway = voice_configured()
    assert isinstance(gateway, TwilioVoiceGateway)
    await call_due(gateway, now=china(now_days, 12), limit=1000)
    return gateway


def _placed_to(server: FakeTwilio, phone: str) -> list[dict[str, str]]:
    return [call for call in server.calls if call["To"] == phone]


async def _webhook(
    client: httpx.AsyncClient, url: str, form: dict[str, str], *, signature: str | None = None
) -> httpx.Response:
    """Post to ``url`` (an address of ours, as Twilio was given it), signed as Twilio signs."""
    signature = signature or RequestValidator(TOKEN).compute_signature(url, form)
    parts = urlsplit(url)
    return await client.post(f"{parts.path}?{parts.query}", data=form, headers={"X-Twilio-Signature": signature})


def _form(placed: dict[str, str], **fields: str) -> dict[str, str]:
    return {"CallSid": placed["Sid"], "AccountSid": SID, "From": CALLER, "To": placed["To"]} | fields


async def _twiml(client: httpx.AsyncClient, url: str, form: dict[str, str]) -> ET.Element:
    response = await _webhook(client, url, form)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/xml")
    return ET.fromstring(response.content)  # noqa: S314 - our own answer


async def _status(client: httpx.AsyncClient, placed: dict[str, str], status: str, **fields: str) -> None:
    form = _form(placed, CallStatus=status, **fields)
    response = await _webhook(client, placed["StatusCallback"], form)
    assert response.status_code == 204, response.text
    await reports.apply_pending()  # what the response's background task did already, if it ran


async def _press(client: httpx.AsyncClient, placed: dict[str, str], action: str, key: str) -> ET.Element:
    twiml = await _twiml(client, action, _form(placed, CallStatus="in-progress", Digits=key))
    await reports.apply_pending()
    return twiml


async def _job(job_id: int) -> dict[str, object]:
    [row] = await run("SELECT status, quantity_accepted FROM job WHERE id = {}", job_id)
    return row


async def _call(phone: str) -> dict[str, object]:
    [row] = await run(
        "SELECT id, status, attempts, key_pressed, provider, provider_call_id, duration_s FROM voice_call "
        "WHERE to_phone = {}",
        phone,
    )
    return row


async def _texts(phone: str) -> list[str]:
    rows = await run("SELECT kind FROM outbox_message WHERE to_phone = {} AND answers ORDER BY id", phone)
    return [row["kind"] for row in rows]


def _action(twiml: ET.Element) -> str:
    [first, *_] = twiml.findall("Gather")
    return first.attrib["action"]


async def test_a_call_answered_with_1_accepts_the_offer_once_however_often_twilio_posts_the_key(
    client: httpx.AsyncClient, twilio_voice: FakeTwilio
) -> None:
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True, takes_calls=True)
    work = await support.job_in_state(client, brand, villager, "offered", quantity=4)
    await _place()

    [placed] = _placed_to(twilio_voice, villager.phone)
    call = await _call(villager.phone)
    public = get_settings().public_url
    assert placed["From"] == CALLER
    assert placed["Url"] == f"{public}/voice/twilio/prompt?call={call['id']}"
    assert placed["StatusCallback"] == f"{public}/voice/twilio/status?call={call['id']}"
    assert placed["MachineDetection"] == "Enable"
    assert (call["status"], call["provider"], call["provider_call_id"]) == ("calling", "twilio", placed["Sid"])

    twiml = await _twiml(client, placed["Url"], _form(placed, CallStatus="in-progress", AnsweredBy="human"))
    gathers = twiml.findall("Gather")
    assert len(gathers) == 2  # the prompt, and once more while no key comes
    assert all(g.attrib["numDigits"] == "1" and g.attrib["timeout"] == "30" for g in gathers)
    [say] = gathers[0].findall("Say")
    assert say.attrib["language"] == "zh-CN"
    words = say.text or ""
    assert "K1" in words
    assert "4" in words
    action = _action(twiml)
    assert parse_qs(urlsplit(action).query) == {"call": [str(call["id"])]}

    # Twilio retries a webhook that answered late: the same key, three times, at once.
    answers = await asyncio.gather(*(_press(client, placed, action, "1") for _ in range(3)))
    await _status(client, placed, "completed", AnsweredBy="human", CallDuration="25")

    for answer in answers:
        assert [child.tag for child in answer] == ["Say", "Hangup"]
        assert answer[0].attrib["language"] == "zh-CN"
    assert await _job(work.job_id) == {"status": "accepted", "quantity_accepted": 4}
    call = await _call(villager.phone)
    assert (call["status"], call["key_pressed"], call["duration_s"]) == ("answered", "1", 25)
    assert await _texts(villager.phone) == ["offer_accepted"]
    events = await run(
        "SELECT channel FROM audit_event WHERE entity = 'job' AND entity_id = {} AND action = 'accept'", work.job_id
    )
    assert events == [{"channel": "voice"}]


async def test_a_call_not_answered_or_answered_by_a_machine_changes_nothing(
    client: httpx.AsyncClient, twilio_voice: FakeTwilio
) -> None:
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True, takes_calls=True)
    work = await support.job_in_state(client, brand, villager, "offered", quantity=3)

    await _place(1)
    [first] = _placed_to(twilio_voice, villager.phone)
    await _status(client, first, "no-answer")
    call = await _call(villager.phone)
    assert (call["status"], call["attempts"]) == ("queued", 1)

    await _place(2)
    [_, second] = _placed_to(twilio_voice, villager.phone)
    hung_up = await _twiml(client, second["Url"], _form(second, CallStatus="in-progress", AnsweredBy="machine_start"))
    assert [child.tag for child in hung_up] == ["Hangup"]
    await _status(client, second, "completed", AnsweredBy="machine_end_beep", CallDuration="12")

    call = await _call(villager.phone)
    assert (call["status"], call["attempts"]) == ("no_answer", 2)
    assert await _job(work.job_id) == {"status": "offered", "quantity_accepted": 0}
    assert await _texts(villager.phone) == []


async def test_a_key_outside_the_menu_repeats_the_prompt_once_then_ends(
    client: httpx.AsyncClient, twilio_voice: FakeTwilio
) -> None:
    brand = await support.brand()
    patient = await support.artisan(brand, sms_only=True, takes_calls=True)
    hasty = await support.artisan(brand, sms_only=True, takes_calls=True)
    works = [await support.job_in_state(client, brand, who, "offered", quantity=3) for who in (patient, hasty)]
    await _place()
    [to_patient], [to_hasty] = _placed_to(twilio_voice, patient.phone), _placed_to(twilio_voice, hasty.phone)

    first = await _twiml(client, to_patient["Url"], _form(to_patient, CallStatus="in-progress"))
    again = await _press(client, to_patient, _action(first), "5")  # wrong: the prompt again
    assert parse_qs(urlsplit(_action(again)).query)["keys"] == ["5"]  # the prompt again, the 5 kept
    repeated = await _press(client, to_patient, _action(again), "9")  # 9: once more
    await _press(client, to_patient, _action(repeated), "2")  # then 2: declined

    first = await _twiml(client, to_hasty["Url"], _form(to_hasty, CallStatus="in-progress"))
    again = await _press(client, to_hasty, _action(first), "5")
    ended = await _press(client, to_hasty, _action(again), "6")  # wrong twice: the call ends
    assert [child.tag for child in ended] == ["Hangup"]
    await _status(client, to_hasty, "completed", AnsweredBy="human", CallDuration="40")

    assert await _job(works[0].job_id) == {"status": "declined", "quantity_accepted": 0}
    assert await _job(works[1].job_id) == {"status": "offered", "quantity_accepted": 0}
    declined, unanswered = await _call(patient.phone), await _call(hasty.phone)
    assert (declined["status"], declined["key_pressed"]) == ("answered", "592")
    assert (unanswered["status"], unanswered["attempts"], unanswered["key_pressed"]) == ("queued", 1, "56")


async def test_a_webhook_with_a_bad_signature_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, twilio_voice: FakeTwilio
) -> None:
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True, takes_calls=True)
    work = await support.job_in_state(client, brand, villager, "offered", quantity=2)
    await _place()
    [placed] = _placed_to(twilio_voice, villager.phone)
    call = await _call(villager.phone)
    gather = f"{get_settings().public_url}/voice/twilio/gather?call={call['id']}"
    form = _form(placed, CallStatus="in-progress", Digits="1")
    # Signed for another call's address: the query is signed too.
    elsewhere = RequestValidator(TOKEN).compute_signature(gather.replace(f"={call['id']}", "=1"), form)

    for url, signature in [(gather, "forged"), (gather, elsewhere), (placed["Url"], "forged")]:
        refused = await _webhook(client, url, form, signature=signature)
        assert refused.status_code == 403
        assert refused.json()["code"] == "forbidden"
    refused = await _webhook(client, placed["StatusCallback"], _form(placed, CallStatus="completed"), signature="x")
    assert refused.status_code == 403
    await reports.apply_pending()

    assert await _job(work.job_id) == {"status": "offered", "quantity_accepted": 0}
    assert (await _call(villager.phone))["status"] == "calling"


async def test_a_call_twilio_reports_without_a_price_costs_its_minutes_started_estimated_once(
    client: httpx.AsyncClient, twilio_voice: FakeTwilio
) -> None:
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True, takes_calls=True)
    await support.job_in_state(client, brand, villager, "offered", quantity=4)
    await _place()
    [placed] = _placed_to(twilio_voice, villager.phone)

    for _ in range(2):  # Twilio retries a status callback
        await _status(client, placed, "completed", AnsweredBy="human", CallDuration="125")

    [row] = await run("SELECT cost_fen, cost_estimated FROM voice_call WHERE to_phone = {}", villager.phone)
    assert (row["cost_fen"], bool(row["cost_estimated"])) == (30, True)  # 3 minutes started, 10 fen each
    months = await support.ok(await client.get("/api/v1/dashboard/calls", headers=brand.coordinator.auth))
    assert (months["months"][-1]["cost_fen"], months["months"][-1]["cost_estimated_fen"]) == (30, 30)
