"""Exporting a brand's payouts of a period for its accountants: CSV that Excel on Chinese Windows
opens right, and XLSX with real numbers; only the period, only the caller's brand."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from backend.accounts.service import add_member
from backend.audit.tables import AuditEvent
from backend.auth.service import issue_token
from backend.core.china_time import CHINA_TZ
from backend.core.types import Role
from backend.payouts.tables import Payout
from tests import support
from tests.support import Brand, Person, as_moment, job_in_state, ok, refused

API = "/api/v1"
PERIOD = "from=2026-11-01&to=2026-11-30"
TITLE = "苗绣围巾，红色"
# When each payout is said to have been recorded (China time): the first and last moments of
# the period are in it, the moments just outside are not.
MOMENTS = {
    "first": dt.datetime(2026, 11, 1, 0, 0, 0, tzinfo=CHINA_TZ),
    "middle": dt.datetime(2026, 11, 15, 9, 30, tzinfo=CHINA_TZ),
    "last": dt.datetime(2026, 11, 30, 23, 59, 59, tzinfo=CHINA_TZ),
    "after": dt.datetime(2026, 12, 1, 0, 0, 0, tzinfo=CHINA_TZ),
    "before": dt.datetime(2026, 10, 31, 23, 59, 59, tzinfo=CHINA_TZ),
}


@dataclass
class Ledger:
    brand: Brand
    other: Brand
    yang: Person
    quoted: Person
    payouts: dict[str, int]  # moment → payout id
    other_payout: int


async def named_artisan(brand: Brand, name: str, village: int) -> Person:
    phone = support.new_phone()
    member = await add_member(brand.id, role=Role.ARTISAN, phone=phone, name=name, village_id=village, crafts=[])
    return Person(member.id, phone, Role.ARTISAN, await issue_token(member.id), village)


async def paid_at(client: httpx.AsyncClient, brand: Brand, who: Person, state: str, moment: str) -> int:
    order_id = (await support.open_order(client, brand, title=TITLE, quantity=20))["id"]
    work = await job_in_state(client, brand, who, state, order_id=order_id, quantity=5)
    assert work.payout_id is not None
    await Payout.update({Payout.created_at: MOMENTS[moment]}).where(Payout.id == work.payout_id)
    return work.payout_id


@pytest.fixture(scope="module")
async def ledger(client: httpx.AsyncClient) -> Ledger:
    brand, other = await support.brand(villages=2), await support.brand()
    yang = await named_artisan(brand, "杨秀英", brand.villages[0])
    quoted = await named_artisan(brand, '=王, "小妹"', brand.villages[1])
    payouts = {
        "first": await paid_at(client, brand, yang, "confirmed", "first"),
        "middle": await paid_at(client, brand, quoted, "disputed", "middle"),
        "after": await paid_at(client, brand, yang, "paid", "after"),
        "before": await paid_at(client, brand, yang, "paid", "before"),
    }
    # The last one is paid by hand: an amount that is not rate × pieces, by bank.
    order_id = (await support.open_order(client, brand, title=TITLE, quantity=20))["id"]
    approved = await job_in_state(client, brand, yang, "approved", order_id=order_id, quantity=3)
    body = {"method": "bank", "reference": "-REF 88", "amount_fen": 12345}
    payout = await ok(
        await client.post(f"{API}/jobs/{approved.job_id}/payout", json=body, headers=brand.coordinator.auth), 201
    )
    await Payout.update({Payout.created_at: MOMENTS["last"]}).where(Payout.id == payout["id"])
    payouts["last"] = payout["id"]
    stranger = await support.artisan(other)
    other_payout = await paid_at(client, other, stranger, "paid", "middle")
    return Ledger(brand, other, yang, quoted, payouts, other_payout)


async def export(client: httpx.AsyncClient, who: Person, query: str = PERIOD, **headers: str) -> httpx.Response:
    return await client.get(f"{API}/payouts/export?{query}", headers=who.auth | headers)


def read_csv(response: httpx.Response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


async def stored(payout_id: int) -> dict[str, Any]:
    return (await Payout.select().where(Payout.id == payout_id))[0]


def china(moment: Any) -> dt.datetime:
    """A stored moment as China's wall-clock time, as the spreadsheet shows it."""
    return as_moment(moment).astimezone(CHINA_TZ).replace(tzinfo=None)


def as_written(phone: str) -> str:
    """+8613912345678 as Chinese people write it: 139 1234 5678."""
    digits = phone.removeprefix("+86")
    return f"{digits[:3]} {digits[3:7]} {digits[7:]}"


async def test_the_csv_has_a_bom_crlf_and_the_periods_payouts_oldest_first(
    client: httpx.AsyncClient, ledger: Ledger
) -> None:
    response = await export(client, ledger.brand.coordinator)

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="payouts-2026-11-01-2026-11-30.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in response.content
    assert b"\n" not in response.content.replace(b"\r\n", b"")
    rows = read_csv(response)
    assert rows[0] == [
        "付款编号", "记录日期", "手艺人", "手机", "村寨", "订单", "任务编号",
        "付款件数", "金额（元）", "付款方式", "参考号", "状态", "确认或争议时间", "应付（元）", "扣除预付款（元）",
        "扣材料款（元）",
    ]  # fmt: skip
    ids = [int(row[0]) for row in rows[1:]]
    assert ids == [ledger.payouts["first"], ledger.payouts["middle"], ledger.payouts["last"]]


async def test_csv_cells_round_trip_chinese_quotes_and_money(client: httpx.AsyncClient, ledger: Ledger) -> None:
    rows = {int(row[0]): row for row in read_csv(await export(client, ledger.brand.coordinator))[1:]}
    confirmed = await stored(ledger.payouts["first"])

    first = rows[ledger.payouts["first"]]
    assert first[1:6] == ["2026-11-01", "杨秀英", as_written(ledger.yang.phone), "村0", TITLE]
    assert first[7:10] == ["5", "225.00", "微信支付"]
    assert first[6].startswith("K")
    assert first[10:] == [
        "WX-1", "已确认", china(confirmed["confirmed_at"]).strftime("%Y-%m-%d %H:%M"), "225.00", "0.00", "0.00",
    ]  # fmt: skip
    middle = rows[ledger.payouts["middle"]]
    assert middle[2] == '\'=王, "小妹"'  # text Excel would run as a formula is defused
    assert (middle[4], middle[11]) == ("村1", "有争议")
    assert middle[12]  # when it was disputed
    last = rows[ledger.payouts["last"]]
    assert (last[1], last[7], last[8], last[9], last[10], last[11], last[12], last[13], last[14]) == (
        "2026-11-30", "3", "123.45", "银行转账", "'-REF 88", "已付款", "", "123.45", "0.00",
    )  # fmt: skip


async def test_the_xlsx_file_has_numbers_dates_a_frozen_header_and_no_formulas(
    client: httpx.AsyncClient, ledger: Ledger
) -> None:
    response = await export(client, ledger.brand.coordinator, PERIOD + "&format=xlsx")

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["content-disposition"] == 'attachment; filename="payouts-2026-11-01-2026-11-30.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.active
    assert sheet is not None
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].value == "付款编号"
    assert sheet["A1"].font.bold
    assert sheet.column_dimensions["F"].width >= 14  # the title: 7 Chinese characters
    rows = list(sheet.iter_rows(min_row=2))
    assert [row[0].value for row in rows] == [ledger.payouts["first"], ledger.payouts["middle"], ledger.payouts["last"]]
    last = rows[2]
    assert isinstance(last[1].value, dt.datetime)  # a date cell
    assert last[1].value.date() == dt.date(2026, 11, 30)
    assert last[1].number_format == "yyyy-mm-dd"
    assert (last[7].value, last[8].value, last[8].number_format) == (3, 123.45, "0.00")
    assert isinstance(last[8].value, float)
    assert rows[0][8].value == 225
    assert (rows[1][2].value, rows[1][2].data_type) == ('=王, "小妹"', "s")  # text, never a formula
    assert (last[10].value, last[11].value, last[12].value) == ("-REF 88", "已付款", None)
    confirmed = await stored(ledger.payouts["first"])
    assert abs(rows[0][12].value - china(confirmed["confirmed_at"])) < dt.timedelta(seconds=1)


async def test_headers_and_words_are_in_the_callers_language(client: httpx.AsyncClient, ledger: Ledger) -> None:
    english = await support.person(ledger.brand.id, Role.ADMIN, locale="en")

    rows = read_csv(await export(client, english))

    assert rows[0][:3] == ["Payout", "Recorded on", "Artisan"]
    assert rows[0][8] == "Amount (yuan)"
    assert [row[11] for row in rows[1:]] == ["confirmed", "disputed", "paid"]
    assert rows[1][9] == "WeChat Pay"


async def test_the_dispute_time_comes_from_the_audit_trail(client: httpx.AsyncClient, ledger: Ledger) -> None:
    rows = {int(row[0]): row for row in read_csv(await export(client, ledger.brand.coordinator))[1:]}
    events = await AuditEvent.select(AuditEvent.created_at).where(
        (AuditEvent.entity == "payout")
        & (AuditEvent.entity_id == ledger.payouts["middle"])
        & (AuditEvent.action == "dispute")
    )

    assert rows[ledger.payouts["middle"]][12] == china(events[0]["created_at"]).strftime("%Y-%m-%d %H:%M")


async def test_another_brands_coordinator_gets_only_their_own_payouts(
    client: httpx.AsyncClient, ledger: Ledger
) -> None:
    rows = read_csv(await export(client, ledger.other.coordinator))

    assert [int(row[0]) for row in rows[1:]] == [ledger.other_payout]


async def test_a_period_without_payouts_gives_the_header_alone(client: httpx.AsyncClient, ledger: Ledger) -> None:
    rows = read_csv(await export(client, ledger.brand.coordinator, "from=2020-01-01&to=2020-01-31"))

    assert len(rows) == 1


@pytest.mark.parametrize(("role", "status"), [("admin", 200), ("coordinator", 200), ("leader", 403), ("artisan", 403)])
async def test_only_the_brands_staff_export(client: httpx.AsyncClient, ledger: Ledger, role: str, status: int) -> None:
    brand = ledger.brand
    who = brand.coordinator if role == "coordinator" else await support.person(brand.id, Role(role), brand.villages[0])

    response = await export(client, who)

    if status == 200:
        assert response.status_code == 200
    else:
        refused(response, status, "forbidden")


@pytest.mark.parametrize(
    ("query", "status", "fields"),
    [
        pytest.param("from=2026-11-30&to=2026-11-01", 422, {"from": "after_to"}, id="from after to"),
        pytest.param("from=2025-01-01&to=2026-01-02", 422, {"to": "too_long"}, id="367 days"),
        pytest.param("from=2025-01-01&to=2026-01-01", 200, None, id="366 days"),
        pytest.param("from=2026-02-30&to=2026-03-01", 422, {"from": "invalid_date"}, id="no such day"),
        pytest.param("from=2026/11/01&to=2026-11-30", 422, {"from": "invalid_date"}, id="slashes"),
        pytest.param("from=20261101&to=2026-11-30", 422, {"from": "invalid_date"}, id="no dashes"),
        pytest.param("from=2026-11-01&to=2026-11-30&format=xls", 400, None, id="unknown format"),
        pytest.param("from=2026-11-01", 400, None, id="no end"),
        pytest.param("from=2026-11-01-01&to=2026-11-30", 400, None, id="too long a value"),
    ],
)
async def test_periods_are_checked_and_bad_ones_refused_with_words(
    client: httpx.AsyncClient, ledger: Ledger, query: str, status: int, fields: dict[str, str] | None
) -> None:
    response = await export(client, ledger.brand.coordinator, query)

    if status == 200:
        assert response.status_code == 200, response.text
        return
    body = refused(response, status)
    if fields is not None:
        assert body["fields"] == fields


async def test_a_leap_year_is_not_too_long(client: httpx.AsyncClient, ledger: Ledger) -> None:
    response = await export(client, ledger.brand.coordinator, "from=2028-01-01&to=2028-12-31")

    assert response.status_code == 200
