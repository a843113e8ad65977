"""Recorded prompts, for villagers whose language text-to-speech cannot speak (Miao, Dong):
registered by staff (Aliyun voice file codes, WAV/MP3 files), played by Aliyun (IvrCall with the
file code, the real SDK against a local server) and by Twilio (<Play>, real signatures); a call
with no recording in her language is never placed."""

from __future__ import annotations

import asyncio
import io
import json
import wave
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from twilio.request_validator import RequestValidator

from backend.core.settings import get_settings
from backend.db.session import run
from backend.gateways import ConsoleCaller
from backend.gateways.aliyun_voice import AliyunVoiceGateway
from backend.gateways.registry import voice_configured
from backend.messages.prompts import prompts
from backend.messages.registered import Codes
from backend.voice import recordings, reports
from backend.voice.dispatch import call_due
from backend.voice.recordings import load_codes
from backend.voice.sheet import filled_codes, recording_sheet
from tests import support
from tests.fakes.aliyun_server import FakeAliyun
from tests.fakes.twilio_server import FakeTwilio
from tests.integration.gateways.twilio_setup import SID, TOKEN
from tests.integration.voice.conftest import china

Voice = tuple[FakeAliyun, AliyunVoiceGateway, Codes]
CALLER = "+15005550006"
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" + bytes(2000)


def wav_bytes(seconds: float = 0.2) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(bytes(int(8000 * seconds) * 2))
    return buffer.getvalue()


@pytest.fixture
def twilio_voice(twilio_env: FakeTwilio, monkeypatch: pytest.MonkeyPatch) -> FakeTwilio:
    monkeypatch.setenv("CUNJIANG_VOICE_PROVIDER", "twilio")
    monkeypatch.setenv("TWILIO_VOICE_FROM", CALLER)
    get_settings.cache_clear()
    return twilio_env


async def _code(client: httpx.AsyncClient, b: support.Brand, language: str, prompt: str, code: str) -> httpx.Response:
    return await client.put(
        f"/api/v1/voice/recordings/{language}/{prompt}", json={"aliyun_code": code}, headers=b.coordinator.auth
    )


async def _upload(
    client: httpx.AsyncClient, b: support.Brand, language: str, prompt: str, data: bytes, name: str = "a.mp3"
) -> httpx.Response:
    return await client.put(
        f"/api/v1/voice/recordings/{language}/{prompt}/audio",
        files={"file": (name, data, "application/octet-stream")},
        headers=b.coordinator.auth,
    )


async def _speaker(client: httpx.AsyncClient, b: support.Brand, language: str = "hmn") -> support.Person:
    villager = await support.artisan(b, sms_only=True, takes_calls=True)
    changed = await client.patch(
        f"/api/v1/artisans/{villager.id}", json={"voice_language": language}, headers=b.coordinator.auth
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["voice_language"] == language
    return villager


async def _call(phone: str) -> dict[str, Any]:
    [row] = await run("SELECT id, status, outcome, attempts, provider FROM voice_call WHERE to_phone = {}", phone)
    return row


async def test_a_language_is_set_on_a_person_only_once_the_brand_recorded_in_it(client: httpx.AsyncClient) -> None:
    brand, other = await support.brand(), await support.brand()
    villager = await support.artisan(brand, sms_only=True, takes_calls=True)
    url, auth = f"/api/v1/artisans/{villager.id}", brand.coordinator.auth

    refused = await client.patch(url, json={"voice_language": "hmn"}, headers=auth)
    assert refused.status_code == 422, refused.text
    assert refused.json()["fields"] == {"voice_language": "unknown_voice_language"}
    bad = await client.patch(url, json={"voice_language": "not a tag!"}, headers=auth)
    assert bad.status_code == 422

    await support.ok(await _code(client, other, "hmn", "offer_call", "other-brand.wav"))  # another brand's: no
    assert (await client.patch(url, json={"voice_language": "hmn"}, headers=auth)).status_code == 422
    await support.ok(await _code(client, brand, "hmn", "offer_call", "f1.wav"))
    changed = await support.ok(await client.patch(url, json={"voice_language": "HMN"}, headers=auth))
    assert changed["voice_language"] == "hmn"
    english = await support.ok(await client.patch(url, json={"voice_language": "en"}, headers=auth))
    assert english["voice_language"] == "en"  # text-to-speech speaks English: nothing to record
    cleared = await support.ok(await client.patch(url, json={"voice_language": None}, headers=auth))
    assert cleared["voice_language"] is None

    events = await run(
        "SELECT detail FROM audit_event WHERE entity = 'member' AND entity_id = {} AND action = 'change' ORDER BY id",
        villager.id,
    )
    details = [json.loads(e["detail"]) if isinstance(e["detail"], str) else e["detail"] for e in events]
    assert details == [
        {"voice_language": [None, "hmn"]},
        {"voice_language": ["hmn", "en"]},
        {"voice_language": ["en", None]},
    ]
    created = await client.post(
        "/api/v1/artisans",
        json={"name": "Wu", "phone": support.new_phone(), "village_id": brand.villages[0], "voice_language": "hmn"},
        headers={**auth, "Idempotency-Key": "new-hmn"},
    )
    assert created.status_code == 201, created.text
    assert created.json()["voice_language"] == "hmn"


async def test_staff_see_what_each_language_lacks_and_only_their_own_brand(client: httpx.AsyncClient) -> None:
    brand, other = await support.brand(), await support.brand()
    await support.ok(await _code(client, brand, "hmn", "offer_call", "offer-hmn.wav"))
    await support.ok(await _upload(client, brand, "hmn", "call_answered", MP3))
    await support.ok(await _code(client, other, "doc", "offer_call", "offer-doc.wav"))
    artisan = await support.artisan(brand)

    shown = await support.ok(await client.get("/api/v1/voice/recordings", headers=brand.coordinator.auth))
    assert shown["provider"] == "console"
    assert shown["prompts"] == list(prompts())
    [hmn] = shown["languages"]  # the other brand's doc is not here
    assert hmn["language"] == "hmn"
    assert {r["prompt"] for r in hmn["recorded"]} == {"offer_call", "call_answered"}
    assert "offer_call" not in hmn["missing"]
    assert "call_answered" not in hmn["missing"]  # the console plays either kind
    assert "payout_call" in hmn["missing"]

    assert (await client.get("/api/v1/voice/recordings", headers=artisan.auth)).status_code == 403
    as_artisan = support.Brand(id=brand.id, slug=brand.slug, coordinator=artisan)
    assert (await _code(client, as_artisan, "hmn", "payout_call", "x.wav")).status_code == 403
    assert (await _upload(client, as_artisan, "hmn", "payout_call", MP3)).status_code == 403
    gone = await client.delete("/api/v1/voice/recordings/doc/offer_call", headers=brand.coordinator.auth)
    assert gone.status_code == 404  # the other brand's recording does not exist here
    assert (await _code(client, brand, "hmn", "no_such_prompt", "x.wav")).status_code == 404
    tts = await _code(client, brand, "zh_Hans", "offer_call", "x.wav")
    assert (tts.status_code, tts.json()["fields"]) == (422, {"language": "spoken_by_tts"})
    assert (await _code(client, brand, "hmn", "offer_call", "bad code!")).status_code == 400

    deleted = await client.delete("/api/v1/voice/recordings/hmn/offer_call", headers=brand.coordinator.auth)
    assert deleted.status_code == 204
    after = await support.ok(await client.get("/api/v1/voice/recordings", headers=brand.coordinator.auth))
    assert "offer_call" in after["languages"][0]["missing"]
    actions = await run(
        "SELECT action FROM audit_event WHERE entity = 'voice_recording' AND brand = {} ORDER BY id", brand.id
    )
    assert [a["action"] for a in actions] == ["create", "create", "delete"]


async def test_an_upload_must_be_wav_or_mp3_within_the_limit_and_is_served_at_its_secret_address(
    client: httpx.AsyncClient,
) -> None:
    """Sniffed from the bytes, not the name; the same file again changes nothing."""
    brand = await support.brand()
    refused = await _upload(client, brand, "hmn", "offer_call", support.jpeg_bytes(), name="prompt.mp3")
    assert (refused.status_code, refused.json()["code"]) == (415, "unsupported_media_type")
    text = await _upload(client, brand, "hmn", "offer_call", b"<html>not audio</html>" * 10)
    assert text.status_code == 415
    big = await _upload(client, brand, "hmn", "offer_call", MP3 + bytes(recordings.MAX_AUDIO_BYTES))
    assert big.status_code == 413
    assert (await support.ok(await client.get("/api/v1/voice/recordings", headers=brand.coordinator.auth)))[
        "languages"
    ] == []  # nothing was kept

    sound = wav_bytes()
    first = await support.ok(await _upload(client, brand, "hmn", "offer_call", sound, name="offer.wav"))
    again = await support.ok(await _upload(client, brand, "hmn", "offer_call", sound, name="offer.wav"))
    assert first["audio_url"] == again["audio_url"]  # the same file again: no change
    assert (first["audio_type"], first["audio_bytes"]) == ("audio/wav", len(sound))
    path = urlsplit(first["audio_url"]).path
    assert path.startswith("/voice/audio/")
    assert path.endswith(".wav")
    served = await client.get(path)  # public: Twilio fetches it without a token of ours
    assert served.status_code == 200
    assert served.headers["content-type"] == "audio/wav"
    assert served.content == sound
    assert (await client.get(path.replace(".wav", ".mp3"))).status_code == 404
    assert (await client.get("/voice/audio/not-a-token.wav")).status_code == 404

    replaced = await support.ok(await _upload(client, brand, "hmn", "offer_call", MP3))
    assert replaced["audio_url"] != first["audio_url"]
    assert replaced["audio_url"].endswith(".mp3")
    assert (await client.get(path)).status_code == 404  # the old address is gone
    new = await client.get(urlsplit(replaced["audio_url"]).path)
    assert (new.status_code, new.headers["content-type"], new.content) == (200, "audio/mpeg", MP3)
    events = await run("SELECT action FROM audit_event WHERE entity = 'voice_recording' AND brand = {}", brand.id)
    assert [e["action"] for e in events] == ["create", "change"]


async def test_aliyun_plays_the_voice_files_without_tts_variables(
    client: httpx.AsyncClient, callback_token: str, aliyun_voice: Voice
) -> None:
    server, gateway, _codes = aliyun_voice
    brand = await support.brand()
    await support.ok(await _code(client, brand, "hmn", "offer_call", "offer-hmn-1.wav"))
    await support.ok(await _code(client, brand, "hmn", "call_answered", "thanks-hmn-2.wav"))
    villager = await _speaker(client, brand)
    work = await support.job_in_state(client, brand, villager, "offered", quantity=4)

    await call_due(gateway, now=china(1, 12), limit=1000)

    [placed] = [p for p in server.placed if p.phone == villager.phone.removeprefix("+86")]
    assert placed.start_code == "offer-hmn-1.wav"
    assert placed.params == {}
    assert placed.menu == {"1": ("thanks-hmn-2.wav", ""), "2": ("thanks-hmn-2.wav", ""), "9": ("offer-hmn-1.wav", "")}
    [sent] = [c for c in server.calls if c["action"] == "IvrCall" and placed.out_id in str(c)]
    fields = {**sent["query"], **sent["form"]}
    assert not [name for name in fields if "TtsParams" in name]  # a recording has no variables
    call = await _call(villager.phone)
    assert (call["status"], call["provider"]) == ("calling", "aliyun")

    keys = {"call_id": placed.call_id, "status_code": "300000", "dtmf": "1", "out_id": placed.out_id}
    pushed = await client.post("/voice/aliyun/report", params={"token": callback_token}, json=[keys] * 2)
    assert pushed.status_code == 200
    await reports.apply_pending()
    [job] = await run("SELECT status FROM job WHERE id = {}", work.job_id)
    assert job["status"] == "accepted"  # keys work as before


async def test_no_call_is_placed_without_a_recording_the_provider_can_play(
    client: httpx.AsyncClient, aliyun_voice: Voice
) -> None:
    server, gateway, _codes = aliyun_voice
    brand = await support.brand()
    await support.ok(await _upload(client, brand, "hmn", "offer_call", MP3))  # audio only: Aliyun cannot play it
    await support.ok(await _upload(client, brand, "hmn", "call_answered", wav_bytes()))
    await support.ok(await _code(client, brand, "doc", "offer_call", "offer-doc.wav"))  # no thanks recorded
    unheard, half = await _speaker(client, brand, "hmn"), await _speaker(client, brand, "doc")
    for who in (unheard, half):
        await support.job_in_state(client, brand, who, "offered", quantity=2)

    await call_due(gateway, now=china(1, 12), limit=1000)

    for who in (unheard, half):
        assert [p for p in server.placed if p.phone == who.phone.removeprefix("+86")] == []
        call = await _call(who.phone)
        assert (call["status"], call["outcome"], call["attempts"]) == ("cancelled", "no_recording", 0)
    await call_due(gateway, now=china(2, 12), limit=1000)
    assert [p for p in server.placed if p.phone in {unheard.phone[3:], half.phone[3:]}] == []


async def _twiml(client: httpx.AsyncClient, url: str, form: dict[str, str]) -> ET.Element:
    signature = RequestValidator(TOKEN).compute_signature(url, form)
    parts = urlsplit(url)
    response = await client.post(f"{parts.path}?{parts.query}", data=form, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200, response.text
    return ET.fromstring(response.content)  # noqa: S314 - our own answer


async def test_twilio_plays_the_uploaded_audio_inside_the_gather(
    client: httpx.AsyncClient, twilio_voice: FakeTwilio
) -> None:
    brand = await support.brand()
    offer = await support.ok(await _upload(client, brand, "hmn", "offer_call", MP3))
    thanks = await support.ok(await _upload(client, brand, "hmn", "call_answered", wav_bytes()))
    await support.ok(await _code(client, brand, "doc", "offer_call", "offer-doc.wav"))  # Twilio cannot play a code
    await support.ok(await _code(client, brand, "doc", "call_answered", "thanks-doc.wav"))
    villager, coded = await _speaker(client, brand, "hmn"), await _speaker(client, brand, "doc")
    work = await support.job_in_state(client, brand, villager, "offered", quantity=3)
    await support.job_in_state(client, brand, coded, "offered", quantity=3)
    gateway = voice_configured()
    await call_due(gateway, now=china(1, 12), limit=1000)

    [placed] = [c for c in twilio_voice.calls if c["To"] == villager.phone]
    assert [c for c in twilio_voice.calls if c["To"] == coded.phone] == []
    assert (await _call(coded.phone))["outcome"] == "no_recording"
    form = {"CallSid": placed["Sid"], "AccountSid": SID, "From": CALLER, "To": villager.phone}
    twiml = await _twiml(client, placed["Url"], form | {"CallStatus": "in-progress", "AnsweredBy": "human"})
    gathers = twiml.findall("Gather")
    assert len(gathers) == 2
    for gather in gathers:
        assert [child.tag for child in gather] == ["Play"]
        assert gather[0].text == offer["audio_url"]
    assert twiml.findall(".//Say") == []  # never text-to-speech in a language she does not know
    fetched = await client.get(urlsplit(offer["audio_url"]).path)
    assert (fetched.headers["content-type"], fetched.content) == ("audio/mpeg", MP3)

    answered = await _twiml(client, gathers[0].attrib["action"], form | {"CallStatus": "in-progress", "Digits": "1"})
    assert [(child.tag, child.text) for child in answered] == [("Play", thanks["audio_url"]), ("Hangup", None)]
    await reports.apply_pending()
    [job] = await run("SELECT status FROM job WHERE id = {}", work.job_id)
    assert job["status"] == "accepted"


async def test_the_call_view_names_the_recorded_prompt_and_lists_a_call_not_placed(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    await support.ok(await _code(client, brand, "hmn", "offer_call", "offer-hmn.wav"))
    await support.ok(await _upload(client, brand, "hmn", "call_answered", MP3))
    villager, unrecorded = (
        await _speaker(client, brand, "hmn"),
        await support.artisan(brand, sms_only=True, takes_calls=True),
    )
    work = await support.job_in_state(client, brand, villager, "offered", quantity=2)
    await support.job_in_state(client, brand, unrecorded, "offered", quantity=2)
    await support.ok(await _code(client, brand, "doc", "offer_call", "offer-doc.wav"))  # doc: no thanks recorded
    changed = await client.patch(
        f"/api/v1/artisans/{unrecorded.id}", json={"voice_language": "doc"}, headers=brand.coordinator.auth
    )
    assert changed.status_code == 200, changed.text
    await call_due(ConsoleCaller(), now=china(1, 12), limit=1000)
    url, auth = "/api/v1/sms/simulator/calls", brand.coordinator.auth

    [call] = (await support.ok(await client.get(url, params={"phone": villager.phone}, headers=auth)))["calls"]
    assert call["status"] == "calling"
    assert call["words"] == "录音提示：offer_call（hmn）"
    pressed = await support.ok(await client.post(f"{url}/{call['id']}/keys", json={"keys": "1"}, headers=auth))
    assert pressed["heard"] == "录音提示：call_answered（hmn）"
    [job] = await run("SELECT status FROM job WHERE id = {}", work.job_id)
    assert job["status"] == "accepted"

    [cancelled] = (await support.ok(await client.get(url, params={"phone": unrecorded.phone}, headers=auth)))["calls"]
    assert (cancelled["status"], cancelled["outcome"], cancelled["words"]) == ("cancelled", "no_recording", "")


async def test_the_same_registration_sent_at_once_many_times_has_one_effect(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    codes = await asyncio.gather(*(_code(client, brand, "kmc", "offer_call", "offer-kmc.wav") for _ in range(4)))
    files = await asyncio.gather(*(_upload(client, brand, "kmc", "payout_call", MP3) for _ in range(4)))

    assert {r.status_code for r in (*codes, *files)} == {200}
    assert len({r.json()["audio_url"] for r in files}) == 1
    again = await support.ok(await _code(client, brand, "kmc", "offer_call", "offer-kmc.wav"))
    assert again["aliyun_code"] == "offer-kmc.wav"
    events = await run(
        "SELECT action FROM audit_event WHERE entity = 'voice_recording' AND brand = {} ORDER BY id", brand.id
    )
    assert [e["action"] for e in events] == ["create", "create"]
    [row] = await run("SELECT COUNT(*) AS n FROM voice_recording WHERE brand = {} AND prompt = 'offer_call'", brand.id)
    assert row["n"] == 1


async def test_a_filled_sheet_loads_its_codes_for_a_brand_all_audited_as_the_system(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    brand = await support.brand()
    sheet = recording_sheet("doc").replace('aliyun_code = ""', 'aliyun_code = "doc-1.wav"', 1)
    path = tmp_path / "doc.toml"
    path.write_text(sheet.replace('aliyun_code = ""', 'aliyun_code = "doc-2.wav"', 1), encoding="utf-8")

    assert await load_codes(brand.id, filled_codes(path)) == 2
    assert await load_codes(brand.id, filled_codes(path)) == 0  # loaded again: nothing changes

    shown = await support.ok(await client.get("/api/v1/voice/recordings", headers=brand.coordinator.auth))
    [doc] = shown["languages"]
    assert {(r["prompt"], r["aliyun_code"]) for r in doc["recorded"]} == {
        ("offer_call", "doc-1.wav"),
        ("payout_call", "doc-2.wav"),
    }
    events = await run("SELECT actor FROM audit_event WHERE entity = 'voice_recording' AND brand = {}", brand.id)
    assert [e["actor"] for e in events] == [None, None]
