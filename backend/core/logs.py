"""Log lines without secrets, one JSON object a line with the request's id: a secret in a query
string becomes ``***``, a phone number is masked.

Uvicorn's access log prints each path with its query string (``/sms/aliyun/up?token=…``,
``/api/v1/sms/messages?phone=%2B86…``), and an error's text may carry a phone. One filter,
installed by :func:`redact_logs` wherever the server starts, rewrites every record before
a handler writes it, and notes the id of the request it was written in (``request_id``, set
by ``backend.http.context.RequestIdMiddleware``). Lines are JSON objects (time, level, logger,
message, request_id, exception) unless ``CUNJIANG_LOG_FORMAT=text`` asks for plain lines, which
are also the default on a terminal (``make demo``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import sys
from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any

from backend.core.phones import mask_phone

# Parameters whose values are secrets, alone or as the last part of a name (api_key,
# client_secret, X-Amz-Signature, AccessKeyId): compared without regard to case.
_HIDDEN_NAMES = (
    "token|code|key|secret|password|passwd|pwd|signature|sig|otp|auth|authorization|credential|credentials"
    "|apikey|accesskey|accesskeyid|accesskeysecret|sessionid"
)
_SECRET_PARAMETER = re.compile(
    rf"(?<![\w.\-])(?P<name>(?:[A-Za-z0-9]+[_.\-])*(?:{_HIDDEN_NAMES}))=(?P<value>[^&;#\s\"'<>]+)", re.IGNORECASE
)
_BEARER = re.compile(r"\b(?P<scheme>Bearer)\s+[\w.~+/=\-]+", re.IGNORECASE)
# E.164 (``+8613800138000``), the same in a query string (``%2B86…``), and a Chinese mobile
# as people type it (``13800138000``); never a part of a longer run of digits.
_INTERNATIONAL = re.compile(r"(?<!\d)(?P<plus>\+|%2[Bb])(?P<digits>[1-9]\d{7,14})(?!\d)")
_CHINESE_MOBILE = re.compile(r"(?<![\d*])1[3-9]\d{9}(?!\d)")
STARS = "***"
LOGGERS = ("cunjiang", "uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi", "litestar")
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def redact(text: str) -> str:
    """``text`` with secret parameters' values as ``***`` and phone numbers masked like
    :func:`backend.core.phones.mask_phone` (``+86138****8000``); anything else unchanged."""
    text = _SECRET_PARAMETER.sub(lambda found: f"{found['name']}={STARS}", text)
    text = _BEARER.sub(lambda found: f"{found['scheme']} {STARS}", text)
    text = _INTERNATIONAL.sub(lambda found: found["plus"] + mask_phone("+" + found["digits"])[1:], text)
    return _CHINESE_MOBILE.sub(lambda found: mask_phone("+86" + found[0])[3:], text)


def _redacted(value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value


class Redact(logging.Filter):
    """Rewrites a record in place and lets it through.

    The arguments are redacted one by one, keeping their shape (uvicorn's access formatter
    unpacks them); when the whole message still changes (a phone in an exception's text, a
    secret split between the format and an argument), it is replaced by its redacted form.
    Tracebacks are redacted too."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):  # noted where the line is written, not where it is formatted
            record.request_id = request_id.get()
        # The format string stays as it is while it has arguments: "?token=%s" must still take one.
        if isinstance(record.args, tuple):
            record.args = tuple(_redacted(value) for value in record.args)
        elif isinstance(record.args, Mapping):
            record.args = {name: _redacted(value) for name, value in record.args.items()}
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = ""  # a bad format string: the handler reports it as it always did
        if (clean := redact(message)) != message:
            record.msg, record.args = clean, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class JsonLines(logging.Formatter):
    """One JSON object a line: ``time`` (UTC, ISO 8601, milliseconds), ``level``, ``logger``,
    ``message``, ``request_id`` (within a request) and ``exception`` (a traceback), as log
    collectors (Loki, Aliyun SLS, CloudWatch) read them. The record was redacted by then."""

    def format(self, record: logging.LogRecord) -> str:
        moment = dt.datetime.fromtimestamp(record.created, dt.UTC)
        entry: dict[str, Any] = {
            "time": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if rid := getattr(record, "request_id", None):
            entry["request_id"] = rid
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(self.formatException(record.exc_info))
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def json_lines() -> bool:
    """``CUNJIANG_LOG_FORMAT``: ``json`` or ``text``; by default JSON unless stderr is a terminal."""
    chosen = os.environ.get("CUNJIANG_LOG_FORMAT", "").strip().lower()
    return chosen == "json" or (chosen != "text" and not sys.stderr.isatty())


def _filter(target: logging.Logger | logging.Handler) -> None:
    if not any(isinstance(found, Redact) for found in target.filters):
        target.addFilter(Redact())


def redact_logs() -> None:
    """Put the filter on the server's loggers and on every handler they or the root write to.

    A logger's filter sees only records made on that logger, and survives a later
    ``dictConfig`` (uvicorn's, Litestar's) that replaces the handlers; a handler's filter
    also sees the records that propagate to it from other loggers (``cunjiang.sms`` to the
    root's). Call it once logging is configured; calling it again adds nothing twice. The
    ``cunjiang`` loggers get a handler to stderr when nothing would write their lines. Every
    handler writes JSON lines unless plain ones are asked for (:func:`json_lines`)."""
    ours = logging.getLogger("cunjiang")
    if not ours.hasHandlers():
        to_stderr = logging.StreamHandler(sys.stderr)
        to_stderr.setFormatter(logging.Formatter(FORMAT))
        ours.addHandler(to_stderr)
    as_json = json_lines()
    for name in ("", *LOGGERS):
        logger = logging.getLogger(name)
        _filter(logger)
        for handler in logger.handlers:
            _filter(handler)
            if as_json:
                handler.setFormatter(JsonLines())
