"""Villagers' SMS replies: every form in the contract understood, nothing else guessed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.sms.replies import PHRASES, Intent, Reply, normalise, parse

# CONTRACT.md, "SMS replies (what villagers may type)", and the forms around them.
UNDERSTOOD = {
    **dict.fromkeys(
        ["1", "１", "接", "接单", "接單", "好", "好的呀", "可以", "是", "y", "yes", "Yes", "OK", "jie"],
        Reply(Intent.YES),
    ),
    "接 10": Reply(Intent.YES, quantity=10),
    "1 10": Reply(Intent.YES, quantity=10),
    "接１０件": Reply(Intent.UNKNOWN),  # "件" is a second word: not guessed
    **dict.fromkeys(["2", "不", "不接", "拒绝", "拒絕", "n", "no", "NO", "bu"], Reply(Intent.NO)),
    "K7 1": Reply(Intent.YES, code="K7"),
    **dict.fromkeys(["同意", "同意了", "agree", "tongyi"], Reply(Intent.YES)),
    **dict.fromkeys(["不同意", "decline", "butongyi"], Reply(Intent.NO)),
    "Q1 1": Reply(Intent.YES, code="Q1"),
    "同意 q12": Reply(Intent.YES, code="Q12"),
    "Ｑ３，２": Reply(Intent.NO, code="Q3"),
    "y1": Reply(Intent.YES, quantity=1),  # yes to one piece: Y is no code letter
    "1 k7": Reply(Intent.YES, code="K7"),
    "k12 接 5": Reply(Intent.YES, code="K12", quantity=5),
    "Ｋ７，２": Reply(Intent.NO, code="K7"),
    **dict.fromkeys(["收到", "已收到", "收到了"], Reply(Intent.YES)),
    **dict.fromkeys(["没收到", "未收到", "沒收到"], Reply(Intent.NO)),
    "完成 15": Reply(Intent.DONE, quantity=15),
    "做好了15": Reply(Intent.DONE, quantity=15),
    "done 15": Reply(Intent.DONE, quantity=15),
    "完成": Reply(Intent.DONE),
    **dict.fromkeys(["0", "?", "？", "帮助", "help", "HELP!"], Reply(Intent.HELP)),
    **dict.fromkeys(["退订", "退訂", "T", "TD", "stop", "STOP."], Reply(Intent.STOP)),
    **dict.fromkeys(["订阅", "訂閱", "start"], Reply(Intent.START)),
    "中文": Reply(Intent.CHINESE),
    "EN": Reply(Intent.ENGLISH),
}

NOT_UNDERSTOOD = [
    "",
    "   ",
    "😀👍",
    "。。。",
    "hello world",
    "我不知道",  # contains 不, means nothing we may act on
    "不要问我",
    "好不好",
    "1 2 3",
    "10 1",
    "K7",
    "K7 K8 1",
    "Q1",
    "Q1 K7 1",  # two items named: which one?
    "Q1 1 5",  # an invitation takes no number (nor does any yes but to an offer, read later)
    "接 0",
    "接 99999999",
    "2 5",  # a decline takes no number
    "? 3",
    "接单ok",  # mixed scripts, two words
    "1" * 500,
    "接" * 500,
    "x" * 500,
]


# 退出 (leave) and a brand's name: the name as typed, matched by the conversation, never here.
LEAVING = {
    "退出王家": "王家",
    "退出 王家手作": "王家手作",
    "退出：王家！": "王家",
    "【退出】 李家 ": "李家",
    "leave Li Family": "Li Family",
    "LEAVE li": "li",
    "Ｌｅａｖｅ　ｌｉ": "li",
    "tuichu wangjia": "wangjia",
    "退出 K7": "K7",  # a code is no brand: the conversation lists hers
    "退出": None,
    "leave": None,
}
# Not leaving: opting out of SMS, or words that only look alike.
NOT_LEAVING = {
    "退订": Intent.STOP,
    "T": Intent.STOP,
    "stop": Intent.STOP,
    "leaves": Intent.UNKNOWN,
    "leaveli": Intent.UNKNOWN,
    "please leave li": Intent.UNKNOWN,
    "退 出 王家": Intent.UNKNOWN,
    "我要退出王家": Intent.UNKNOWN,  # not guessed: 退出 comes first
}


@pytest.mark.parametrize(("text", "name"), list(LEAVING.items()), ids=list(LEAVING))
def test_leaving_names_the_brand_as_typed(text: str, name: str | None) -> None:
    assert parse(text) == Reply(Intent.LEAVE, name=name)


@pytest.mark.parametrize(("text", "intent"), list(NOT_LEAVING.items()), ids=list(NOT_LEAVING))
def test_opting_out_and_lookalikes_are_not_leaving(text: str, intent: Intent) -> None:
    assert parse(text) == Reply(intent)


@pytest.mark.parametrize(("text", "expected"), list(UNDERSTOOD.items()), ids=list(UNDERSTOOD))
def test_every_form_villagers_type_is_understood(text: str, expected: Reply) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize("text", NOT_UNDERSTOOD, ids=[t[:20] or "empty" for t in NOT_UNDERSTOOD])
def test_what_cannot_be_understood_is_not_guessed(text: str) -> None:
    assert parse(text) == Reply(Intent.UNKNOWN)


@given(st.text(max_size=600))
def test_parsing_never_raises_and_always_answers(text: str) -> None:
    reply = parse(text)
    assert isinstance(reply.intent, Intent)
    assert reply.quantity is None or 0 < reply.quantity <= 1_000_000


VOCABULARY = set(PHRASES) | {"0", "1", "2", "?"}
VOCABULARY_CHARACTERS = {c for word in VOCABULARY for c in normalise(word)}
# Characters whose normal form shares nothing with any phrase (NFKC maps ㊀, ①… to digits).
NO_PHRASE = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)).filter(
        lambda c: not set(normalise(c)) & VOCABULARY_CHARACTERS
    ),
    max_size=200,
)


@given(NO_PHRASE)
def test_text_without_a_known_word_has_no_intent(text: str) -> None:
    """Built from characters that appear in no phrase (nor 0, 1, 2, ?): never an intent."""
    assert parse(text).intent == Intent.UNKNOWN


@given(st.sampled_from(sorted(UNDERSTOOD)), st.sampled_from(["苹果", "weather", "明天", "xyz"]))
def test_an_extra_word_turns_any_reply_into_a_question(reply: str, extra: str) -> None:
    assert parse(f"{reply} {extra}").intent == Intent.UNKNOWN


FULL_WIDTH = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}


@given(st.sampled_from(sorted(UNDERSTOOD)))
def test_full_width_forms_read_as_half_width(reply: str) -> None:
    wide = "".join(FULL_WIDTH.get(c, c) for c in reply).replace(" ", "\u3000")
    assert parse(wide) == parse(reply)
