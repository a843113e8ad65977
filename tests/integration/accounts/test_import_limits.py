"""Importing artisans, at scale and under attack: thousands of rows all or none, the limits,
dry runs, replays, and files that are no spreadsheet."""

from __future__ import annotations

import io
import os
import secrets
import zipfile
from typing import Any

import httpx
import pytest

from backend.accounts.tables import Member
from tests import support
from tests.integration.accounts.files import (
    API,
    CHINESE_HEADER,
    artisans_of,
    csv_file,
    many,
    rows_of,
    send,
    xlsx_file,
)
from tests.support import ok, refused


async def test_two_thousand_rows_are_imported_in_one_go(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    rows, phones = many(brand, 2000)

    answer = await ok(await send(client, brand.coordinator, xlsx_file(rows), name="many.xlsx"), 201)

    assert answer["imported"] == 2000
    assert len(set(answer["artisans"])) == 2000
    assert await Member.count().where(Member.brand == brand.id) == 2001  # and the coordinator
    assert set(await artisans_of(brand)) == set(phones)


async def test_one_bad_row_of_two_thousand_imports_nothing(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    rows, _phones = many(brand, 2000)
    rows[1500][2] = "没有这个村"

    body = refused(await send(client, brand.coordinator, csv_file(rows)), 422, "import_invalid")

    assert rows_of(body) == [(1501, "village", "unknown_village")]
    assert await Member.count().where(Member.brand == brand.id) == 1


async def test_a_dry_run_checks_the_file_and_writes_nothing(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    rows, _phones = many(brand, 3)

    checked = await ok(await send(client, brand.coordinator, csv_file(rows), query="?dry_run=true"), 200)
    rows[2][1] = "123"
    refusal = refused(await send(client, brand.coordinator, csv_file(rows), query="?dry_run=true"), 422)

    assert checked == {"rows": 3, "imported": 0, "artisans": [], "dry_run": True, "invited": 0}
    assert rows_of(refusal) == [(3, "phone", "invalid_phone")]
    assert await artisans_of(brand) == {}


async def test_more_than_five_thousand_rows_is_too_large(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    rows, _phones = many(brand, 5001)

    body = refused(await send(client, brand.coordinator, csv_file(rows)), 413, "too_large")

    assert "5000" in body["message"]
    assert await artisans_of(brand) == {}


async def test_a_file_over_five_megabytes_is_too_large(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    data = csv_file([CHINESE_HEADER]) + b"#" * (5 * 2**20)

    body = refused(await send(client, brand.coordinator, data), 413, "too_large")

    assert "5 MB" in body["message"]


async def test_exactly_five_thousand_rows_pass_a_dry_run(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    rows, _phones = many(brand, 5000)

    checked = await ok(await send(client, brand.coordinator, csv_file(rows), query="?dry_run=1"), 200)

    assert checked["rows"] == 5000


async def test_a_repeated_idempotency_key_imports_once(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    rows, _phones = many(brand, 5)
    # The same bytes twice: a client that retries resends its body, boundary and all.
    request = client.build_request("POST", f"{API}/artisans/import", files={"file": ("a.csv", csv_file(rows))})
    headers = brand.coordinator.auth | {"Idempotency-Key": secrets.token_hex(8)}
    headers["Content-Type"] = request.headers["Content-Type"]
    body = request.read()

    first = await client.post(f"{API}/artisans/import", content=body, headers=headers)
    again = await client.post(f"{API}/artisans/import", content=body, headers=headers)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert len(await artisans_of(brand)) == 5


def _zip_of(name: str, content: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, content)
    return buffer.getvalue()


# Made when a case runs (a zip bomb is 120 MiB before packing); None: any 4xx with our body.
HOSTILE: list[Any] = [
    pytest.param(lambda: b"", "x.csv", 422, id="empty"),
    pytest.param(lambda: b"\r\n\r\n  \r\n", "x.csv", 422, id="blank lines"),
    pytest.param(lambda: csv_file([CHINESE_HEADER]), "x.csv", 422, id="header only"),
    pytest.param(lambda: os.urandom(4096), "x.csv", None, id="random bytes"),
    pytest.param(lambda: b"\x00\x01\x02" * 1000, "x.csv", 415, id="NUL bytes"),
    pytest.param(lambda: b"PK" + os.urandom(2000), "x.xlsx", 415, id="PK then garbage"),
    pytest.param(lambda: _zip_of("hello.txt", b"hi"), "x.xlsx", 415, id="a zip that is not a workbook"),
    pytest.param(lambda: _zip_of("xl/workbook.xml", b"<not xml"), "x.xlsx", 415, id="a broken workbook"),
    pytest.param(lambda: _zip_of("big.bin", bytes(120 * 2**20)), "x.xlsx", 413, id="a zip bomb"),
    pytest.param(lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(600), "x.xls", 415, id="an old xls file"),
    pytest.param(lambda: b'\xef\xbb\xbf"\xe5\xa7\x93\n' * 5, "x.csv", None, id="an open quote"),
]


@pytest.mark.parametrize(("make", "name", "status"), HOSTILE)
async def test_hostile_files_get_a_4xx_and_change_nothing(
    client: httpx.AsyncClient, make: Any, name: str, status: int | None
) -> None:
    brand = await support.brand()
    before = await support.brand_rows(brand.id)

    response = await send(client, brand.coordinator, make(), name=name)

    assert 400 <= response.status_code < 500, response.text
    refused(response, status or response.status_code)
    assert await support.brand_rows(brand.id) == before


@pytest.mark.parametrize(
    ("form", "status"),
    [
        pytest.param({"files": {"upload": ("a.csv", b"x")}}, 400, id="multipart without a file field"),
        pytest.param({"files": {"file": (None, "text, not a file")}}, 400, id="a file field that is text"),
        pytest.param({"data": {"file": "x"}}, 415, id="a url-encoded form"),
        pytest.param({"json": {"file": "x"}}, 400, id="JSON"),
    ],
)
async def test_a_request_without_a_file_is_refused(
    client: httpx.AsyncClient, form: dict[str, Any], status: int
) -> None:
    brand = await support.brand()
    response = await client.post(f"{API}/artisans/import", headers=brand.coordinator.auth, **form)
    refused(response, status)
