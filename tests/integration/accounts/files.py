"""Files and requests for the import tests: CSV and XLSX made here, sent as a browser sends them."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
from openpyxl import Workbook

from backend.accounts.queries import MEMBER_READ
from backend.accounts.tables import Member
from backend.core.types import Role
from tests import support
from tests.support import Brand

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
    rows = await Member.select(*MEMBER_READ).where((Member.brand == brand.id) & (Member.role == Role.ARTISAN.value))
    return {row["phone"]: row for row in rows}


def rows_of(body: dict[str, Any]) -> list[tuple[int, str, str]]:
    return [(problem["row"], problem["column"], problem["code"]) for problem in body["rows"]]


def many(brand: Brand, count: int) -> tuple[list[list[Any]], list[str]]:
    phones = [support.new_phone() for _ in range(count)]
    village = brand.villages[0]
    rows = [[f"手艺人{i}", local(phone), str(village), "刺绣", "否", "zh_Hans"] for i, phone in enumerate(phones)]
    return [CHINESE_HEADER, *rows], phones
