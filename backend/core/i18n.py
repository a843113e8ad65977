"""Translations from the `.po` files in locales/, and Babel formatting per locale.

Catalogs are read from the `.po` sources at start-up and compiled in memory, so there is
no build step between editing a translation and running the server or the tests.
"""

from __future__ import annotations

import datetime as dt
import gettext as _gettext
import io
import re
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError, dates, numbers
from babel.core import negotiate_locale
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).resolve().parents[2] / "locales"
DEFAULT_LOCALE = "zh_Hans"
PWA_DIR = "pwa/"
# Babel needs a territory for currency and date patterns.
_BABEL_LOCALE = {"zh_Hans": "zh_Hans_CN", "en": "en_US"}

current_locale: ContextVar[str] = ContextVar("current_locale", default=DEFAULT_LOCALE)


class Label(str):
    """A stored word (a status) whose text is also its msgid: shown translated when a
    message is rendered, still equal to the stored value everywhere else."""

    __slots__ = ()


def N_(msgid: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Mark a string for extraction; it is translated where it is shown."""
    return msgid


@cache
def available_locales() -> tuple[str, ...]:
    """Every language with a catalog; the default first."""
    found = sorted(p.parent.parent.name for p in LOCALES_DIR.glob("*/LC_MESSAGES/messages.po"))
    return (DEFAULT_LOCALE, *(name for name in found if name != DEFAULT_LOCALE))


@cache
def _catalog(locale: str) -> Catalog | None:
    po_file = LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po_file.exists():
        return None
    with po_file.open("rb") as fh:
        return read_po(fh, locale=locale.replace("_Hans", ""))


@cache
def _translations(locale: str) -> _gettext.NullTranslations:
    catalog = _catalog(locale)
    if catalog is None:
        return _gettext.NullTranslations()
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


# The console's own files: the artisan's app, which pays for every byte on 2G, leaves their
# messages out of its catalog. So does it for the views it loads only when asked for (My
# brands): their texts come with them, as the ``on-demand`` part.
CONSOLE_DIR = "pwa/src/console/"
ON_DEMAND_DIR = "pwa/src/on-demand/"


def is_pwa_message(message: Message, part: str = "all") -> bool:
    """Whether the PWA shows this message: one of its locations is a file in pwa/ (for the
    ``app`` part, one outside the console's and the on-demand views' folders; for the
    ``on-demand`` part, one in the on-demand views' folder)."""
    places = [name for name, _line in message.locations if name.startswith(PWA_DIR)]
    if part == "app":
        places = [name for name in places if not name.startswith((CONSOLE_DIR, ON_DEMAND_DIR))]
    elif part == "on-demand":
        places = [name for name in places if name.startswith(ON_DEMAND_DIR)]
    return bool(places)


def pwa_messages(catalog: Catalog, part: str = "all") -> dict[str, str]:
    """The translated PWA messages of a catalog, msgid → text (see ``catalog_json``)."""
    messages: dict[str, str] = {}
    for message in catalog:
        if not message.id or not message.string or message.fuzzy or not is_pwa_message(message, part):
            continue
        if isinstance(message.id, str) and isinstance(message.string, str):
            messages[message.id] = message.string
        elif all(message.string):  # plural: the singular msgid gets the first form, the plural the last
            forms = list(message.string)
            messages[message.id[0]], messages[message.id[1]] = forms[0], forms[-1]
    return messages


@cache
def _catalog_json(locale: str, part: str) -> dict[str, str]:
    catalog = _catalog(locale)
    return pwa_messages(catalog, part) if catalog is not None else {}


def catalog_json(locale: str, part: str = "all") -> dict[str, str]:
    """The PWA's messages in ``locale``, msgid → text, made from the same ``.po`` file; the
    ``app`` part leaves out what only the console or an on-demand view shows, the
    ``on-demand`` part is the texts of the app's views loaded when asked for.

    Catalogs keep each message's file names (``#: pwa/src/app.js``, no line numbers, so edits
    elsewhere in a file do not churn them); that is how PWA messages are told apart.
    Untranslated and fuzzy messages are left out: the app shows the msgid, as gettext does.
    A plural message appears under both msgids: with ``Intl.PluralRules``, the app uses the
    singular's text for "one" and the plural's for every other category, which is exact for
    languages with one or two plural forms.
    """
    return dict(_catalog_json(locale, part))


def normalize_locale(value: str | None) -> str | None:
    """Map a user's or a header's language tag to a catalog we have (``zh-CN`` → ``zh_Hans``)."""
    if not value:
        return None
    tag = value.strip().replace("-", "_")
    if tag in available_locales():
        return tag
    try:
        parsed = Locale.parse(tag)
    except (ValueError, UnknownLocaleError):
        return None
    if parsed.language == "zh" and parsed.script != "Hant":
        return "zh_Hans" if "zh_Hans" in available_locales() else None
    return parsed.language if parsed.language in available_locales() else None


VOICE_TAG = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8}){0,2}$")  # hmn, doc, kmc, hmn-CN: BCP-47, short


def voice_tag(value: str) -> str | None:
    """A spoken language's tag as stored: a catalog's (``zh-CN`` → ``zh_Hans``: text-to-speech
    speaks it), else a short BCP-47 tag in lower case (``hmn``, ``doc``); None when it is none."""
    locale = normalize_locale(value)
    if locale is not None:
        return locale
    tag = value.strip().replace("_", "-").lower()
    return tag if len(tag) <= 16 and VOICE_TAG.fullmatch(tag) else None


def negotiate(accept_language: str | None) -> str | None:
    """The best catalog for an ``Accept-Language`` header, or None."""
    if not accept_language:
        return None
    wanted: list[tuple[float, str]] = []
    for part in accept_language.split(","):
        tag, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            continue
        if tag and tag != "*":
            wanted.append((weight, tag))
    for _weight, tag in sorted(wanted, key=lambda item: -item[0]):
        locale = normalize_locale(tag)
        if locale:
            return locale
    return negotiate_locale([], available_locales())


def translate(msgid: str, locale: str | None = None, /, **params: Any) -> str:
    """The translation of ``msgid`` in ``locale`` (default: the current one), filled in."""
    text = _translations(locale or current_locale.get()).gettext(msgid)
    return text.format(**params) if params else text


def babel_locale(locale: str | None = None) -> str:
    return _BABEL_LOCALE.get(locale or current_locale.get(), locale or DEFAULT_LOCALE)


def format_money(fen: int, locale: str | None = None) -> str:
    """Integer fen as the locale writes yuan: ``¥1,234.50``."""
    return numbers.format_currency(fen / 100, "CNY", locale=babel_locale(locale))


def format_yuan(fen: int, locale: str | None = None) -> str:
    """Fen as whole yuan, rounded half up (an estimate, never an amount owed): ``¥15``."""
    yuan = (fen + 50) // 100
    return numbers.format_currency(yuan, "CNY", format="¤#,##0", currency_digits=False, locale=babel_locale(locale))


def format_day(day: dt.date, locale: str | None = None) -> str:
    """A short date without the year: ``12月20日`` / ``Dec 20``."""
    return dates.format_skeleton("MMMd", day, locale=babel_locale(locale))


def format_month(day: dt.date, locale: str | None = None) -> str:
    """The month of ``day`` with its year: ``2026年11月`` / ``Nov 2026``."""
    return dates.format_skeleton("yMMM", day, locale=babel_locale(locale))


def format_number(value: int, locale: str | None = None) -> str:
    return numbers.format_decimal(value, locale=babel_locale(locale))
