"""Chinese numerals in a number of pieces: every well-formed one read, nothing else."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.sms.numerals import NUMERAL_CHARACTERS, chinese_number

READ = {
    "一": 1,
    "两": 2,
    "十": 10,
    "十五": 15,
    "一十五": 15,
    "二十": 20,
    "九十九": 99,
    "一百": 100,
    "两百": 200,
    "一百零五": 105,
    "一百一十": 110,
    "一百五": 150,  # said so: a last digit after 百 counts tens
    "三百五十": 350,
    "一千二": 1200,
    "一千零五": 1005,
    "一千零五十": 1050,
    "两千两百": 2200,
    "九千九百九十九": 9999,
    "一万": 10_000,
    "一万五": 15_000,
    "一万零五": 10_005,
    "一万零五百": 10_500,
    "十万": 100_000,
    "一百万": 1_000_000,
}
NOT_NUMBERS = [
    "",
    "零",
    "〇",
    "万",
    "一五",  # 15, or 1 and 5?
    "十十",
    "两十",
    "五百零",
    "一千五十",  # a unit skipped without 零
    "一千零五百",
    "一百零十",
    "零五",
    "一万万",
    "一万十",
    "万五",
    "五个",
    "5",
]


@pytest.mark.parametrize(("text", "value"), list(READ.items()), ids=list(READ))
def test_well_formed_numerals_are_read(text: str, value: int) -> None:
    assert chinese_number(text) == value


@pytest.mark.parametrize("text", NOT_NUMBERS, ids=[t or "empty" for t in NOT_NUMBERS])
def test_what_is_not_one_number_is_not_read(text: str) -> None:
    assert chinese_number(text) is None


DIGIT_WORDS = "零一二三四五六七八九"
UNIT_WORDS = {1000: "千", 100: "百", 10: "十", 1: ""}


def written(number: int, *, leading: bool = True) -> str:
    """The number as it is written in full (一万零五百, 十五), for 0 < number < 10⁸."""
    if number >= 10_000:
        high, low = divmod(number, 10_000)
        gap = "零" if 0 < low < 1000 else ""
        return written(high) + "万" + (gap + written(low, leading=False) if low else "")
    parts: list[str] = []
    skipped = False
    for unit, word in UNIT_WORDS.items():
        digit = number // unit % 10
        if digit == 0:
            skipped = skipped or bool(parts)
            continue
        parts += ["零"] if skipped else []
        skipped = False
        tens_alone = unit == 10 and digit == 1 and leading and not parts
        parts.append(("" if tens_alone else DIGIT_WORDS[digit]) + word)
    return "".join(parts)


@given(st.integers(min_value=1, max_value=99_999_999))
def test_every_number_written_in_full_reads_back(number: int) -> None:
    assert chinese_number(written(number)) == number


@given(st.text(alphabet=sorted(NUMERAL_CHARACTERS), max_size=12))
def test_any_string_of_numeral_characters_is_a_number_or_none(text: str) -> None:
    value = chinese_number(text)
    assert value is None or 0 < value < 100_000_000
