"""Villagers' SMS replies: every form in the contract understood, nothing else guessed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.sms.numerals import NUMERAL_CHARACTERS
from backend.sms.replies import CHINESE, FILLERS, MEASURES, PHRASES, SOFTENERS, Intent, Reply, normalise, parse
from tests.unit.sms.test_numerals import written

# CONTRACT.md, "SMS replies (what villagers may type)", and the forms around them.
UNDERSTOOD = {
    **dict.fromkeys(
        ["1", "１", "接", "接单", "接單", "好", "好的呀", "可以", "是", "y", "yes", "Yes", "OK", "jie"],
        Reply(Intent.YES),
    ),
    "接 10": Reply(Intent.YES, quantity=10),
    "1 10": Reply(Intent.YES, quantity=10),
    "接１０件": Reply(Intent.YES, quantity=10),  # a measure word counts the number before it
    **dict.fromkeys(["2", "不", "不接", "拒绝", "拒絕", "n", "no", "NO", "bu"], Reply(Intent.NO)),
    "K7 1": Reply(Intent.YES, code="K7"),
    **dict.fromkeys(["同意", "同意了", "agree", "tongyi"], Reply(Intent.YES)),
    **dict.fromkeys(["不同意", "decline", "butongyi"], Reply(Intent.NO)),
    # Materials short answer a kit only: never a no that would decline an offer.
    **dict.fromkeys(["缺料", "少了", "不够", "short", "missing", "不好意思缺料"], Reply(Intent.SHORT)),
    "K7 缺料": Reply(Intent.SHORT, code="K7"),
    "Q1 1": Reply(Intent.YES, code="Q1"),
    "同意 q12": Reply(Intent.YES, code="Q12"),
    "Ｑ３，２": Reply(Intent.NO, code="Q3"),
    "y1": Reply(Intent.YES, quantity=1),  # yes to one piece: Y is no code letter
    "1 k7": Reply(Intent.YES, code="K7"),
    "k12 接 5": Reply(Intent.YES, code="K12", quantity=5),
    "接单ok": Reply(Intent.YES),  # two words that both say yes
    "不 接": Reply(Intent.NO),  # a space inside a word: 不接
    "Ｋ７，２": Reply(Intent.NO, code="K7"),
    **dict.fromkeys(["收到", "已收到", "收到了"], Reply(Intent.YES)),
    **dict.fromkeys(["没收到", "未收到", "沒收到"], Reply(Intent.NO)),
    **dict.fromkeys(["公开", "公开。", "Public", "gongkai", "公 开"], Reply(Intent.PUBLIC)),
    **dict.fromkeys(["不公开", "不 公开", "private", "HIDE", "隐藏", "bugongkai"], Reply(Intent.PRIVATE)),
    "完成 15": Reply(Intent.DONE, quantity=15),
    "做好了15": Reply(Intent.DONE, quantity=15),
    "done 15": Reply(Intent.DONE, quantity=15),
    "完成": Reply(Intent.DONE),
    **dict.fromkeys(
        ["价低", "价格低", "價格低", "太便宜", "太便宜了", "价太低了", "PRICE LOW", "jiadi"], Reply(Intent.PRICE_LOW)
    ),
    "价低 30": Reply(Intent.PRICE_LOW, yuan=30),
    "价低三十": Reply(Intent.PRICE_LOW, yuan=30),
    "价低30元": Reply(Intent.PRICE_LOW, yuan=30),
    "价低 30块": Reply(Intent.PRICE_LOW, yuan=30),
    "low 30": Reply(Intent.PRICE_LOW, yuan=30),
    "K7 价低 30": Reply(Intent.PRICE_LOW, code="K7", yuan=30),
    "价格太低，30": Reply(Intent.PRICE_LOW, yuan=30),
    "价低 30个": Reply(Intent.UNKNOWN),
    **dict.fromkeys(["0", "?", "？", "帮助", "help", "HELP!"], Reply(Intent.HELP)),
    **dict.fromkeys(["退订", "退訂", "T", "TD", "stop", "STOP."], Reply(Intent.STOP)),
    **dict.fromkeys(["订阅", "訂閱", "start"], Reply(Intent.START)),
    **dict.fromkeys(["预支", "预付", "advance", "yuzhi"], Reply(Intent.ADVANCE)),
    "K7 预支": Reply(Intent.ADVANCE, code="K7"),
    # An advance of an amount in yuan: digits or a Chinese numeral, with 元 (块, 块钱, yuan) or not.
    **dict.fromkeys(
        ["预支 500", "advance 500", "预支500元", "预支五百块", "预支 ￥500", "500元预支"],
        Reply(Intent.ADVANCE, yuan=500),
    ),
    "预支 K7 500": Reply(Intent.ADVANCE, code="K7", yuan=500),
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
    "接单不",  # yes and no: a question, not an answer
    "不，接",  # a space inside a word is no gap, a comma is: two answers
    "好，不接",
    "预支 0",  # an advance of nothing, of less than nothing, of pieces, of a fraction: help, never a guess
    "预支 -500",
    "预支−500元",
    "预支500个",
    "预支 1.5",
    "预支 1,000",
    "预支 Q1 500",
    "接10元",  # pieces are no money
    "完成 15 元",
    "500元",
    "接-5",
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


# Issue 26: fillers, softeners, numbers of pieces. What they may add, and what they may not.
ANSWER_PHRASES = sorted(phrase for phrase, intent in PHRASES.items() if intent != Intent.LEAVE)
CHINESE_PHRASES = [phrase for phrase in ANSWER_PHRASES if CHINESE.fullmatch(phrase)]
SAID = st.sampled_from(sorted(FILLERS))
GAPS = st.sampled_from([" ", "，", "！", "。", "\u3000"])


@given(st.sampled_from(ANSWER_PHRASES), st.lists(SAID, max_size=3), st.lists(SAID, max_size=3), GAPS)
def test_fillers_around_any_phrase_keep_its_meaning(phrase: str, before: list[str], after: list[str], gap: str) -> None:
    assert parse(gap.join([*before, phrase, *after])) == Reply(PHRASES[phrase])


@given(st.sampled_from(CHINESE_PHRASES), st.lists(SAID.filter(CHINESE.fullmatch), max_size=2), st.integers(1, 3))
def test_fillers_and_repetition_run_together_keep_its_meaning(phrase: str, fillers: list[str], times: int) -> None:
    """好的好的, 嗯收到了谢谢: written without a gap, cut into its words all the same."""
    assert parse("".join([*fillers, phrase * times, *reversed(fillers)])) == Reply(PHRASES[phrase])


@given(st.lists(st.sampled_from(sorted(FILLERS | SOFTENERS | MEASURES)), min_size=1, max_size=4), GAPS)
def test_fillers_softeners_and_measure_words_alone_have_no_intent(words: list[str], gap: str) -> None:
    assert parse(gap.join(words)).intent == Intent.UNKNOWN


@given(st.sampled_from(sorted(SOFTENERS)), st.sampled_from(ANSWER_PHRASES), GAPS)
def test_softeners_go_with_a_no_only(softener: str, phrase: str, gap: str) -> None:
    """不好意思不接 declines, 不好意思缺料 says materials are short; 不好意思接 is not read (what
    would it be sorry for?)."""
    expected = PHRASES[phrase] if PHRASES[phrase] in (Intent.NO, Intent.SHORT) else Intent.UNKNOWN
    assert parse(f"{softener}{gap}{phrase}").intent == expected


QUANTIFIED_PHRASES = sorted(phrase for phrase in ANSWER_PHRASES if PHRASES[phrase] in (Intent.YES, Intent.DONE))


@given(
    st.sampled_from(QUANTIFIED_PHRASES),
    st.integers(1, 1_000_000),
    st.sampled_from(sorted(MEASURES)),
    st.booleans(),
    st.booleans(),
)
def test_a_number_of_pieces_on_either_side_is_the_quantity(
    phrase: str, quantity: int, measure: str, in_chinese: bool, first: bool
) -> None:
    """接10个, 10个接, 接十个, 5 pieces ok, 完成了十五个, 15个完成."""
    pieces = f"{written(quantity) if in_chinese else quantity} {measure}"
    text = f"{pieces} {phrase}" if first else f"{phrase} {pieces}"
    assert parse(text) == Reply(PHRASES[phrase], quantity=quantity)


@given(
    st.integers(1, 99_999_999),
    st.sampled_from(["", *sorted(MEASURES)]),
    st.booleans(),
    st.lists(SAID, max_size=2),
)
def test_a_number_alone_is_no_answer(number: int, measure: str, in_chinese: bool, fillers: list[str]) -> None:
    """225, 两百二十五, 10个: a payment's amount or a count without a word is not a yes (only
    a bare 1, 2 or 0 typed as digits is a menu choice)."""
    if not (measure or in_chinese) and number <= 2:
        number += 2
    said = written(number) if in_chinese else str(number)
    assert parse(" ".join([*fillers, f"{said}{measure}"])).intent == Intent.UNKNOWN


@given(st.sampled_from([p for p in CHINESE_PHRASES if PHRASES[p] in (Intent.YES, Intent.DONE)]))
def test_a_yes_or_done_asked_or_denied_is_not_read_as_one(phrase: str) -> None:
    """好吗, 收到了吗, 接不接, 好不好: questions. 不好, 没做完, 还没完成: not a yes, not done."""
    intent = PHRASES[phrase]
    for question in (f"{phrase}吗", f"{phrase}了吗", f"{phrase}?", f"{phrase}不{phrase}", f"{phrase}不"):
        assert parse(question).intent == Intent.UNKNOWN, question
    for denied in (f"不{phrase}", f"没{phrase}", f"还没{phrase}", f"没有{phrase}"):
        assert parse(denied).intent not in (intent, Intent.YES, Intent.DONE), denied


DECLINES = ["不要", "接不了", "做不了", "不接了", "不用了谢谢", "算了不做了", "还没收到呢"]


@pytest.mark.parametrize("text", DECLINES)
def test_refusals_and_disputes_in_other_words_are_a_no(text: str) -> None:
    assert parse(text) == Reply(Intent.NO)


def test_no_word_of_the_vocabulary_holds_a_numeral() -> None:
    """Numerals are cut out first: a word holding one (一下) could never be read."""
    assert not [word for word in (*PHRASES, *FILLERS, *SOFTENERS, *MEASURES) if set(word) & NUMERAL_CHARACTERS]


ADVANCE_PHRASES = sorted(phrase for phrase in ANSWER_PHRASES if PHRASES[phrase] == Intent.ADVANCE)


@given(
    st.sampled_from(ADVANCE_PHRASES),
    st.integers(1, 1_000_000),
    st.sampled_from(["", " ", "元", " 元", "块", "块钱", " yuan"]),
    st.booleans(),
    st.booleans(),
)
def test_a_number_of_yuan_on_either_side_of_an_advance_is_its_amount(
    phrase: str, yuan: int, unit: str, in_chinese: bool, first: bool
) -> None:
    """预支500, 预支五百元, 500块预支, advance 500 yuan."""
    amount = f"{written(yuan) if in_chinese else yuan}{unit}"
    text = f"{amount} {phrase}" if first else f"{phrase} {amount}"
    assert parse(text) == Reply(Intent.ADVANCE, yuan=yuan)


@given(st.sampled_from(ADVANCE_PHRASES), st.integers(0, 1_000_000), st.sampled_from(sorted(MEASURES - {"块", "只"})))
def test_an_advance_of_pieces_nothing_or_less_is_not_read(phrase: str, number: int, measure: str) -> None:
    for text in (f"{phrase} {number}{measure}", f"{phrase} -{number}", f"{phrase} 0", f"{phrase} {number}.5"):
        assert parse(text).intent == Intent.UNKNOWN, text


@given(st.sampled_from(QUANTIFIED_PHRASES), st.integers(1, 1_000_000), st.sampled_from(["元", "块钱", "yuan"]))
def test_a_yes_or_done_counted_in_yuan_is_not_read(phrase: str, number: int, unit: str) -> None:
    assert parse(f"{phrase} {number}{unit}").intent == Intent.UNKNOWN
