"""Languages: catalogs complete for every message in use, placeholders kept, money and days formatted
by locale (answers in the caller's language: integration/http/test_languages.py)."""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from backend.core.i18n import (
    LOCALES_DIR,
    format_day,
    format_money,
    pwa_messages,
)

ROOT = LOCALES_DIR.parent
MAPPING = LOCALES_DIR / "babel.cfg"
CATALOGS = sorted(LOCALES_DIR.glob("*/LC_MESSAGES/messages.po"))
TEMPLATE = LOCALES_DIR / "messages.pot"

MsgId = str | tuple[str, ...]


def extract(root: Path) -> Iterator[tuple[str, int, MsgId]]:
    """What `make i18n` extracts: same mapping file, same (default plus mapped) keywords."""
    with MAPPING.open() as fh:
        method_map, options_map = parse_mapping_cfg(fh, str(MAPPING))
    for filename, lineno, message, _comments, _context in extract_from_dir(root, method_map, options_map):
        yield filename, lineno, message


def singular(msgid: MsgId) -> str:
    return msgid if isinstance(msgid, str) else msgid[0]


def read_catalog(path: Path) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh)


def is_untranslated(message: Message) -> bool:
    forms = [message.string] if isinstance(message.string, str) else list(message.string)
    return message.fuzzy or not forms or not all(forms)


def catalog_problems(name: str, catalog: Catalog, used: dict[str, list[str]], *, template: bool) -> list[str]:
    entries = {singular(m.id): m for m in catalog if m.id}
    problems = [f"{name}: missing {msgid!r} (used in {', '.join(used[msgid])})" for msgid in used.keys() - entries]
    problems += [f"{name}: {msgid!r} is used nowhere" for msgid in entries.keys() - used]
    problems += [f"{name}: obsolete entry {singular(msgid)!r}" for msgid in catalog.obsolete]
    if not template:
        problems += [f"{name}: {msgid!r} is not translated" for msgid, m in entries.items() if is_untranslated(m)]
    return problems


def test_every_message_in_use_is_translated_in_every_catalog_and_no_catalog_has_extras() -> None:
    used: dict[str, list[str]] = {}
    for filename, lineno, message in extract(ROOT):
        used.setdefault(singular(message), []).append(f"{filename}:{lineno}")
    assert {"zh_Hans", "en"} <= {path.parts[-3] for path in CATALOGS}
    # Babel extracts `t(`Hi ${name}`)` as it is written; at run time the text differs and is never found.
    problems = [f"{msgid!r} interpolates in JS; use t('Hi {{name}}', {{name}})" for msgid in used if "${" in msgid]
    problems += catalog_problems("messages.pot", read_catalog(TEMPLATE), used, template=True)
    for path in CATALOGS:
        problems += catalog_problems(path.parts[-3], read_catalog(path), used, template=False)
    assert not problems, "\n".join([*problems, "Run `make i18n`, then translate the new msgstr lines."])


PWA_SOURCE = """\
import { t, tn } from "./i18n.js";

export function header(count, name) {
  const title = t("My jobs");
  // Translators: the number of open jobs under the title
  const open = tn("{n} job", "{n} jobs", count);
  return [title, open, t(name)];
}
"""
FLOW_SOURCE = """\
spec_version = 1
id = "job_offer"  # text = "a comment, not a message"
entry = "offer"
starts_on = { help = "menu" }

[[steps]]
id = "offer"
type = "ask"
# Translators: one SMS segment
prompt_text = "New job {code}."
on_error = { retry_msg = "Please reply 1 or 2.", id = "text" }
help_text = [
  "Reply 1 to accept.",
  "Reply 2 to decline.",
]
text = '''
Thank you!'''
"""


def test_js_and_flow_extractors_find_their_messages_with_line_numbers(tmp_path: Path) -> None:
    (tmp_path / "pwa" / "src").mkdir(parents=True)
    (tmp_path / "pwa" / "src" / "app.js").write_text(PWA_SOURCE)
    (tmp_path / "pwa" / "node_modules" / "lib").mkdir(parents=True)
    (tmp_path / "pwa" / "node_modules" / "lib" / "index.js").write_text('t("Vendored");\n')
    (tmp_path / "sms_flows").mkdir()
    (tmp_path / "sms_flows" / "job_offer.toml").write_text(FLOW_SOURCE)
    assert sorted(extract(tmp_path)) == [
        ("pwa/src/app.js", 4, "My jobs"),
        ("pwa/src/app.js", 6, ("{n} job", "{n} jobs")),
        ("sms_flows/job_offer.toml", 10, "New job {code}."),
        ("sms_flows/job_offer.toml", 11, "Please reply 1 or 2."),
        ("sms_flows/job_offer.toml", 13, "Reply 1 to accept."),
        ("sms_flows/job_offer.toml", 14, "Reply 2 to decline."),
        ("sms_flows/job_offer.toml", 16, "Thank you!"),
    ]


def test_a_broken_flow_stops_extraction_with_its_file_name(tmp_path: Path) -> None:
    (tmp_path / "sms_flows").mkdir()
    (tmp_path / "sms_flows" / "broken.toml").write_text('text = "unterminated\n')
    with pytest.raises(ValueError, match=r"broken\.toml"):
        list(extract(tmp_path))


def placeholders(text: str) -> set[str]:
    return {name for _literal, name, _spec, _conversion in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("path", CATALOGS, ids=lambda path: path.parts[-3])
def test_every_translation_keeps_the_placeholders_of_its_msgid(path: Path) -> None:
    problems: list[str] = []
    for message in read_catalog(path):
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[-1]
        forms = [message.string] if isinstance(message.string, str) else list(message.string)
        try:
            problems += [f"{msgid!r} → {form!r}" for form in forms if placeholders(form) != placeholders(msgid)]
        except ValueError as error:  # an unbalanced brace
            problems.append(f"{msgid!r}: {error}")
    assert not problems, "\n".join(problems)


def test_money_and_days_are_formatted_by_babel_for_the_locale() -> None:
    assert format_money(123450, "zh_Hans") == "¥1,234.50"
    assert format_money(123450, "en") == "CN¥1,234.50"
    assert format_day(dt.date(2026, 12, 20), "zh_Hans") == "12月20日"
    assert format_day(dt.date(2026, 12, 20), "en") == "Dec 20"


def test_the_pwa_catalog_holds_the_translated_messages_of_pwa_files_only() -> None:
    catalog = Catalog(locale="zh")
    catalog.add("My jobs", "我的任务", locations=[("pwa/src/app.js", None)])
    catalog.add("Please sign in.", "请先登录。", locations=[("backend/core/errors.py", None), ("pwa/src/api.js", None)])
    catalog.add("Not found.", "没有找到。", locations=[("backend/core/errors.py", None)])
    catalog.add("Draft", "", locations=[("pwa/src/app.js", None)])
    catalog.add("Sent", "已发送", locations=[("pwa/src/app.js", None)], flags=["fuzzy"])
    catalog.add(("{n} job", "{n} jobs"), ("{n}个任务",), locations=[("pwa/src/app.js", None)])
    assert pwa_messages(catalog) == {
        "My jobs": "我的任务",
        "Please sign in.": "请先登录。",
        "{n} job": "{n}个任务",
        "{n} jobs": "{n}个任务",
    }
