"""The sheet of prompts to record in a language text-to-speech cannot speak
(``cunjiang voice templates --language hmn``), and the same sheet filled in with Aliyun's voice
file codes, loaded as a brand's recordings (``cunjiang voice recordings load``).

Per prompt: the Chinese text to translate and record, the keys the recording must name (its
menu, from the flows), the values it cannot say (a recording is the same every time: the job's
code, quantity or price are in the SMS that went before), and ``aliyun_code`` to fill in.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import msgspec

from backend.core.errors import Invalid
from backend.core.i18n import N_, available_locales, voice_tag
from backend.messages.prompts import ANSWERED, REPEAT_KEY, prompts
from backend.messages.templates import registered_text
from backend.sms.flows import Ask, flows

SOURCE = "zh_Hans"  # the text to translate: the villagers' coordinators read Chinese
REPEAT = "repeat"


def _toml(value: object) -> str:
    return msgspec.json.encode(value).decode()  # a JSON string or list is valid TOML


def menus() -> dict[str, dict[str, str]]:
    """Per prompt, the keys its calls take (key → the answer it gives; 9 repeats)."""
    found: dict[str, dict[str, str]] = {}
    for flow in flows().by_id.values():
        for step in flow.steps:
            if isinstance(step, Ask) and step.voice is not None:
                found.setdefault(step.voice.prompt, {}).update(step.voice.keys)
    return {prompt: {**keys, REPEAT_KEY: REPEAT} for prompt, keys in found.items()}


def recording_sheet(language: str) -> str:
    """TOML: every prompt to record in ``language``, with what to say and the code to fill in."""
    heading = [
        f"# Cunjiang's voice prompts to record in {language}, a language text-to-speech cannot speak.",
        "# For each prompt: translate the Chinese `text` and record it, spoken slowly by a native",
        "# speaker; name every key of `keys` (9 hears it again). A recording cannot say the job's",
        "# values (`not_spoken`: the SMS sent before says them): leave them out.",
        "# Aliyun: upload each file as a voice file (语音文件), fill in `aliyun_code` with the code it",
        "# gives, then `cunjiang voice recordings load THIS_FILE --brand SLUG`.",
        "# Twilio: upload the WAV or MP3 files in the console (or PUT",
        f"# /api/v1/voice/recordings/{language}/<prompt>/audio); `aliyun_code` stays empty.",
    ]
    keys = menus()
    lines = heading
    for key, message in prompts().items():
        lines += ["", f"[{language}.{key}]", f"text = {_toml(registered_text(key, SOURCE, prompts()))}"]
        shown = keys.get(key, {})
        pairs = ", ".join(f"{_toml(k)} = {_toml(v)}" for k, v in sorted(shown.items()))
        lines.append(f"keys = {{ {pairs} }}" if key != ANSWERED else "keys = {}")
        lines.append(f"not_spoken = {_toml(list(message.variables))}")
        lines.append('aliyun_code = ""')
    return "\n".join(lines) + "\n"


def filled_codes(path: Path) -> dict[tuple[str, str], str]:
    """(language, prompt) → Aliyun voice file code, from a sheet filled in; refused whole, with
    every problem, when a language or prompt is unknown or a code is malformed."""
    try:
        sheet = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise Invalid(N_("The sheet cannot be read: {problem}"), problem=str(error)) from error
    found: dict[tuple[str, str], str] = {}
    problems: list[str] = []
    for language, entries in sheet.items():
        tag = voice_tag(language)
        if tag is None or tag in available_locales() or not isinstance(entries, dict):
            problems.append(f"{language}: not a language to record")
            continue
        for prompt, entry in entries.items():
            code = str(entry.get("aliyun_code", "")).strip() if isinstance(entry, dict) else ""
            if prompt not in prompts():
                problems.append(f"{language}.{prompt}: no such prompt")
            elif code and not (len(code) <= 64 and all(c.isascii() and (c.isalnum() or c in "._:-") for c in code)):
                problems.append(f"{language}.{prompt}: {code!r} is not an Aliyun voice file code")
            elif code:
                found[(tag, prompt)] = code
    if problems:
        raise Invalid(N_("The sheet has problems: {problems}"), problems="; ".join(problems))
    return found
