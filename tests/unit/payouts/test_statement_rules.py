"""The statement's small rules: which months it reads, how a transfer reference is shown."""

from __future__ import annotations

import datetime as dt

import pytest

from backend.core.errors import Invalid
from backend.payouts.statement import mask_reference, parse_month


@pytest.mark.parametrize(
    ("text", "first"),
    [("2026-11", dt.date(2026, 11, 1)), ("2026-01", dt.date(2026, 1, 1)), ("2999-12", dt.date(2999, 12, 1))],
)
def test_a_month_is_read_as_its_first_day(text: str, first: dt.date) -> None:
    assert parse_month(text) == first


@pytest.mark.parametrize(
    "text", ["2026-13", "2026-00", "2026-1", "2026/11", "２０２６-11", "2026-11\n", "", "0000-01", "9999-12", "1969-12"]
)
def test_a_malformed_month_names_the_field(text: str) -> None:
    with pytest.raises(Invalid) as refused:
        parse_month(text)
    assert refused.value.fields == {"month": "invalid_month"}


@pytest.mark.parametrize(
    ("reference", "shown"),
    [("6222020200112233", "****2233"), ("WX-1", "****"), ("12345", "****2345"), ("", "")],
)
def test_a_reference_shows_its_last_four_characters_only(reference: str, shown: str) -> None:
    assert mask_reference(reference) == shown
