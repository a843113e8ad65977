"""Importing artisans from a spreadsheet: CSV in the encodings Excel writes, XLSX, every bad cell
reported with its row and column, in the caller's language."""

from __future__ import annotations

import httpx
import pytest

from backend.core.types import Role
from tests import support
from tests.integration.accounts.files import (
    API,
    CHINESE_HEADER,
    ENGLISH_HEADER,
    artisans_of,
    csv_file,
    local,
    rows_of,
    send,
    xlsx_file,
)
from tests.support import ok, refused


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


async def test_a_phone_of_the_brands_own_people_is_taken(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    mine = await support.artisan(brand)
    data = csv_file(
        [
            CHINESE_HEADER,
            ["新人", support.new_phone(), "村0", "", "", ""],
            ["重复", local(mine.phone), "村0", "", "", ""],
            ["协调员", brand.coordinator.phone, "村0", "", "", ""],
        ]
    )

    body = refused(await send(client, brand.coordinator, data), 422, "import_invalid")

    assert rows_of(body) == [(3, "phone", "phone_taken"), (4, "phone", "phone_taken")]
    assert set(await artisans_of(brand)) == {mine.phone}


async def test_someone_of_another_brand_is_invited_and_the_report_does_not_say_whose(
    client: httpx.AsyncClient,
) -> None:
    brand, other = await support.brand(), await support.brand()
    theirs = await support.artisan(other)
    new = support.new_phone()
    data = csv_file([CHINESE_HEADER, ["新人", new, "村0", "", "", ""], ["别家", theirs.phone, "村0", "刺绣", "", ""]])

    body = await ok(await send(client, brand.coordinator, data), 201)

    assert (body["rows"], body["imported"], body["invited"]) == (2, 1, 1)
    assert other.slug not in str(body)
    assert set(await artisans_of(brand)) == {new}  # she is not the brand's until she says yes
    [invitation] = (await ok(await client.get(f"{API}/invitations", headers=brand.coordinator.auth)))["invitations"]
    assert (invitation["name"], invitation["status"], invitation["crafts"]) == ("别家", "pending", ["embroidery"])


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


async def test_odd_cells_are_problems_of_their_row_never_a_server_error(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    data = csv_file(
        [
            ["姓名", "手机", "村"],
            ["甲", support.new_phone(), "9" * 5000],  # no int() of thousands of digits
            ["乙", "1" * 300, f"{brand.villages[0]}".translate(str.maketrans("0123456789", "０１２３４５６７８９"))],
            ["丙\x07", support.new_phone(), "村0", "多出来的"],
        ]
    )

    body = refused(await send(client, brand.coordinator, data), 422, "import_invalid")

    assert rows_of(body) == [
        (2, "village", "unknown_village"),
        (3, "phone", "invalid_phone"),  # the full-width village id is understood
        (4, "name", "invalid"),
        (4, "D", "no_header"),
    ]


async def test_a_takes_calls_column_says_who_is_followed_by_a_call(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    caller, reader, wrong = support.new_phone(), support.new_phone(), support.new_phone()
    header = [*CHINESE_HEADER, "接电话"]
    good = csv_file(
        [
            header,
            ["龙阿妹", local(caller), "村0", "刺绣", "是", "", "是"],
            ["吴秀", local(reader), "村0", "刺绣", "否", "", ""],
        ]
    )
    bad = csv_file([header, ["杨梅", local(wrong), "村0", "刺绣", "否", "", "也许"]])

    await ok(await send(client, brand.coordinator, good), 201)
    refusal = refused(await send(client, brand.coordinator, bad), 422, "import_invalid")

    stored = await artisans_of(brand)
    assert (stored[caller]["takes_calls"], stored[reader]["takes_calls"]) == (True, False)
    assert rows_of(refusal) == [(2, "takes_calls", "invalid_yes_no")]


async def test_a_voice_language_column_takes_the_languages_the_brand_recorded_in(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    recorded = await client.put(
        "/api/v1/voice/recordings/hmn/offer_call", json={"aliyun_code": "offer-hmn.wav"}, headers=brand.coordinator.auth
    )
    assert recorded.status_code == 200, recorded.text
    miao, reader, dong = support.new_phone(), support.new_phone(), support.new_phone()
    header = [*CHINESE_HEADER, "通话语言"]
    good = csv_file(
        [
            header,
            ["龙阿妹", local(miao), "村0", "刺绣", "是", "", "hmn"],
            ["吴秀", local(reader), "村0", "刺绣", "否", "", ""],
        ]
    )
    bad = csv_file([header, ["杨梅", local(dong), "村0", "刺绣", "否", "", "doc"]])  # no Dong recordings

    await ok(await send(client, brand.coordinator, good), 201)
    refusal = refused(await send(client, brand.coordinator, bad), 422, "import_invalid")

    stored = await artisans_of(brand)
    assert (stored[miao]["voice_language"], stored[reader]["voice_language"]) == ("hmn", None)
    assert rows_of(refusal) == [(2, "voice_language", "unknown_voice_language")]
