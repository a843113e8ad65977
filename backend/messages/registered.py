"""Templates registered with a provider that sends by template code (Aliyun, Tencent).

The operator prints the sheet (``cunjiang sms templates``), submits each text for approval,
fills in the approved codes and points ``ALIYUN_SMS_TEMPLATES`` at the file. Every message
key, in every language, must have its code, and the registered text must still be the text
Cunjiang sends: otherwise start-up is refused, naming the key.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from backend.core.i18n import available_locales
from backend.messages.templates import Message, messages, registered_text

Codes = dict[tuple[str, str], str]  # (message key, locale) → template code


def problems(
    path: Path | None,
    found: dict[str, Message] | None = None,
    setting: str = "ALIYUN_SMS_TEMPLATES",
    command: str = "cunjiang sms templates",
) -> list[str]:
    """What keeps the file from serving: each missing code or changed text, by key and language
    (``found``: the messages it registers, default the SMS texts; ``setting`` names the file)."""
    found = found or messages()
    if path is None:
        return [f"{setting} is not set: the file `{command}` printed, codes filled in"]
    try:
        sheet = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        return [f"{path}: {error}"]
    wrong: list[str] = []
    for key in found:
        for locale in available_locales():
            entry = sheet.get(key, {}).get(locale, {})
            if not str(entry.get("code", "")).strip():
                wrong.append(f"{path.name}: {key} ({locale}): no template code")
            elif entry.get("text") != registered_text(key, locale, found):
                wrong.append(
                    f"{path.name}: {key} ({locale}): the text changed since it was registered; register it again"
                )
    return wrong


def codes(path: Path) -> Codes:
    """The template codes of a file that passed :func:`problems`."""
    sheet = tomllib.loads(path.read_text(encoding="utf-8"))
    return {
        (key, locale): str(entry["code"]).strip()
        for key, by_locale in sheet.items()
        for locale, entry in by_locale.items()
    }
