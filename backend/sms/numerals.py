"""Chinese numerals as villagers write a number of pieces (十五, 两百, 一百零五, 三百五), strictly.

Read by the rules of the written language, or not at all: ``None`` for anything that is not
one well-formed number (一五, 十十, 两十, 五百零), so that a reply is never read as a number
it might not mean. The one colloquial form taken is a last digit right after 百, 千 or 万,
which counts in the next unit down (一百五 is 150, 一万二 is 12000), as everyone says it.
"""

from __future__ import annotations

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000}
TEN_THOUSAND = "万"
NUMERAL_CHARACTERS = frozenset(DIGITS) | frozenset(UNITS) | {TEN_THOUSAND}


def chinese_number(text: str) -> int | None:
    """The value of one Chinese numeral below a hundred million, or None if it is none."""
    if not text or not set(text) <= NUMERAL_CHARACTERS:
        return None
    high, separated, low = text.partition(TEN_THOUSAND)
    if not separated:
        return _below_ten_thousand(text, above=None)
    top = _below_ten_thousand(high, above=None)
    if not top or TEN_THOUSAND in low:
        return None
    rest = _below_ten_thousand(low, above=10_000) if low else 0
    return None if rest is None else top * 10_000 + rest


def _below_ten_thousand(text: str, above: int | None) -> int | None:
    """A number below 10,000 written with 十, 百, 千 (``above``: the unit just before it, 万)."""
    total, digit, last_unit, after_zero = 0, None, above, False
    for index, character in enumerate(text):
        if character in UNITS:
            unit = UNITS[character]
            if digit is None and (index or above or unit != 10):
                return None  # a unit with no digit: only a leading 十 (十五)
            if character == "十" and text[index - 1 : index] == "两":
                return None  # 二十, never 两十
            if last_unit is not None and not _follows(unit, last_unit, after_zero):
                return None
            total += (1 if digit is None else digit) * unit
            digit, last_unit, after_zero = None, unit, False
        elif digit is not None:
            return None  # two digits in a row: 一五 may be 15 or 1 and 5
        elif DIGITS[character] == 0:
            if after_zero or last_unit is None or last_unit == 10 or index == len(text) - 1:
                return None  # 零 only marks a unit skipped, between two others
            digit, after_zero = None, True
        else:
            digit = DIGITS[character]
    if digit is None:
        return total if last_unit is not None and not after_zero and total else None
    # A last digit counts in the unit below the one before it (一百五), unless 零 came between.
    return total + digit * (1 if after_zero or last_unit is None else max(last_unit // 10, 1))


def _follows(unit: int, last_unit: int, after_zero: bool) -> bool:
    """Units come down one step at a time (一百五十), or skip after 零 (一千零五十)."""
    return unit < last_unit // 10 if after_zero else unit == last_unit // 10
