"""Every SMS is a template key plus variables (``sms_flows/messages.toml``).

Callers give typed values (a number of pieces, money in fen, a day); this module formats
them for the reader's language, renders the text through the catalogs for gateways that
send text, and keeps the formatted variables for gateways that send registered templates.
It also proves what the file promises: every text, in every language, within one segment.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Sequence
from enum import StrEnum
from functools import cache, lru_cache
from itertools import chain
from pathlib import Path
from typing import Any

import msgspec

from backend.core.i18n import available_locales, format_day, format_money, format_number, format_yuan, translate

MESSAGES_FILE = Path(__file__).resolve().parents[2] / "sms_flows" / "messages.toml"
GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = "\f^{}\\[~]|€"
GSM7_SEGMENT, UCS2_SEGMENT = 160, 70
# Aliyun's rules for registered templates: variable names, and at most 35 characters a value.
TEMPLATE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,24}")
TEMPLATE_RESERVED = frozenset({"email", "mobile", "id", "nick", "site"})
TEMPLATE_VALUE_MAX = 35
LINK = re.compile(r"https?://|www\.|\w\.(cn|com|net|org)\b", re.IGNORECASE)


class Kind(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    MONEY = "money"  # fen
    DAY = "day"
    YUAN = "yuan"  # fen, said about and in whole yuan (an estimate such as an hourly rate: ¥15)


Value = str | int | dt.date
KIND_TYPES: dict[Kind, type] = {Kind.TEXT: str, Kind.NUMBER: int, Kind.MONEY: int, Kind.DAY: dt.date, Kind.YUAN: int}


class Variable(msgspec.Struct, forbid_unknown_fields=True):
    kind: Kind
    longest: list[Any]  # checked against the kind (msgspec cannot tell a str from a date in a union)
    max_chars: int | None = None
    # Longest values only readers of one language meet (labels in their own words).
    longest_in: dict[str, list[Any]] = {}

    def fits(self, value: Any) -> bool:
        return isinstance(value, KIND_TYPES[self.kind]) and not isinstance(value, bool)


class Message(msgspec.Struct, forbid_unknown_fields=True):
    text: str
    variables: dict[str, Variable] = {}
    budget_exempt: bool = False
    reaches_opted_out: bool = False  # sent even to a number that opted out (they asked for it)
    merges_into: str | None = None  # several of these to one number at once go out as this message
    secret: bool = False  # a sign-in code: coordinators never see the text


class MessagesFile(msgspec.Struct, forbid_unknown_fields=True):
    spec_version: int
    messages: dict[str, Message]


class Rendered(msgspec.Struct, frozen=True):
    """One SMS ready for any gateway: the text, and the key with its formatted variables."""

    key: str
    locale: str
    body: str
    variables: dict[str, str]


@cache
def messages() -> dict[str, Message]:
    """The messages of ``sms_flows/messages.toml``, decoded (structure checked)."""
    return msgspec.toml.decode(MESSAGES_FILE.read_bytes(), type=MessagesFile).messages


@cache
def keys_with(flag: str) -> frozenset[str]:
    """The message keys whose flag (``budget_exempt``, ``reaches_opted_out``, ``secret``) is set."""
    return frozenset(key for key, message in messages().items() if getattr(message, flag))


@cache
def merged_as() -> dict[str, str]:
    """Message key → the key several of them to one number are merged into (``offer`` → ``offers``)."""
    return {key: message.merges_into for key, message in messages().items() if message.merges_into}


def shorten(text: str, max_chars: int | None) -> str:
    """Cut a free text (an order's title) to fit, with an ellipsis; never a number's digits.
    A text GSM-7 can carry gets "..." (a "…" would turn the whole SMS into UCS-2)."""
    if max_chars is None or len(text) <= max_chars:
        return text
    ellipsis = "..." if _is_gsm7(text) else "…"
    return text[: max_chars - len(ellipsis)] + ellipsis


def _format(variable: Variable, value: Value, locale: str) -> str:
    if variable.kind == Kind.TEXT and isinstance(value, str):
        return shorten(value, variable.max_chars)
    if not variable.fits(value):
        raise TypeError(f"{variable.kind} variable given {value!r}")
    return _formatted(variable.kind, value, locale)


@lru_cache(maxsize=4096)
def _formatted(kind: Kind, value: Value, locale: str) -> str:
    """Babel's formatting, kept: a dispatch writes the same price and day for every artisan."""
    if kind == Kind.NUMBER and isinstance(value, int):
        return format_number(value, locale)
    if kind == Kind.MONEY and isinstance(value, int):
        return format_money(value, locale)
    if kind == Kind.DAY and isinstance(value, dt.date):
        return format_day(value, locale)
    if kind == Kind.YUAN and isinstance(value, int):
        return format_yuan(value, locale)
    raise TypeError(f"{kind} variable given {value!r}")


def render(key: str, locale: str, **values: Value) -> Rendered:
    """The message ``key`` for a reader of ``locale``, its variables formatted for them."""
    return render_message(key, messages()[key], locale, values)


def render_message(key: str, message: Message, locale: str, values: dict[str, Value]) -> Rendered:
    """``message`` (of any file of messages: SMS texts, spoken prompts) rendered for ``locale``."""
    if set(values) != set(message.variables):
        raise TypeError(f"SMS {key!r} takes {sorted(message.variables)}, given {sorted(values)}")
    formatted = {name: _format(message.variables[name], value, locale) for name, value in values.items()}
    return Rendered(key=key, locale=locale, body=translate(message.text, locale, **formatted), variables=formatted)


def _is_gsm7(text: str) -> bool:
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)


def segments(text: str) -> int:
    """How many SMS segments a text takes (what providers charge): 160 GSM-7 septets in one,
    153 a part beyond; 70 UCS-2 units in one, 67 a part beyond."""
    if _is_gsm7(text):
        septets = sum(2 if char in GSM7_EXTENSION else 1 for char in text)
        return 1 if septets <= GSM7_SEGMENT else -(-septets // 153)
    units = len(text.encode("utf-16-le")) // 2
    return 1 if units <= UCS2_SEGMENT else -(-units // 67)


def segment_problem(text: str) -> str | None:
    """Why a text does not fit one SMS segment (160 GSM-7 septets, else 70 UCS-2 units), or None."""
    if _is_gsm7(text):
        septets = sum(2 if char in GSM7_EXTENSION else 1 for char in text)
        return None if septets <= GSM7_SEGMENT else f"{septets} GSM-7 characters, over {GSM7_SEGMENT}"
    units = len(text.encode("utf-16-le")) // 2
    return None if units <= UCS2_SEGMENT else f"{units} characters in UCS-2, over {UCS2_SEGMENT}"


def _samples(message: Message, locale: str) -> list[dict[str, Value]]:
    """The longest values a reader of ``locale`` meets, each alternative of each variable in turn."""
    first = {name: variable.longest[0] for name, variable in message.variables.items()}
    samples = [first]
    for name, variable in message.variables.items():
        samples += [first | {name: value} for value in [*variable.longest[1:], *variable.longest_in.get(locale, [])]]
    return samples


def problems_of(key: str, message: Message, *, file_name: str = MESSAGES_FILE.name, sms: bool = True) -> list[str]:
    """What is wrong with one message of a file: its variables, its translations, and (``sms``)
    whether each rendering fits one segment and carries no link."""
    where = f"{file_name}: {key}"
    problems = [
        f"{where}: variable {name!r} needs longest values of kind {variable.kind}"
        for name, variable in message.variables.items()
        if not variable.longest
        or not all(variable.fits(value) for value in [*variable.longest, *chain(*variable.longest_in.values())])
    ]
    named = [field for _, field, _, _ in string.Formatter().parse(message.text) if field]
    if set(named) != set(message.variables):
        problems.append(f"{where}: the text names {sorted(set(named))}, the variables are {sorted(message.variables)}")
    problems += _template_rules(where, named)
    if problems:
        return problems
    for locale in available_locales():
        translated = translate(message.text, locale)
        if translated == message.text and locale != "en":
            problems.append(f"{where} ({locale}): not translated")
        elif locale != "en" or translated != message.text:
            in_words = [field for _, field, _, _ in string.Formatter().parse(translated) if field]
            problems += [p.replace(where, f"{where} ({locale})") for p in _template_rules(where, in_words)]
        for sample in _samples(message, locale):
            rendered = render_message(key, message, locale, sample)
            if sms and (why := segment_problem(rendered.body)):
                problems.append(f"{where} ({locale}): {why}: {rendered.body}")
            if sms and LINK.search(rendered.body):
                problems.append(f"{where} ({locale}): a link, which carriers refuse: {rendered.body}")
            problems += [
                f"{where} ({locale}): variable {name!r} is {len(value)} characters, over {TEMPLATE_VALUE_MAX}: {value}"
                for name, value in rendered.variables.items()
                if not 0 < len(value) <= TEMPLATE_VALUE_MAX
            ]
    return problems


def _template_rules(where: str, named: list[str]) -> list[str]:
    """What a provider of registered templates (Aliyun) refuses in a template's variables."""
    problems = [
        f"{where}: variable {name!r} is not a template variable name (a letter, then letters, digits or _)"
        for name in sorted(set(named))
        if not TEMPLATE_NAME.fullmatch(name) or name in TEMPLATE_RESERVED
    ]
    problems += [
        f"{where}: variable {name!r} appears twice" for name in sorted({n for n in named if named.count(n) > 1})
    ]
    return problems


def check() -> list[str]:
    """Every problem of the messages file, each with its file, key and language."""
    try:
        found = messages()
    except (OSError, msgspec.ValidationError, msgspec.DecodeError) as error:
        return [f"{MESSAGES_FILE.name}: {error}"]
    return [problem for key, message in found.items() for problem in problems_of(key, message)]


def registered_text(key: str, locale: str, found: dict[str, Message] | None = None) -> str:
    """The text to register for ``key`` (of ``found``, default the SMS texts) in ``locale``,
    its variables written ``${name}``."""
    message = (found or messages())[key]
    return translate(message.text, locale, **{name: "${" + name + "}" for name in message.variables})


SMS_SHEET = (
    "# Cunjiang's SMS templates, for registration with the SMS provider (Aliyun, Tencent).",
    "# Fill in each `code` with the template code the provider approved, then point",
    "# ALIYUN_SMS_TEMPLATES at this file.",
)


def registration_sheet(found: dict[str, Message] | None = None, heading: Sequence[str] = SMS_SHEET) -> str:
    """TOML: per message (of ``found``, default the SMS texts) and language, its text with
    ``${name}`` variables and a code to fill in."""
    found = found or messages()
    lines = list(heading)
    for key in found:
        for locale in available_locales():
            lines += ["", f"[{key}.{locale}]", f"text = {_toml_string(registered_text(key, locale, found))}"]
            lines.append('code = ""')
    return "\n".join(lines) + "\n"


def _toml_string(text: str) -> str:
    return msgspec.json.encode(text).decode()  # a JSON string is a valid TOML basic string
