"""Log lines as collectors read them: one JSON object a line, secrets and phones masked, and the
id of the request each was written in, from nginx's X-Request-Id or a new one."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from backend.core.logs import JsonLines, Redact, json_lines
from backend.http.context import RequestIdMiddleware


@pytest.fixture
def lines() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger writing JSON lines through the redaction filter, as the server's do."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(Redact())
    handler.setFormatter(JsonLines())
    logger = logging.getLogger("cunjiang.test.lines")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield logger, out
    logger.removeHandler(handler)


def _entries(out: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


async def _served(logger: logging.Logger, headers: list[tuple[bytes, bytes]]) -> list[dict[str, Any]]:
    """A request through the middleware to an app that logs a line; what was sent back."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        logger.info("SMS to %s", "+8613800138000")
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    await RequestIdMiddleware(app)({"type": "http", "headers": headers}, receive, send)
    return sent


async def test_a_line_written_in_a_request_names_nginxs_request_id(lines: tuple[logging.Logger, io.StringIO]) -> None:
    logger, out = lines
    nginx = b"0f3c9a1e5b7d4c2a8e6f1b3d5a7c9e01"

    sent = await _served(logger, [(b"x-request-id", nginx)])
    logger.info("after the request")

    [inside, after] = _entries(out)
    assert inside["request_id"] == nginx.decode()
    assert inside["message"] == "SMS to +86138****8000"
    assert (inside["level"], inside["logger"]) == ("INFO", "cunjiang.test.lines")
    assert inside["time"].endswith("Z")
    assert "request_id" not in after
    assert (b"x-request-id", nginx) in sent[0]["headers"]


@pytest.mark.parametrize("given", [[], [(b"x-request-id", b"not an id; drop table")], [(b"x-request-id", b"short")]])
async def test_without_a_plausible_id_the_request_gets_a_new_one(
    lines: tuple[logging.Logger, io.StringIO], given: list[tuple[bytes, bytes]]
) -> None:
    logger, out = lines

    sent = await _served(logger, given)

    [entry] = _entries(out)
    named = dict(sent[0]["headers"])[b"x-request-id"].decode()
    assert entry["request_id"] == named
    assert len(named) == 32
    assert int(named, 16) >= 0


def test_a_traceback_is_one_field_of_the_line_and_redacted(lines: tuple[logging.Logger, io.StringIO]) -> None:
    logger, out = lines
    try:
        raise ValueError("no answer from /sms/aliyun/up?token=s3cret for 13800138000")
    except ValueError:
        logger.exception("push failed")

    [entry] = _entries(out)
    assert entry["message"] == "push failed"
    assert "ValueError" in entry["exception"]
    assert "s3cret" not in entry["exception"]
    assert "13800138000" not in entry["exception"]


def test_json_unless_plain_lines_are_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUNJIANG_LOG_FORMAT", "json")
    assert json_lines() is True
    monkeypatch.setenv("CUNJIANG_LOG_FORMAT", "text")
    assert json_lines() is False
