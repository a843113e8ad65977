"""The voice tests' fixtures: a local Aliyun-speaking server and a voice gateway to it, with
every prompt registered; moments in China time for the call budget."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from backend.core.china_time import at_china_time, china_today
from backend.core.settings import get_settings
from backend.gateways.aliyun_voice import AliyunVoiceGateway
from backend.messages import registered
from backend.messages.prompts import prompts, voice_sheet
from tests.fakes.aliyun_server import FakeAliyun, fake_aliyun

SHOW_NUMBER = "057188880000"


def filled_voice_sheet(tmp_path: Path) -> Path:
    """The voice registration sheet with every TTS code filled in, as an operator returns it."""
    counter = iter(range(100_000, 999_999))
    sheet = re.sub(r'code = ""', lambda _m: f'code = "TTS_{next(counter)}"', voice_sheet())
    path = tmp_path / "aliyun-voice-templates.toml"
    path.write_text(sheet, encoding="utf-8")
    assert registered.problems(path, prompts()) == []
    return path


@pytest.fixture
async def aliyun_voice(tmp_path: Path) -> AsyncIterator[tuple[FakeAliyun, AliyunVoiceGateway, registered.Codes]]:
    with fake_aliyun() as server:
        codes = registered.codes(filled_voice_sheet(tmp_path))
        gateway = AliyunVoiceGateway("ak", "secret", SHOW_NUMBER, endpoint=server.url, codes=codes, timeout_s=1.0)
        yield server, gateway, codes


def china(days: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment ``days`` after today, at this China time (after the 4 hours a call waits)."""
    return at_china_time(china_today() + dt.timedelta(days=days), dt.time(hour, minute))


@pytest.fixture
def quiet_hours(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The service's quiet hours as shipped (the tests' default is none)."""
    monkeypatch.setenv("CUNJIANG_SMS_QUIET_HOURS", "21:00-08:00")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()
