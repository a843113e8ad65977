"""The sheet of prompts to record in a language text-to-speech cannot speak, read back filled in;
audio told from other files by its first bytes."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from backend.core.errors import Invalid
from backend.messages.prompts import ANSWERED, prompts
from backend.messages.templates import registered_text
from backend.voice.recordings import sniffed
from backend.voice.sheet import filled_codes, recording_sheet


def test_the_sheet_lists_every_prompt_with_its_chinese_text_keys_and_the_values_it_cannot_say() -> None:
    sheet = tomllib.loads(recording_sheet("hmn"))

    assert list(sheet) == ["hmn"]
    assert list(sheet["hmn"]) == list(prompts())
    offer = sheet["hmn"]["offer_call"]
    assert offer["text"] == registered_text("offer_call", "zh_Hans", prompts())
    assert "按1" in offer["text"]
    assert offer["keys"] == {"1": "yes", "2": "no", "9": "repeat"}
    assert offer["not_spoken"] == ["code", "quantity", "title", "price", "due"]
    assert offer["aliyun_code"] == ""
    assert sheet["hmn"][ANSWERED]["keys"] == {}
    assert sheet["hmn"]["consent_name_call"]["not_spoken"] == []
    assert "cannot say the job's" in recording_sheet("doc")


def test_a_filled_sheet_gives_its_codes_and_a_wrong_one_is_refused_whole(tmp_path: Path) -> None:
    path = tmp_path / "hmn.toml"
    filled = recording_sheet("hmn").replace('aliyun_code = ""', 'aliyun_code = "f-1.wav"', 2)
    path.write_text(filled, encoding="utf-8")
    assert filled_codes(path) == {("hmn", "offer_call"): "f-1.wav", ("hmn", "payout_call"): "f-1.wav"}

    for wrong in (
        '[hmn.no_prompt]\naliyun_code = "x.wav"\n',
        '[zh_Hans.offer_call]\naliyun_code = "x.wav"\n',
        '[hmn.offer_call]\naliyun_code = "a code; DROP"\n',
        "not toml [",
    ):
        path.write_text(wrong, encoding="utf-8")
        with pytest.raises(Invalid):
            filled_codes(path)


@pytest.mark.parametrize(
    ("start", "kind"),
    [
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", "audio/wav"),
        (b"ID3\x04\x00\x00\x00\x00\x00\x00", "audio/mpeg"),
        (b"\xff\xfb\x90\x64\x00\x00", "audio/mpeg"),  # an MPEG-1 layer III frame, no tag
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", None),  # a JPEG
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", None),  # a WebP picture: RIFF, not WAVE
        (b"\xff\xe9\x00\x00", None),  # sync bits, a reserved version
        (b"<html>", None),
        (b"", None),
    ],
)
def test_audio_is_told_by_its_first_bytes(start: bytes, kind: str | None) -> None:
    assert sniffed(start + bytes(64)) == kind
