"""The voice gateway port: what every voice provider (``console``, ``aliyun_voice``) offers.

A gateway gets the whole call: the spoken prompt as words (for gateways that speak text) and
as its key with formatted variables (for gateways that speak registered TTS templates:
Aliyun), or, in a language text-to-speech cannot speak, the brand's recordings of it
(:class:`Recorded`), the keys of its menu, and what to say once one of them is pressed. It places the
call and returns the provider's call id; the keys pressed and the call's end come back later
as reports. Failures are :class:`backend.gateways.base.SendError`, as for SMS.
"""

from __future__ import annotations

from typing import Protocol

import msgspec


class Recorded(msgspec.Struct, frozen=True, kw_only=True):
    """A call in a language text-to-speech cannot speak, spoken by the brand's recordings: the
    prompt's and the thanks' Aliyun voice file codes and/or audio addresses (what the gateway
    plays; no variables: a recording cannot say them)."""

    language: str
    prompt_code: str = ""
    prompt_audio: str = ""
    answered_code: str = ""
    answered_audio: str = ""


class Call(msgspec.Struct, frozen=True, kw_only=True):
    """One call to place: ``reference`` is what the provider keeps as our id (Aliyun's OutId)."""

    id: int
    to_phone: str
    locale: str
    prompt: str  # the prompt's key (sms_flows/voice.toml)
    words: str  # the prompt as spoken
    variables: dict[str, str]
    keys: tuple[str, ...]  # the keys that answer (the repeat key aside)
    repeat_key: str
    answered: str  # the key of what is said once an answering key is pressed
    answered_words: str
    reference: str
    recorded: Recorded | None = None  # set: play these recordings instead of text-to-speech


class Placed(msgspec.Struct, frozen=True):
    provider_call_id: str


class CallGateway(Protocol):
    """Places one call; raises ``SendError``, and nothing else, when it cannot."""

    name: str

    async def call(self, call: Call) -> Placed: ...
