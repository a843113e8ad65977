"""What the console's call view reads and sends; a brand's recorded prompts."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from backend.core.types import Wire

Keys = Annotated[
    str, msgspec.Meta(pattern=r"^[0-9]{1,32}$", description="Every key pressed in the call so far, in order.")
]


class SimulatedCall(Wire):
    """A call to the villager: due (``queued``), ringing (``calling``: keys may be pressed), or over."""

    id: int
    status: str  # queued, calling, answered, no_answer, failed, cancelled
    flow: str  # offer, payout
    words: str  # the prompt as spoken to her, in her language ("" once the call is over)
    language: str  # her language, as the prompt is spoken
    keys_pressed: str
    attempts: int
    due_at: dt.datetime
    called_at: dt.datetime | None
    outcome: str


class SimulatedCalls(Wire):
    phone: str
    calls: list[SimulatedCall]
    heard: str = ""  # after keys were pressed: what the call says next ("" once it hung up)
    ended: bool = False  # after keys were pressed: whether the call hung up


class PressedKeys(Wire):
    keys: Keys


AliyunFileCode = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[A-Za-z0-9._:-]{1,64}$",
        description="The code Aliyun gave the uploaded voice file (语音文件 ID), e.g. 2d4c3a5b-…voice.wav",
    ),
]


class RecordingCode(Wire):
    """An Aliyun voice file code for a recorded prompt ("" takes the code away)."""

    aliyun_code: AliyunFileCode | Literal[""]


class RecordingRead(Wire):
    """One prompt recorded in a language: Aliyun's voice file code, and/or the audio Twilio plays."""

    prompt: str
    language: str
    aliyun_code: str
    audio_url: str | None  # public, unguessable: what Twilio fetches
    audio_type: str
    audio_bytes: int
    updated_at: dt.datetime


class LanguageRecordings(Wire):
    """A language calls speak by recordings: what is recorded, and which prompts still lack a
    recording the voice provider can play (calls that need one are not placed: ``no_recording``)."""

    language: str
    people: int  # the brand's people whose calls speak it
    recorded: list[RecordingRead]
    missing: list[str]


class Recordings(Wire):
    provider: str  # the voice provider configured: aliyun needs codes, twilio audio files
    prompts: list[str]
    languages: list[LanguageRecordings]
