"""Which voice gateway calls, and start-up refused while the chosen one cannot run."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from backend import worker
from backend.core.settings import get_settings
from backend.db.session import run
from backend.gateways import ConsoleCaller, ConsoleGateway
from backend.gateways import registry as gateways
from backend.gateways.aliyun_voice import AliyunVoiceGateway
from backend.gateways.twilio_voice import TwilioVoiceGateway
from tests import support
from tests.integration.voice.conftest import filled_voice_sheet


@pytest.fixture
def voice_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    yield monkeypatch
    monkeypatch.undo()
    get_settings.cache_clear()


def _with(env: pytest.MonkeyPatch, **values: str) -> None:
    for name, value in values.items():
        env.setenv(name, value)
    get_settings.cache_clear()


def test_the_console_calls_by_default(voice_env: pytest.MonkeyPatch) -> None:
    _with(voice_env)
    assert gateways.voice_problems() == []
    assert isinstance(gateways.voice_configured(), ConsoleCaller)


def test_twilio_voice_needs_its_account_and_a_number_to_call_from(voice_env: pytest.MonkeyPatch) -> None:
    _with(voice_env, CUNJIANG_VOICE_PROVIDER="twilio", TWILIO_FROM="MG" + "1" * 32)
    assert gateways.voice_problems() == [
        "CUNJIANG_VOICE_PROVIDER=twilio needs TWILIO_ACCOUNT_SID",
        "CUNJIANG_VOICE_PROVIDER=twilio needs TWILIO_AUTH_TOKEN",
        "CUNJIANG_VOICE_PROVIDER=twilio needs TWILIO_VOICE_FROM (or TWILIO_FROM as a number)",
    ]
    assert isinstance(gateways.voice_configured(), ConsoleCaller)
    _with(voice_env, TWILIO_ACCOUNT_SID="AC" + "0" * 32, TWILIO_AUTH_TOKEN="token", TWILIO_FROM="+15005550006")
    assert gateways.voice_problems() == []
    assert isinstance(gateways.voice_configured(), TwilioVoiceGateway)


def test_aliyun_voice_needs_its_settings_and_every_prompt_registered(
    voice_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _with(voice_env, CUNJIANG_VOICE_PROVIDER="aliyun")
    missing = gateways.voice_problems()
    assert "CUNJIANG_VOICE_PROVIDER=aliyun needs ALIYUN_VMS_CALLED_SHOW_NUMBER" in missing
    assert any("ALIYUN_VMS_TEMPLATES is not set" in problem for problem in missing)
    sheet = filled_voice_sheet(tmp_path)
    sheet.write_text(sheet.read_text(encoding="utf-8").replace('code = "TTS_100000"', 'code = ""'), encoding="utf-8")
    _with(
        voice_env,
        ALIBABA_CLOUD_ACCESS_KEY_ID="ak",
        ALIBABA_CLOUD_ACCESS_KEY_SECRET="secret",
        ALIYUN_VMS_CALLED_SHOW_NUMBER="057188880000",
        ALIYUN_VMS_TEMPLATES=str(sheet),
    )
    assert gateways.voice_problems() == [f"{sheet.name}: offer_call (zh_Hans): no template code"]
    filled_voice_sheet(tmp_path)
    assert gateways.voice_problems() == []
    assert isinstance(gateways.voice_configured(), AliyunVoiceGateway)


async def test_a_coordinator_says_who_takes_calls_and_her_questions_are_followed_by_one(
    client: httpx.AsyncClient,
) -> None:
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True)

    changed = await client.patch(
        f"/api/v1/artisans/{villager.id}", json={"takes_calls": True}, headers=brand.coordinator.auth
    )
    await support.job_in_state(client, brand, villager, "offered", quantity=2)

    assert (await support.ok(changed))["takes_calls"] is True
    calls = await run("SELECT flow, status, attempts FROM voice_call WHERE to_phone = {}", villager.phone)
    assert calls == [{"flow": "offer", "status": "queued", "attempts": 0}]


async def test_she_asks_for_calls_herself_in_the_app_and_it_is_audited_in_each_of_her_brands(
    client: httpx.AsyncClient,
) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand, sms_only=True)  # her questions come by SMS (a relative reads the app)

    before = await support.ok(await client.get("/api/v1/me/calls", headers=artisan.auth))
    chosen = await support.ok(await client.put("/api/v1/me/calls", json={"takes_calls": True}, headers=artisan.auth))
    again = await support.ok(await client.put("/api/v1/me/calls", json={"takes_calls": True}, headers=artisan.auth))
    malformed = await client.put("/api/v1/me/calls", json={"takes_calls": "yes"}, headers=artisan.auth)
    await support.job_in_state(client, brand, artisan, "offered", quantity=2)

    assert (before, chosen, again) == ({"takes_calls": False}, {"takes_calls": True}, {"takes_calls": True})
    assert malformed.status_code == 400
    events = await run(
        "SELECT brand, detail, channel FROM audit_event WHERE entity = 'person' AND entity_id = {}",
        await support.person_of(artisan.id),
    )
    assert [(e["brand"], json.loads(e["detail"]), e["channel"]) for e in events] == [
        (brand.id, {"takes_calls": [False, True]}, "app")
    ]  # once: the second choice changed nothing
    assert await run("SELECT flow FROM voice_call WHERE to_phone = {}", artisan.phone) == [{"flow": "offer"}]


async def test_the_worker_places_a_call_due_after_voice_after_hours(
    client: httpx.AsyncClient, voice_env: pytest.MonkeyPatch
) -> None:
    _with(voice_env, CUNJIANG_VOICE_AFTER_HOURS="0")
    brand = await support.brand()
    villager = await support.artisan(brand, sms_only=True, takes_calls=True)
    await support.job_in_state(client, brand, villager, "offered", quantity=2)

    await worker.run_once(ConsoleGateway(), housekeeping=False, caller=ConsoleCaller())

    calls = await run("SELECT status, attempts, provider FROM voice_call WHERE to_phone = {}", villager.phone)
    assert calls == [{"status": "calling", "attempts": 1, "provider": "console"}]
