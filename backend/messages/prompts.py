"""What voice calls speak (``sms_flows/voice.toml``): a prompt per ask step of the flows, and
the words that close a call once a key of its menu was pressed.

A prompt is a message like an SMS text (a gettext msgid with typed variables, formatted for
the listener's language), but it is spoken, not sent as one segment: no segment limit. A
provider that speaks registered text-to-speech templates (Aliyun) gets each prompt's code
(``ALIYUN_VMS_TEMPLATES``, from the sheet ``cunjiang voice templates`` prints) and the
variables.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import msgspec

from backend.messages.templates import (
    MESSAGES_FILE,
    Message,
    MessagesFile,
    Rendered,
    Value,
    problems_of,
    registration_sheet,
    render_message,
)

VOICE_FILE = MESSAGES_FILE.parent / "voice.toml"
ANSWERED = "call_answered"  # spoken after a key of the menu, before the call ends
REPEAT_KEY = "9"  # every menu: hear the prompt again
MAX_KEYS = 9  # a menu's keys, the repeat key included
SHEET = (
    "# Cunjiang's voice prompts, for registration as TTS templates with the voice provider (Aliyun).",
    "# Fill in each `code` with the template code the provider approved, then point",
    "# ALIYUN_VMS_TEMPLATES at this file.",
)


@cache
def prompts() -> dict[str, Message]:
    """The prompts of ``sms_flows/voice.toml``, decoded (structure checked)."""
    return msgspec.toml.decode(VOICE_FILE.read_bytes(), type=MessagesFile).messages


def render_prompt(key: str, locale: str, values: dict[str, Value]) -> Rendered:
    """The prompt ``key`` for a listener of ``locale``: its words, and its formatted variables."""
    return render_message(key, prompts()[key], locale, values)


def check(path: Path = VOICE_FILE) -> list[str]:
    """Every problem of the prompts file: variables, and a translation in every language."""
    try:
        found = msgspec.toml.decode(path.read_bytes(), type=MessagesFile).messages
    except (OSError, msgspec.ValidationError, msgspec.DecodeError) as error:
        return [f"{path.name}: {error}"]
    problems = [p for key, message in found.items() for p in problems_of(key, message, file_name=path.name, sms=False)]
    if ANSWERED not in found:
        problems.append(f"{path.name}: no {ANSWERED!r}, spoken after a key of the menu")
    return problems


def voice_sheet() -> str:
    """The TOML sheet of the prompts to register (``cunjiang voice templates``)."""
    return registration_sheet(prompts(), SHEET)
