"""Importing artisans from a spreadsheet: CSV in the encodings Excel writes, XLSX, every bad cell
reported with its row and column, all rows or none."""

from __future__ import annotations

import csv
import io
import os
import secrets
import zipfile
from typing import Any

import httpx
import pytest
from openpyxl import Workbook

from backend.accounts.tables import Member
from backend.core.types import Role
from tests import support
from tests.support import Brand, ok, refused

API = "/api/v1"
CHINESE_HEADER = ["姓名", "手机", "村", "手艺", "仅短信", "语言"]
ENGLISH_HEADER = ["Name", " PHONE ", "Village", "Crafts", "SMS_only", "Locale"]


def csv_file(rows: list[list[Any]], encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_file(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def local(phone: str) -> str:
    """A number as Chinese people write it: 13912345678."""
    return phone.removeprefix("+86")


async def send(
    client: httpx.AsyncClient,
    who: support.Person,
    data: bytes,
    *,
    name: str = "artisans.csv",
    query: str = "",
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    files = {"file": (name, data, "application/octet-stream")}
    return await client.post(f"{API}/artisans/import{query}", files=files, headers=who.auth | (headers or {}))


async def artisans_of(brand: Brand) -> dict[str, dict[str, Any]]:
    rows = await Member.select().where((Member.brand == brand.id) & (Member.role == Role.ARTISAN.value))
    return {row["phone"]: row for row in rows}


def rows_of(body: dict[str, Any]) -> list[tuple[int, str, str]]:
    return [(problem["row"], problem["column"], problem["code"]) for problem in body["rows"]]


async def test_a_utf8_csv_with_a_bom_and_chinese_headers_imports_every_row(client: httpx.AsyncClient) -> None:
    brand = await support.brand(villages=2)
    p1, p2 = support.new_phone(), support.new_phone()
    data = csv_file(
        [
            CHINESE_HEADER,
            ["杨秀英", local(p1), "村0", "刺绣、蜡染", "否", ""],
            ["Wu Mei", p2, str(brand.villages[1]), "silverwork", "是", "en"],
        ]
    )

    answer = await ok(await send(client, brand.coordinator, data), 201)
    stored = await artisans_of(brand)

    assert answer["imported"] == 2
    assert answer["rows"] == 2
    assert sorted(answer["artisans"]) == sorted(row["id"] for row in stored.values())
    assert set(stored) == {p1, p2}
    first, second = stored[p1], stored[p2]
    assert (first["name"], first["village"], first["crafts"]) == ("杨秀英", brand.villages[0], "embroidery,batik")
    assert (first["sms_only"], first["locale"], first["active"]) == (False, "zh_Hans", True)
    assert (second["name"], second["village"], second["crafts"]) == ("Wu Mei", brand.villages[1], "silverwork")
    assert (second["sms_only"], second["locale"]) == (True, "en")


async def test_a_gb18030_csv_as_excel_on_chinese_windows_saves_it_imports(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    phone = support.new_phone()
    data = csv_file([ENGLISH_HEADER, ["龙妹榜", local(phone), "村0", "織錦", "no", "zh_Hans"]], encoding="gb18030")
    data = data.replace("織錦".encode("gb18030"), "织锦".encode("gb18030"))
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")

    answer = await ok(await send(client, brand.coordinator, data), 201)
    stored = await artisans_of(brand)

    assert answer["imported"] == 1
    assert (stored[phone]["name"], stored[phone]["crafts"]) == ("龙妹榜", "weaving")


async def test_an_xlsx_file_imports_with_phones_typed_as_numbers(client: httpx.AsyncClient) -> None:
    brand = await support.brand(villages=2)
    p1, p2 = support.new_phone(), support.new_phone()
    data = xlsx_file(
        [
            ["姓名", "手机号", "村寨", "手艺"],
            ["潘阿妹", int(local(p1)), brand.villages[1], "Batik / embroidery"],
            [None, None, None, None],  # a blank row keeps its number but is no artisan
            ["吴小花", p2, "村0", None],
        ]
    )

    answer = await ok(await send(client, brand.coordinator, data, name="artisans.xlsx"), 201)
    stored = await artisans_of(brand)

    assert answer["imported"] == 2
    assert (stored[p1]["village"], stored[p1]["crafts"]) == (brand.villages[1], "batik,embroidery")
    assert (stored[p2]["village"], stored[p2]["crafts"]) == (brand.villages[0], "")


async def test_bad_rows_are_reported_cell_by_cell_in_the_callers_language_and_nothing_is_written(
    client: httpx.AsyncClient,
) -> None:
    brand = await support.brand()
    good = support.new_phone()
    data = csv_file(
        [
            CHINESE_HEADER,
            ["好人", good, "村0", "刺绣", "否", "zh_Hans"],
            ["", "12345", "不存在的村", "竹编", "也许", "fr"],
            ["  ", support.new_phone(), "村0", "", "", ""],
            ["名" * 101, support.new_phone(), "", "embroidery", "", ""],
        ]
    )

    body = refused(await send(client, brand.coordinator, data), 422, "import_invalid")

    assert rows_of(body) == [
        (3, "name", "blank"),
        (3, "phone", "invalid_phone"),
        (3, "village", "unknown_village"),
        (3, "crafts", "unknown_craft"),
        (3, "sms_only", "invalid_yes_no"),
        (3, "locale", "unknown_locale"),
        (4, "name", "blank"),
        (5, "name", "invalid"),
        (5, "village", "blank"),
    ]
    messages = {(p["row"], p["column"]): p["message"] for p in body["rows"]}
    assert messages[(3, "village")] == "品牌没有名为“不存在的村”的村寨。"
    assert messages[(3, "crafts")] == "“竹编”不是本品牌的手艺。"
    assert messages[(3, "phone")] == "手机号不对。"
    assert "3" in body["message"]
    assert await artisans_of(brand) == {}


async def test_problems_are_explained_in_english_to_an_english_speaking_coordinator(
    client: httpx.AsyncClient,
) -> None:
    brand = await support.brand()
    english = await support.person(brand.id, Role.COORDINATOR, locale="en")
    data = csv_file([ENGLISH_HEADER, ["Li", support.new_phone(), "Nowhere", "", "", ""]])

    body = refused(await send(client, english, data), 422, "import_invalid")

    assert body["message"] == "Rows with problems: 1. Nothing was imported; correct them and send the file again."
    assert body["rows"] == [
        {"row": 2, "column": "village", "code": "unknown_village", "message": "The brand has no village Nowhere."}
    ]


async def test_a_phone_twice_in_the_file_names_both_rows_even_written_differently(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    twice, once = support.new_phone(), support.new_phone()
    data = csv_file(
        [
            CHINESE_HEADER,
            ["甲", twice, "村0", "", "", ""],
            ["乙", once, "村0", "", "", ""],
            ["丙", local(twice), "", "", "", ""],  # also missing its village: every problem is told
        ]
    )

    body = refused(await send(client, brand.coordinator, data), 422, "import_invalid")

    assert rows_of(body) == [(2, "phone", "duplicate_phone"), (4, "phone", "duplicate_phone"), (4, "village", "blank")]
    assert body["rows"][0]["message"] == "该手机号码在多行出现：2, 4。"
    assert await artisans_of(brand) == {}


async def test_a_phone_a_person_of_any_brand_already_uses_is_taken(client: httpx.AsyncClient) -> None:
    brand, other = await support.brand(), await support.brand()
    mine = await support.artisan(brand)
    theirs = await support.artisan(other)
    data = csv_file(
        [
            CHINESE_HEADER,
            ["新人", support.new_phone(), "村0", "", "", ""],
            ["重复", local(mine.phone), "村0", "", "", ""],
            ["别家", theirs.phone, "村0", "", "", ""],
            ["协调员", brand.coordinator.phone, "村0", "", "", ""],
        ]
    )

    body = refused(await send(client, brand.coordinator, data), 422, "import_invalid")

    assert rows_of(body) == [(3, "phone", "phone_taken"), (4, "phone", "phone_taken"), (5, "phone", "phone_taken")]
    assert set(await artisans_of(brand)) == {mine.phone}


async def test_villages_and_crafts_must_be_the_brands_own(client: httpx.AsyncClient) -> None:
    brand, other = await support.brand(), await support.brand()
    admin = await support.person(other.id, Role.ADMIN)
    await ok(
        await client.post(
            f"{API}/crafts", json={"code": "paper-cut", "names": {"zh_Hans": "剪纸"}}, headers=admin.auth
        ),
        201,
    )
    data = csv_file(
        [
            CHINESE_HEADER,
            ["甲", support.new_phone(), str(other.villages[0]), "刺绣", "", ""],  # the other brand's village id
            ["乙", support.new_phone(), "村0", "剪纸", "", ""],  # the other brand's craft
            ["丙", support.new_phone(), "9999999", "paper-cut", "", ""],
        ]
    )

    body = refused(await send(client, brand.coordinator, data), 422, "import_invalid")

    assert rows_of(body) == [
        (2, "village", "unknown_village"),
        (3, "crafts", "unknown_craft"),
        (4, "village", "unknown_village"),
        (4, "crafts", "unknown_craft"),
    ]


async def test_another_brands_coordinator_cannot_place_artisans_in_this_brands_villages(
    client: httpx.AsyncClient,
) -> None:
    brand, other = await support.brand(), await support.brand()
    data = csv_file([CHINESE_HEADER, ["甲", support.new_phone(), str(brand.villages[0]), "", "", ""]])

    body = refused(await send(client, other.coordinator, data), 422, "import_invalid")

    assert rows_of(body) == [(2, "village", "unknown_village")]
    assert await artisans_of(brand) == {}
    assert await artisans_of(other) == {}


async def test_unknown_columns_are_refused_by_name(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    data = csv_file([[*CHINESE_HEADER, "微信号", "备注"], ["甲", support.new_phone(), "村0", "", "", "", "x", "y"]])

    body = refused(await send(client, brand.coordinator, data), 422, "invalid")

    assert body["fields"] == {"file": "unknown_columns"}
    assert "微信号, 备注" in body["message"]
    assert "手机 (phone)" in body["message"]


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        pytest.param(["姓名", "村"], "missing_columns", id="no phone column"),
        pytest.param(["姓名", "手机", "phone", "村"], "duplicate_column", id="phone twice"),
        pytest.param(["姓名", "", "手机", "村"], "unknown_columns", id="a blank header between two"),
    ],
)
async def test_a_header_without_a_required_column_or_with_one_twice_is_refused(
    client: httpx.AsyncClient, header: list[str], reason: str
) -> None:
    brand = await support.brand()
    data = csv_file([header, ["甲"] * len(header)])

    body = refused(await send(client, brand.coordinator, data), 422, "invalid")

    assert body["fields"] == {"file": reason}


def many(brand: Brand, count: int) -> tuple[list[list[Any]], list[str]]:
    phones = [support.new_phone() for _ in range(count)]
    village = brand.villages[0]
    rows = [[f"手艺人{i}", local(phone), str(village), "刺绣", "否", "zh_Hans"] for i, phone in enumerate(phones)]
    return [CHINESE_HEADER, *rows], phones


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

    assert checked == {"rows": 3, "imported": 0, "artisans": [], "dry_run": True}
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


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 201), ("coordinator", 201), ("leader", 403), ("artisan", 403)],
)
async def test_only_the_brands_staff_import(client: httpx.AsyncClient, role: str, status: int) -> None:
    brand = await support.brand()
    who = brand.coordinator if role == "coordinator" else await support.person(brand.id, Role(role), brand.villages[0])
    data = csv_file([CHINESE_HEADER, ["甲", support.new_phone(), "村0", "", "", ""]])

    response = await send(client, who, data)

    if status == 201:
        assert (await ok(response, 201))["imported"] == 1
    else:
        refused(response, status, "forbidden")


async def test_a_signed_out_caller_gets_401(client: httpx.AsyncClient) -> None:
    files = {"file": ("a.csv", csv_file([CHINESE_HEADER]), "text/csv")}
    refused(await client.post(f"{API}/artisans/import", files=files), 401, "unauthorized")


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
