"""Replies as villagers really type them (issue 26): each with what it must be read as.

Spaces inside a word, a word said twice, fillers and a final 的, thanks and softeners around a
no, a number of pieces with its measure word on either side, Chinese numerals; and the replies
that must still get help, because reading them would be a guess.
"""

from __future__ import annotations

from typing import NamedTuple

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.sms.replies import Intent, Reply, parse


class Typed(NamedTuple):
    text: str  # as she typed it
    intent: Intent
    quantity: int | None = None
    code: str | None = None


CORPUS = [
    # a space inside a word, a word said twice
    Typed("接 单", Intent.YES),
    Typed("收 到", Intent.YES),
    Typed("没 收 到", Intent.NO),
    Typed("好好", Intent.YES),
    Typed("接接", Intent.YES),
    Typed("收到收到", Intent.YES),
    Typed("好的好的", Intent.YES),
    Typed("好的，好的！", Intent.YES),
    # interjections and fillers before or after, a final 的
    Typed("嗯，好的", Intent.YES),
    Typed("哦 接", Intent.YES),
    Typed("嗯嗯 收到了", Intent.YES),
    Typed("好吧", Intent.YES),
    Typed("可以的", Intent.YES),
    Typed("是的", Intent.YES),
    Typed("收到的", Intent.YES),
    Typed("啊可以啊", Intent.YES),
    Typed("收到了，谢谢", Intent.YES),
    Typed("ok thanks", Intent.YES),
    # polite refusals
    Typed("不接了谢谢", Intent.NO),
    Typed("谢谢不用了", Intent.NO),
    Typed("这次不接了", Intent.NO),
    Typed("不好意思不接", Intent.NO),
    Typed("算了不做了", Intent.NO),
    Typed("接不了", Intent.NO),
    Typed("不要了", Intent.NO),
    Typed("no thanks", Intent.NO),
    # part of an offer: a number and its measure word, on either side
    Typed("接10个", Intent.YES, 10),
    Typed("10个接", Intent.YES, 10),
    Typed("接十个", Intent.YES, 10),
    Typed("要8件", Intent.YES, 8),
    Typed("我接5条", Intent.YES, 5),
    Typed("5 pieces ok", Intent.YES, 5),
    Typed("好的，接两个吧", Intent.YES, 2),
    Typed("K3 接 二十 件", Intent.YES, 20, "K3"),
    Typed("只接5个", Intent.YES, 5),
    Typed("只要三件", Intent.YES, 3),
    # finished pieces
    Typed("完成了15个", Intent.DONE, 15),
    Typed("15个完成", Intent.DONE, 15),
    Typed("做好15件了", Intent.DONE, 15),
    Typed("做完了十五个", Intent.DONE, 15),
    Typed("done 15 pieces", Intent.DONE, 15),
    Typed("只完成了5只", Intent.DONE, 5),
    # the payment did not come
    Typed("还没收到呢", Intent.NO),
    Typed("还没有收到", Intent.NO),
    Typed("只收到200", Intent.YES, 200),  # a number with a payment's answer: the conversation asks which one
    # still help: a question, a negation, or nothing to act on
    Typed("收到了吗", Intent.UNKNOWN),
    Typed("好吗?", Intent.UNKNOWN),
    Typed("好不", Intent.UNKNOWN),
    Typed("不好", Intent.UNKNOWN),
    Typed("接不接", Intent.UNKNOWN),
    Typed("没做完", Intent.UNKNOWN),
    Typed("多少钱一个", Intent.UNKNOWN),
    Typed("什么时候交货", Intent.UNKNOWN),
    Typed("嗯", Intent.UNKNOWN),
    Typed("谢谢", Intent.UNKNOWN),
    Typed("225", Intent.UNKNOWN),
    Typed("10个", Intent.UNKNOWN),
    Typed("这次接", Intent.UNKNOWN),  # softeners go with a no only
]


@pytest.mark.parametrize("typed", CORPUS, ids=[typed.text for typed in CORPUS])
def test_replies_as_villagers_type_them_are_read(typed: Typed) -> None:
    expected = (
        Reply(typed.intent, typed.code, typed.quantity) if typed.intent != Intent.UNKNOWN else Reply(Intent.UNKNOWN)
    )
    assert parse(typed.text) == expected


READ = sorted(typed.text for typed in CORPUS if typed.intent != Intent.UNKNOWN)
SAYS_YES = sorted(typed.text for typed in CORPUS if typed.intent in (Intent.YES, Intent.DONE))


@given(st.sampled_from(READ), st.sampled_from(["苹果", "明天", "weather", "多少钱", "吗", "?"]), st.booleans())
def test_an_unknown_word_with_any_of_them_makes_it_a_question(text: str, extra: str, first: bool) -> None:
    """However generously read, a word we do not know, a 吗 or a ? is not passed over."""
    assert parse(f"{extra} {text}" if first else f"{text} {extra}").intent == Intent.UNKNOWN


@given(st.sampled_from(SAYS_YES), st.booleans())
def test_a_no_with_any_yes_of_them_is_no_answer(text: str, first: bool) -> None:
    """好的，不接 / 接10个 不: a yes and a no together are a question, not either."""
    assert parse(f"不，{text}" if first else f"{text}，不").intent == Intent.UNKNOWN


@given(st.sampled_from(READ))
def test_full_width_and_traditional_forms_read_the_same(text: str) -> None:
    wide = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text).replace(" ", "\u3000")
    traditional = wide.translate(str.maketrans("没单个两条还谢这", "沒單個兩條還謝這"))
    assert parse(traditional) == parse(text)
