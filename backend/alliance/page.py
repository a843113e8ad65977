"""The region's public page: the alliance and the makers who agreed to be named, server-made,
small, readable in WeChat's browser without a script. Only what each maker allowed: her name
(or the one she gave), her crafts, her county and province, her village if she said so."""

from __future__ import annotations

from html import escape
from itertools import groupby
from typing import Any

from backend.alliance.service import Maker
from backend.core.i18n import N_, translate

STYLE = (
    "body{font:16px/1.6 system-ui,sans-serif;margin:0 auto;max-width:40rem;padding:1rem;color:#222}"
    "h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.5rem}ul{padding-left:1.2rem}"
    ".crafts{color:#555}nav a{margin-right:1rem}"
)


def render(alliance: dict[str, Any], makers: list[Maker], locale: str) -> bytes:
    def t(msgid: str, **params: Any) -> str:
        return escape(translate(msgid, locale, **params))

    title = escape(alliance["name"])
    region = escape(alliance["region"])
    parts = [
        f'<!doctype html><html lang="{"en" if locale == "en" else "zh-CN"}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width,initial-scale=1">',
        f"<title>{title}</title><style>{STYLE}</style></head><body>",
        f'<nav><a href="?lang=zh_Hans">中文</a><a href="?lang=en">English</a></nav><h1>{title}</h1>',
    ]
    if region:
        parts.append(f"<p>{region}</p>")
    parts.append("<p>" + t(N_("The makers of our brands who chose to be named here.")) + "</p>")
    if not makers:
        parts.append("<p>" + t(N_("No maker has chosen to be named yet.")) + "</p>")
    for (province, county), group in groupby(makers, key=lambda m: (m.province, m.county)):
        parts.append(f"<h2>{escape(county)} · {escape(province)}</h2><ul>")
        for maker in group:
            place = f" · {escape(maker.village)}" if maker.village else ""
            crafts = escape("、".join(maker.crafts) if locale != "en" else ", ".join(maker.crafts))
            parts.append(f'<li>{escape(maker.name)}{place} <span class="crafts">{crafts}</span></li>')
        parts.append("</ul>")
    parts.append("</body></html>")
    return "".join(parts).encode()
