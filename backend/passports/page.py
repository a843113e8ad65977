"""A passport's public page: server-made, a few KB, no script, readable in WeChat's browser;
the chosen language first with a link to the other. Only the facts the maker allowed."""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any

from babel.dates import format_skeleton

from backend.core.i18n import N_, translate
from backend.passports.schemas import Facts

STYLE = (
    "body{font:16px/1.6 system-ui,sans-serif;margin:0 auto;max-width:40rem;padding:1rem;color:#222}"
    "h1{font-size:1.4rem;margin-bottom:.2rem}h2{font-size:1.1rem;margin-top:1.5rem}"
    "img{max-width:100%;height:auto;border-radius:4px}.meta{color:#555;margin-top:0}"
    ".paid{background:#eef7ee;padding:.5rem .8rem;border-radius:4px}nav a{margin-right:1rem}"
    "footer{margin-top:2rem;font-size:.85rem;color:#666}"
    ".words{margin:.8rem 0;padding-left:1rem;border-left:3px solid #b33;font-style:italic}"
)


def _month(value: str, locale: str) -> str:
    year, month = (int(part) for part in value.split("-"))
    return format_skeleton("yMMMM", dt.date(year, month, 1), locale="en" if locale == "en" else "zh_Hans")


def _head(title: str, locale: str, *, indexable: bool) -> list[str]:
    robots = "" if indexable else '<meta name="robots" content="noindex">'
    return [
        f'<!doctype html><html lang="{"en" if locale == "en" else "zh-CN"}"><head><meta charset="utf-8">',
        f'<meta name="viewport" content="width=device-width,initial-scale=1">{robots}',
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
        '<nav><a href="?lang=zh_Hans">中文</a><a href="?lang=en">English</a></nav>',
    ]


def _text(value: str) -> str:
    return "<br>".join(escape(line) for line in value.strip().splitlines())


def render(facts: Facts, locale: str) -> bytes:
    """The page of a valid passport; it may be indexed only when the maker agreed to be named."""

    def t(msgid: str, **params: Any) -> str:
        return escape(translate(msgid, locale, **{k: str(v) for k, v in params.items()}))

    craft = facts.craft.get(locale) or facts.craft.get("zh_Hans") or next(iter(facts.craft.values()), "")
    place = "".join(part for part in (facts.province, facts.county, facts.village) if part)
    if locale == "en":
        place = ", ".join(part for part in (facts.village, facts.county, facts.province) if part)
    parts = _head(facts.product, locale, indexable=facts.maker.named)
    parts += [
        f"<h1>{escape(facts.product)}</h1>",
        f'<p class="meta">{escape(craft)} · {escape(facts.brand)}</p>',
        "<p>" + (t(N_("Made in {place}."), place=place) + " " if place else ""),
        t(N_("Approved in {month}."), month=_month(facts.approved_month, locale)) + "</p>",
        "<h2>" + t(N_("The maker")) + "</h2>",
    ]
    if facts.maker.name:
        parts.append("<p>" + t(N_("Made by {name}."), name=facts.maker.name) + "</p>")
    else:
        parts.append("<p>" + t(N_("The maker chose not to be named.")) + "</p>")
    if facts.maker.words:
        parts.append('<blockquote class="words">' + _text(facts.maker.words) + "</blockquote>")
    if facts.work_photo:
        alt = t(N_("Her photo of the work"))
        parts.append(f'<img src="/p/{escape(facts.id)}/work" alt="{alt}">')
    if facts.paid_confirmed_month:
        month = _month(facts.paid_confirmed_month, locale)
        parts.append('<p class="paid">' + t(N_("The maker confirmed she was paid ({month})."), month=month) + "</p>")
    if facts.design_story.strip() or facts.pattern_photo:
        parts.append("<h2>" + t(N_("The design")) + "</h2>")
    if facts.design_story.strip():
        parts.append(f"<p>{_text(facts.design_story)}</p>")
    if facts.pattern_photo:
        alt = t(N_("The pattern"))
        parts.append(f'<img src="/p/{escape(facts.id)}/pattern" alt="{alt}">')
    pieces, record = t(N_("Pieces in this batch: {pieces}."), pieces=facts.pieces), t(N_("Signed record"))
    parts.append(f'<footer>{pieces} <a href="/p/{escape(facts.id)}.json">{record}</a></footer></body></html>')
    return "".join(parts).encode()


def notice(locale: str, *, withdrawn: bool) -> bytes:
    """The page of an unknown id (404) or a withdrawn passport (410): never indexed."""
    if withdrawn:
        title = translate(N_("This passport was withdrawn"), locale)
        text = translate(N_("The brand withdrew this piece's passport. Ask the seller about it."), locale)
    else:
        title = translate(N_("No such passport"), locale)
        text = translate(N_("Check the code on the label and scan it again."), locale)
    parts = [*_head(title, locale, indexable=False), f"<h1>{escape(title)}</h1><p>{escape(text)}</p></body></html>"]
    return "".join(parts).encode()
