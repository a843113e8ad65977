"""Log lines without secrets: the redaction filter on its own, and on uvicorn's loggers."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
import uvicorn

from backend.core.logs import Redact, redact, redact_logs


def _line(message: str, *args: object) -> str:
    record = logging.LogRecord("cunjiang.test", logging.INFO, __file__, 1, message, args or None, None)
    assert Redact().filter(record)
    return record.getMessage()


@pytest.mark.parametrize(
    ("written", "logged"),
    [
        ("POST /sms/aliyun/up?token=s3cr3t-Value HTTP/1.1", "POST /sms/aliyun/up?token=*** HTTP/1.1"),
        ("/voice/aliyun/report?a=1&TOKEN=abc&b=2", "/voice/aliyun/report?a=1&TOKEN=***&b=2"),
        ("/x?code=123456&access_key=AK&X-Amz-Signature=f00", "/x?code=***&access_key=***&X-Amz-Signature=***"),
        ("/x?sig=1&AccessKeyId=AK", "/x?sig=***&AccessKeyId=***"),
        ("/x?password=hunter2;api_key=k&client_secret=c", "/x?password=***;api_key=***&client_secret=***"),
        ("Authorization: Bearer abc.DEF-123", "Authorization: Bearer ***"),
    ],
)
def test_secret_parameters_are_written_as_stars(written: str, logged: str) -> None:
    assert redact(written) == logged


@pytest.mark.parametrize(
    ("written", "logged"),
    [
        ("GET /sms/simulator?phone=%2B8613900001234 HTTP/1.1", "GET /sms/simulator?phone=%2B86139****1234 HTTP/1.1"),
        ("/sms/messages?phone=%2b8613800138000&status=sent", "/sms/messages?phone=%2b86138****8000&status=sent"),
        ("SMS to +8613800138000: hello", "SMS to +86138****8000: hello"),
        ("typed 13800138000, then 15912345678.", "typed 138****8000, then 159****5678."),
        ("abroad +447700900123", "abroad +4477****0123"),
    ],
)
def test_phone_numbers_are_masked_in_every_form(written: str, logged: str) -> None:
    assert redact(written) == logged


@pytest.mark.parametrize(
    "untouched",
    [
        '127.0.0.1:40286 - "GET /api/v1/jobs?since=17&cursor=abc HTTP/1.1" 200',
        "SMS to +86139****1234: 村匠登录验证码：993724，5分钟内有效，请勿告诉别人。",
        "order 12345678901234 of 2026-12-05 08:30:20,866; tel 12800138000; +0800",
        "token_count=3 monkey=2 barcode",
    ],
)
def test_nothing_else_changes(untouched: str) -> None:
    assert redact(untouched) == untouched


def test_the_filter_keeps_the_arguments_uvicorns_access_log_unpacks() -> None:
    args = ("127.0.0.1:5000", "POST", "/sms/aliyun/up?token=T0K&x=%2B8613900001234", "1.1", 403)
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d', args, None)

    Redact().filter(record)

    assert record.args == ("127.0.0.1:5000", "POST", "/sms/aliyun/up?token=***&x=%2B86139****1234", "1.1", 403)


def test_a_secret_split_between_the_format_and_its_argument_or_inside_an_object_is_redacted() -> None:
    assert _line("callback ?token=%s refused", "T0K") == "callback ?token=*** refused"
    assert _line("integrity: %s", ValueError("Key (phone)=(+8613800138000) exists")) == (
        "integrity: Key (phone)=(+86138****8000) exists"
    )
    assert _line("%d SMS to %s", 3, "+8613800138000") == "3 SMS to +86138****8000"


def test_a_traceback_is_redacted() -> None:
    try:
        raise RuntimeError("GET https://sms.example/send?AccessKeyId=AK1&PhoneNumbers=13800138000")
    except RuntimeError as error:
        failure = (RuntimeError, error, None)
        record = logging.LogRecord("cunjiang.test", logging.ERROR, __file__, 1, "failed", None, failure)
    Redact().filter(record)

    assert record.exc_text is not None
    assert "AccessKeyId=***&PhoneNumbers=138****8000" in record.exc_text
    assert "AK1" not in record.exc_text


@pytest.fixture
def uvicorn_logging() -> Iterator[None]:
    """Uvicorn's loggers as they were: the test configures them as ``cunjiang serve`` does."""
    names = ("uvicorn", "uvicorn.error", "uvicorn.access")
    saved = {name: (logging.getLogger(name).handlers[:], logging.getLogger(name).filters[:]) for name in names}
    yield
    for name, (handlers, filters) in saved.items():
        logging.getLogger(name).handlers[:], logging.getLogger(name).filters[:] = handlers, filters


@pytest.mark.usefixtures("uvicorn_logging")
def test_the_filter_outlives_uvicorns_logging_configuration() -> None:
    redact_logs()
    uvicorn.Config("backend.app:create_app", log_level="info")  # runs uvicorn's dictConfig
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    logging.getLogger("uvicorn.access").addHandler(handler)

    logging.getLogger("uvicorn.access").info('%s - "%s %s HTTP/%s" %d', "ip", "POST", "/up?token=T0K", "1.1", 403)

    assert "/up?token=*** " in written.getvalue()
    assert "T0K" not in written.getvalue()
