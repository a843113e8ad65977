"""SMS templates: rendered in the reader's language, registered by key, each within one segment."""

from __future__ import annotations

import datetime as dt
import tomllib

import pytest

from backend.messages.templates import (
    GSM7_BASIC,
    Kind,
    Message,
    Variable,
    check,
    messages,
    problems_of,
    registration_sheet,
    render,
    segment_problem,
)

OFFER = {"code": "K7", "quantity": 1200, "title": "苗绣蝴蝶纹围巾披肩大号", "price": 4500, "due": dt.date(2026, 12, 20)}


def test_every_message_fits_one_segment_in_every_language_with_the_longest_values() -> None:
    assert check() == []


def test_an_offer_is_written_for_the_reader_with_its_variables_kept_for_template_gateways() -> None:
    chinese, english = render("offer", "zh_Hans", **OFFER), render("offer", "en", **OFFER)

    assert chinese.body == "新任务K7：苗绣蝴蝶纹围巾披肩…，1,200件，每件¥45.00，12月20日前交货。回复1接单，回复2不接。"
    assert english.body == "Job K7: 1,200x 苗绣蝴蝶纹围巾披肩… @CN¥45.00 by Dec 20. Reply 1=yes 2=no"
    assert chinese.variables == {
        "code": "K7",
        "quantity": "1,200",
        "title": "苗绣蝴蝶纹围巾披肩…",
        "price": "¥45.00",
        "due": "12月20日",
    }
    assert (chinese.key, chinese.locale, english.locale) == ("offer", "zh_Hans", "en")


def test_rendering_refuses_missing_or_extra_variables() -> None:
    with pytest.raises(TypeError, match="takes"):
        render("offer", "en", code="K7")
    with pytest.raises(TypeError, match="takes"):
        render("otp", "en", code="123456", extra="x")


def test_the_registration_sheet_has_each_text_with_dollar_variables_and_an_empty_code_to_fill() -> None:
    sheet = tomllib.loads(registration_sheet())

    assert set(sheet) == set(messages())
    assert sheet["offer"]["en"]["text"] == "Job ${code}: ${quantity}x ${title} @${price} by ${due}. Reply 1=yes 2=no"
    assert "${code}" in sheet["otp"]["zh_Hans"]["text"]
    empties = [
        (key, locale, name)
        for key, by_locale in sheet.items()
        for locale, entry in by_locale.items()
        for name, value in entry.items()
        if value == ""
    ]
    assert empties == [(key, locale, "code") for key in sheet for locale in sheet[key]]


def test_segment_limits_are_160_gsm7_septets_or_70_ucs2_characters() -> None:
    assert len(GSM7_BASIC) == 128
    assert segment_problem("a" * 160) is None
    assert segment_problem("a" * 161) == "161 GSM-7 characters, over 160"
    assert segment_problem("€" * 81) == "162 GSM-7 characters, over 160"  # the extension table takes two
    assert segment_problem("蜡" * 70) is None
    assert segment_problem("a" * 70 + "蜡") == "71 characters in UCS-2, over 70"
    assert segment_problem("Batik…") is None  # "…" is not GSM-7: six UCS-2 characters


TEXT = Kind.TEXT


@pytest.mark.parametrize(
    ("message", "problem"),
    [
        pytest.param(
            Message(text="Hi {name}", variables={}),
            "the text names ['name'], the variables are []",
            id="a placeholder without a variable",
        ),
        pytest.param(
            Message(text="Hi", variables={"name": Variable(kind=TEXT, longest=["x"])}),
            "the text names [], the variables are ['name']",
            id="a variable the text does not use",
        ),
        pytest.param(
            Message(text="Hi {n}", variables={"n": Variable(kind=Kind.NUMBER, longest=["many"])}),
            "variable 'n' needs longest values of kind number",
            id="a longest value of the wrong kind",
        ),
        pytest.param(
            Message(text="Hi {name}", variables={"name": Variable(kind=TEXT, longest=["x" * 200])}),
            "over 160",
            id="over one segment",
        ),
        pytest.param(Message(text="See www.cunjiang.cn"), "a link", id="a link"),
        pytest.param(Message(text="Never translated"), "(zh_Hans): not translated", id="no translation"),
    ],
)
def test_check_names_the_key_language_and_what_is_wrong(message: Message, problem: str) -> None:
    problems = problems_of("broken", message)
    assert any(p.startswith("messages.toml: broken") and problem in p for p in problems), problems
