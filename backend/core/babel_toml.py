"""Babel extractor for the SMS flows (``sms_flows/*.toml``): their message texts, with line numbers.

The convention, which flow authors follow and this extractor relies on:

- A message text is a string assigned to a key named ``text``, or to a key whose name ends
  in ``_text`` or ``_msg`` (``prompt_text``, ``retry_msg``). (Not ``help``: flows start on
  the reply ``help``, ``starts_on = { help = "menu" }``, and a step id is no message.) An array of strings under
  such a key gives one message per string. Dotted keys (``reply.text``) and keys inside inline
  tables (``on_error = { text = "..." }``) are judged by their own, last name.
- Every other value (ids, types, actions, numbers, table names) is data and is not extracted.
- The strings are gettext msgids: English with ``{name}`` placeholders; the wording lives in
  ``locales/``, never in the flow.
- A comment block right above the key that starts with a comment tag (``# Translators: ...``)
  reaches the catalog as a note for translators.

The file is parsed with ``tomllib`` first, so a broken flow stops extraction with its error.
Registered in ``locales/babel.cfg``.
"""

from __future__ import annotations

import bisect
import re
import tomllib
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

Extracted = tuple[int, str | None, str, list[str]]

_PART = r"""[A-Za-z0-9_-]+|"(?:\\.|[^"\\\n])*"|'[^'\n]*'"""
_TOKENS = re.compile(
    rf"""
    (?P<comment>\#[^\n]*)
    | (?P<key>(?:(?:{_PART})[ \t]*\.[ \t]*)*(?P<name>{_PART}))[ \t]*=
    | (?P<string>
        \"\"\"(?:\\[\s\S]|[^\\])*?\"{{3,5}}(?!\")
        | '''[\s\S]*?'{{3,5}}(?!')
        | "(?:\\.|[^"\\\n])*"
        | '[^'\n]*'
      )
    | (?P<open>\[)
    | (?P<close>\])
    | (?P<newline>\n)
    """,
    re.VERBOSE,
)
MESSAGE_KEY = re.compile(r"text|.+_text|.+_msg")


def is_message_key(name: str) -> bool:
    """Whether a key (its last name, unquoted) holds message texts."""
    return MESSAGE_KEY.fullmatch(name) is not None


def _unquote(part: str) -> str:
    return next(iter(tomllib.loads(f"{part} = 0"))) if part[0] in "\"'" else part


class _Scanner:
    """Follows the tokens of one file; yields the strings of message keys."""

    def __init__(self, comment_tags: Collection[str]) -> None:
        self.tags = tuple(comment_tags)
        self.comments: dict[int, str] = {}
        self.notes: list[str] | None = None  # not None while reading a message key's value
        self.depth = 0

    def feed(self, token: re.Match[str], line: int) -> Iterator[Extracted]:
        kind, text = token.lastgroup, token.group()
        if kind == "comment":
            self.comments[line] = text[1:].strip()
        elif token.group("key") is not None:
            self.notes = self._notes_above(line) if is_message_key(_unquote(token.group("name"))) else None
            self.depth = 0
        elif self.notes is None:
            return
        elif kind == "string":
            yield line, None, tomllib.loads(f"v = {text}")["v"], self.notes
            self._end_value_unless_nested()
        elif kind in {"open", "close"}:
            self.depth += 1 if kind == "open" else -1
            self._end_value_unless_nested()
        elif kind == "newline":
            self._end_value_unless_nested()

    def _end_value_unless_nested(self) -> None:
        if self.depth <= 0:
            self.notes = None

    def _notes_above(self, line: int) -> list[str]:
        block: list[str] = []
        above = line - 1
        while above in self.comments:
            block.insert(0, self.comments[above])
            above -= 1
        tagged = next((i for i, comment in enumerate(block) if comment.startswith(self.tags)), None)
        return block[tagged:] if tagged is not None and self.tags else []


def extract_toml(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[Extracted]:
    """Babel's extractor interface: ``(lineno, funcname, message, comments)`` per message text.

    ``keywords`` do not apply: in a flow, the key names say what is a message (see above).
    """
    source = fileobj.read().decode(options.get("encoding", "utf-8"))
    try:
        tomllib.loads(source)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{getattr(fileobj, 'name', '<toml>')}: {error}") from error
    line_starts = [0, *(match.end() for match in re.finditer("\n", source))]
    scanner = _Scanner(comment_tags)
    for token in _TOKENS.finditer(source):
        yield from scanner.feed(token, bisect.bisect_right(line_starts, token.start()))
