"""Numbers in paths, query strings and tus headers take ASCII digits only.

Every other form of a number (another script's digits, superscripts, signs, spaces,
separators, other notations, huge values) is refused, never read as some number and never
a 500. The inputs come from the app itself: each integer path and query parameter of its
OpenAPI description, and the numeric headers the tus routes read. A path id that is not
ASCII digits names nothing (404, as ``abc`` or ``-1`` do); a query parameter or a header
answers 400. Each hostile form is built around a real id, so a silent match would show.
"""

from __future__ import annotations

import asyncio
import sys
import unicodedata
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from backend.app import create_app
from backend.db.session import run
from tests.integration.across.hostile import API, Place
from tests.integration.photos.tus import TUS
from tests.support import refused

SCHEMA: dict[str, Any] = create_app(run_worker=False).openapi_schema.to_schema()
UPLOADS = f"{API}/uploads"


@dataclass(frozen=True)
class NumericInput:
    """One place a number goes: a path or query parameter of an operation, or a header."""

    method: str
    path: str
    where: str  # "path", "query" or "header"
    name: str
    repeated: bool = False  # a query parameter that may repeat (?village_id=1&village_id=2)

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.where}:{self.name}"


def _integer_kind(schema: dict[str, Any]) -> str | None:
    """``"one"`` for an integer parameter, ``"many"`` for a list of them, else None."""
    for variant in schema.get("oneOf", [schema]):
        if variant.get("type") == "integer":
            return "one"
        if variant.get("type") == "array" and variant.get("items", {}).get("type") == "integer":
            return "many"
    return None


def _parameters() -> Iterator[NumericInput]:
    for path, operations in SCHEMA["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                kind = _integer_kind(parameter.get("schema", {}))
                if kind and parameter["in"] in ("path", "query"):
                    yield NumericInput(method.upper(), path, parameter["in"], parameter["name"], kind == "many")


# The tus routes read their numbers from headers, which OpenAPI does not describe.
TUS_HEADERS = [
    NumericInput("POST", UPLOADS, "header", "Upload-Length"),
    NumericInput("PATCH", f"{UPLOADS}/{{upload_id}}", "header", "Upload-Offset"),
    NumericInput("POST", UPLOADS, "header", "Content-Length"),
    NumericInput("PATCH", f"{UPLOADS}/{{upload_id}}", "header", "Content-Length"),
]
INPUTS = [*_parameters(), *TUS_HEADERS]

# Where each path parameter's real id comes from (Place.ids, or made below).
REAL = {
    "order_id": "order",
    "job_id": "offered",
    "submission_id": "submission",
    "payout_id": "payout",
    "photo_id": "photo",
    "artisan_id": "a1",
    "member_id": "coordinator_member",
    "village_id": "village",
    "craft_id": "craft",
    "upload_id": "upload",
    "size": "list",
}


# ---------------------------------------------------------------------------------------------
# Hostile forms of a number.


@cache
def _zeros() -> list[str]:
    """The zero of every script's decimal digits but ASCII (their digits follow it)."""
    return [
        chr(c)
        for c in range(sys.maxunicode + 1)
        if c != ord("0") and unicodedata.category(chr(c)) == "Nd" and unicodedata.digit(chr(c)) == 0
    ]


SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹₀₁₂₃₄₅₆₇₈₉"
SIGNS = ["+", "-", "\u2212", "\uff0b", "\uff0d"]  # ASCII, the minus sign, full-width
SPACES = [" ", "\t", "\u00a0", "\u3000", "\u2009"]  # ASCII, no-break, ideographic, thin
NAMED = ["٣", "３", "²", "+5", " 5", "5 ", "-0", "1_000", "0x10", "1e3", "9" * 30]


def _other_script(number: int) -> st.SearchStrategy[str]:
    digits = str(number)
    masks = st.lists(st.booleans(), min_size=len(digits), max_size=len(digits)).filter(any)

    def spell(zero: str, mask: list[bool]) -> str:
        return "".join(chr(ord(zero) + int(d)) if m else d for d, m in zip(digits, mask, strict=True))

    return st.builds(spell, st.sampled_from(_zeros()), masks)


def _superscript(number: int) -> st.SearchStrategy[str]:
    digits = str(number)
    return st.builds(
        lambda at, small: digits[:at] + small + digits[at + 1 :],
        st.integers(0, len(digits) - 1),
        st.sampled_from(SUPERSCRIPTS),
    )


def _notation(number: int) -> st.SearchStrategy[str]:
    return st.sampled_from(
        [f"{number}_000", f"{number}.0", f"{number}e0", f"{number:#x}", f"{number:#o}", f"{number:#b}", f"{number},0"]
    )


def hostile(number: int) -> st.SearchStrategy[str]:
    """Forms of ``number`` that are not its ASCII digits, and numbers too big for any column."""
    digits = str(number)
    return st.one_of(
        _other_script(number),
        _superscript(number),
        st.builds(lambda sign: sign + digits, st.sampled_from(SIGNS)),
        st.builds(lambda s, before: s + digits if before else digits + s, st.sampled_from(SPACES), st.booleans()),
        _notation(number),
        st.integers(10**19, 10**40).map(str),
    )


# ---------------------------------------------------------------------------------------------
# Requests.


@pytest.fixture(scope="module")
async def real(client: httpx.AsyncClient, place: Place) -> dict[str, Any]:
    """The place's ids, a craft of the brand and an upload of its coordinator."""
    craft = await run("SELECT id FROM craft WHERE brand = {} ORDER BY id LIMIT 1", place.brand.id)
    created = await client.post(UPLOADS, headers=place.auth("coordinator") | TUS | {"Upload-Length": "10"})
    assert created.status_code == 201, created.text
    upload = created.headers["location"].rsplit("/", 1)[1]
    return place.ids | {"craft": craft[0]["id"], "upload": upload, "list": "list"}


def _path(template: str, ids: dict[str, Any], **given: str) -> str:
    names = {name: quote(str(ids[key]), safe="") for name, key in REAL.items()}
    return template.format(**(names | {name: quote(value, safe="") for name, value in given.items()}))


def _base(item: NumericInput, ids: dict[str, Any]) -> int:
    """The number the hostile forms are made of: a real id where there is one."""
    if item.name in ("Upload-Offset",):
        return 0  # where the upload stands: "+0" read as 0 would be taken
    key = REAL.get(item.name)
    return int(ids[key]) if key else 1


def _request(item: NumericInput, value: str, ids: dict[str, Any], auth: dict[str, str]) -> dict[str, Any]:
    if item.where == "path":
        return {"method": item.method, "url": _path(item.path, ids, **{item.name: value}), "headers": auth}
    if item.where == "query":
        values: Any = [str(_base(item, ids)), value] if item.repeated else value
        return {"method": item.method, "url": _path(item.path, ids), "params": {item.name: values}, "headers": auth}
    headers = auth | TUS | {"Content-Type": "application/offset+octet-stream"}
    headers |= {"Upload-Length": "1"} if item.method == "POST" else {"Upload-Offset": "0"}
    return {
        "method": item.method,
        "url": _path(item.path, ids),
        "content": b"x",
        "headers": headers | {item.name: _header_bytes(value)},
    }


def _header_bytes(value: str) -> bytes:
    """As Python's HTTP clients send a header: Latin-1 when it can be (``²`` is one byte), else UTF-8."""
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode()


def _hold_for_each(
    loop: asyncio.AbstractEventLoop, item: NumericInput, base: int, send: Callable[[str], Awaitable[None]]
) -> None:
    """Hypothesis draws in this thread; each request runs on the test's event loop."""

    @settings(max_examples=8, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
    @given(value=hostile(base))
    def check(value: str) -> None:
        asyncio.run_coroutine_threadsafe(send(value), loop).result()

    for value in NAMED:
        check = example(value=value)(check)
    check()


@pytest.mark.parametrize("item", INPUTS, ids=str)
async def test_numbers_that_are_not_ascii_digits_are_refused(
    client: httpx.AsyncClient, place: Place, real: dict[str, Any], item: NumericInput
) -> None:
    status, code = (404, "not_found") if item.where == "path" else (400, "invalid_request")
    auth = place.auth("coordinator")

    async def send(value: str) -> None:
        answer = await client.request(**_request(item, value, real, auth))
        assert answer.status_code < 500, f"{item} = {value!r}: {answer.status_code} {answer.text[:300]}"
        refused(answer, status, code)

    await asyncio.to_thread(_hold_for_each, asyncio.get_running_loop(), item, _base(item, real), send)
