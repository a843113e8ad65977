"""What a villager's SMS reply means, read generously and never guessed.

A reply is normalised (NFKC: full-width １ is 1, ？ is ?; lower case; a few traditional
characters as simplified), cut into tokens (an item code such as K7 or Q1, numbers, Latin
words, Chinese), and the Chinese cut into the words of the vocabulary below, longest first,
spaces inside a word ignored (接 单). It is understood only when, fillers aside (嗯, 了, 的,
谢谢…), its words are known phrases (Chinese, English or pinyin) that all say the same (好好,
收到收到, 好的接), with at most a number of pieces and its measure word on either side (接10个,
十五个完成), or, asking for an advance, a number of yuan (预支500元, 预支五百块). Anything else,
however close (好吗, 不好, 接不接, 没做完, 预支-500, 预支0), is ``Intent.UNKNOWN``, answered with
help, never a guess. What "yes" means (accept the offer, confirm the payout) is
for the conversation to decide. One reply carries free text: 退出 (leave) and the name of a
brand, which the conversation matches against the brands she works with, exactly.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

import msgspec

from backend.sms.numerals import NUMERAL_CHARACTERS, chinese_number

MAX_QUANTITY = 1_000_000


class Intent(StrEnum):
    YES = "yes"  # accept an offer, confirm a payout, agree to work with a brand
    NO = "no"  # decline an offer, dispute a payout, decline a brand's invitation
    SHORT = "short"  # materials handed out are short (缺料): answers a kit only, never declines an offer
    DONE = "done"  # finished pieces, with a quantity
    ADVANCE = "advance"  # ask for an advance on work in hand (预支): an amount in yuan, or the most she may
    PRICE_LOW = "price_low"  # the piece rate is too low (价低), perhaps with the yuan she would take a piece
    HELP = "help"
    STOP = "stop"  # opt out of SMS
    START = "start"  # opt back in
    CHINESE = "chinese"
    ENGLISH = "english"
    LEAVE = "leave"  # stop working with a brand, named in the reply (退出 王家)
    PUBLIC = "public"  # choose, one question at a time, what buyers may see of her (公开)
    PRIVATE = "private"  # buyers see nothing of her, at once (不公开)
    CALLS = "calls"  # she takes calls from now on (电话: a question left unanswered is followed by one)
    NO_CALLS = "no_calls"  # no more calls (不要电话)
    UNKNOWN = "unknown"


class Reply(msgspec.Struct, frozen=True):
    intent: Intent
    code: str | None = None  # the item's code (K7, Q1) when the reply names one
    quantity: int | None = None  # pieces (an offer's yes, done)
    yuan: int | None = None  # whole yuan: an advance (预支 500), a price a piece she would take (价低 30)
    name: str | None = None  # the brand a LEAVE names, as typed (NFKC), if it names one


def _saying(intent: Intent, *phrases: str) -> dict[str, Intent]:
    return dict.fromkeys(phrases, intent)


PHRASES: dict[str, Intent] = {
    # accept an offer, confirm a payout
    **_saying(Intent.YES, "接", "接单", "好", "好的", "可以", "是", "行", "要", "收到", "已收到", "收到了", "同意"),
    **_saying(Intent.YES, "y", "yes", "ok", "okay", "jie", "jiedan", "hao", "haode", "keyi", "shi", "shoudao"),
    **_saying(Intent.YES, "agree", "tongyi"),
    # decline an offer, dispute a payout, decline an invitation
    **_saying(Intent.NO, "不", "不接", "不接单", "不要", "不用", "不做", "接不了", "做不了", "拒绝", "不行", "不同意"),
    **_saying(Intent.NO, "没收到", "未收到", "没有收到", "还没收到", "还没有收到", "还未收到"),
    **_saying(Intent.SHORT, "缺料", "缺", "少了", "不够", "quele", "short", "missing"),
    **_saying(Intent.NO, "n", "no", "bu", "bujie", "buyao", "jujue", "meishoudao", "decline", "butongyi"),
    # finished pieces
    **_saying(Intent.DONE, "完成", "完成了", "做好", "做好了", "做完", "做完了", "done", "wancheng", "zuohao"),
    # an advance on work in hand
    **_saying(Intent.ADVANCE, "预支", "预付", "预支工钱", "advance", "yuzhi"),
    # the piece rate is too low ("价低 30": she would take 30 yuan a piece)
    **_saying(Intent.PRICE_LOW, "价低", "价格低", "价太低", "价格太低", "太便宜", "价钱低", "价钱太低"),
    **_saying(Intent.PRICE_LOW, "price", "low", "jiadi", "taipianyi"),
    # help, opting out and back in, language
    **_saying(Intent.HELP, "帮助", "菜单", "help", "menu", "bangzhu"),
    **_saying(Intent.STOP, "退订", "t", "td", "stop", "unsubscribe", "tuiding"),
    **_saying(Intent.START, "订阅", "start", "subscribe", "dingyue"),
    **_saying(Intent.CHINESE, "中文", "汉语", "chinese", "zhongwen"),
    **_saying(Intent.ENGLISH, "en", "english", "英文", "英语"),
    # what buyers may see of her: choose item by item, or nothing at all
    **_saying(Intent.PUBLIC, "公开", "public", "gongkai"),
    **_saying(Intent.PRIVATE, "不公开", "private", "bugongkai", "隐藏", "hide"),
    # calls after an SMS question left unanswered (for those who read little), or no more
    **_saying(Intent.CALLS, "电话", "打电话", "接电话", "要电话", "来电话", "calls", "dianhua", "dadianhua"),
    **_saying(Intent.NO_CALLS, "不要电话", "不接电话", "别打电话", "不要打电话", "不打电话", "nocalls"),
    **_saying(Intent.NO_CALLS, "budadianhua", "buyaodianhua"),
    # leaving a brand: the word, then the brand's name (read by ``LEAVING``)
    **_saying(Intent.LEAVE, "退出", "tuichu", "leave"),
}
# Said around an answer and meaning nothing alone: interjections, sentence-final particles
# (好的呀, 可以的, 接了), thanks and please (请打电话), "I" (我接5条) and "only" (只接5个: 只 after a number is a
# measure word, 5只). A question (吗, ?) or a negation is none.
FILLERS = frozenset(
    {
        *"嗯恩哦噢喔啊呀哎诶欸额呃那我只",
        *"了啦吧嘛呢哈的咯喽",
        *("谢谢", "多谢", "感谢", "谢了", "谢啦", "谢谢你", "谢谢您"),
        *("thanks", "thx", "please", "pls", "请"),
    }
)
# What softens a refusal (不好意思不接, 这次不接了, 算了不做了): with a no only; with any other
# answer the reply is not read.
SOFTENERS = frozenset({"不好意思", "抱歉", "对不起", "算了", "这次", "这回", "暂时", "先"})
# Measure words of a number of pieces (接10个, 15件完成); none of pairs (双, 对), which may be
# two pieces each.
MEASURES = frozenset({*"个件条只张块套片顶把幅枚份床匹", "pieces", "piece", "pcs", "pc"})
# What counts yuan (预支500元, 价低30块): with an advance or a price only, as 块 is (500块 is money
# there, never pieces).
MONEY_UNITS = frozenset({"元", "块钱", "元钱", "yuan", "rmb"})
EITHER = "块"
# A bare digit is a menu choice.
DIGITS = {"0": Intent.HELP, "1": Intent.YES, "2": Intent.NO}
# Only these take a number: of pieces ("接 10": accept ten; "完成 15": fifteen are done), of yuan
# ("预支 500": an advance of 500), or of yuan a piece ("价低 30").
QUANTIFIED = frozenset({Intent.YES, Intent.DONE, Intent.ADVANCE, Intent.PRICE_LOW})
MONEY = frozenset({Intent.ADVANCE, Intent.PRICE_LOW})  # their number is yuan (Reply.yuan)
# A minus sign on a number (预支-500): never read as the number without it.
NEGATIVE = re.compile(r"(?<![0-9a-z])[-\u2212\u2013\ufe63](?=[0-9\u3007零一二两三四五六七八九十百千万])")
# Traditional forms people type (Taiwanese or Hong Kong phones, old habits).
TRADITIONAL = str.maketrans("單絕沒幫訂閱漢語們這個兩條隻張塊萬謝還價錢", "单绝没帮订阅汉语们这个两条只张块万谢还价钱")
# Item codes: K and a job's number (K7; its payout too), Q and an invitation's (Q1).
CODE = re.compile(r"[kq]\d{1,6}")
# 退出 and a brand's name, with or without a space ("退出王家", "退出 王家手作", "leave Li"); the
# Latin words only as whole words ("leaves" is not "leave s"). Not 退订 (opting out of SMS).
LEAVING = re.compile(r"^[\W_]*(?:退出|(?:tuichu|leave)(?![^\W_]))[\W_]*(.*?)[\W_]*$", re.IGNORECASE | re.DOTALL)
TOKENS = re.compile(r"[kq]\d{1,6}(?!\d)|\d+|[a-z]+|[\u3007\u3400-\u9fff]+|\?")
CHINESE = re.compile(r"[\u3007\u3400-\u9fff]+")
# Every Chinese word a reply may hold, longest first: the one place it is cut from.
WORDS = sorted(
    {w for w in (*PHRASES, *FILLERS, *SOFTENERS, *MEASURES, *MONEY_UNITS) if CHINESE.fullmatch(w)},
    key=len,
    reverse=True,
)
MAX_WORDS = 20  # no real answer is longer; a longer reply is a message for a person


class _Said(msgspec.Struct, kw_only=True):
    """The words of a reply, sorted: what it says, the number it gives, what it names."""

    phrases: list[str] = []
    numbers: list[str] = []  # each as decimal digits; a Chinese numeral converted
    # Each number that may be a menu choice: digits as typed, no measure word after them.
    choices: list[bool] = []
    codes: list[str] = []
    money: bool = False  # a number counted in yuan (500元)
    pieces: bool = False  # a number counted in pieces (10个; not 块, which may be either)
    softened: bool = False
    asks: bool = False  # a bare "?"


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower().translate(TRADITIONAL)


def parse(text: str) -> Reply:
    """The intent of one SMS reply, with the item code and quantity (or the brand) it names."""
    leaving = LEAVING.match(unicodedata.normalize("NFKC", text))
    if leaving:
        return Reply(Intent.LEAVE, name=leaving.group(1) or None)
    normal = normalise(text)
    words = _words(normal) if not NEGATIVE.search(normal) else None
    said = _sort(words) if words is not None else None
    if said is None or len(said.codes) > 1 or len(said.numbers) > 2 or any(len(n) > 7 for n in said.numbers):
        return Reply(Intent.UNKNOWN)
    code = said.codes[0] if said.codes else None
    intent, rest = _meaning(said)
    if intent is None or (said.softened and intent not in (Intent.NO, Intent.SHORT)):
        return Reply(Intent.UNKNOWN)
    if len(rest) > 1 or (rest and intent not in QUANTIFIED):
        return Reply(Intent.UNKNOWN)
    quantity = int(rest[0]) if rest else None
    if quantity is not None and not 0 < quantity <= MAX_QUANTITY:
        return Reply(Intent.UNKNOWN)
    if quantity is not None and code is not None and code[0] == "Q":
        return Reply(Intent.UNKNOWN)  # an invitation is answered yes or no, never with pieces
    if intent in MONEY:  # yuan, never pieces
        return Reply(Intent.UNKNOWN) if said.pieces else Reply(intent, code, yuan=quantity)
    if said.money:
        return Reply(Intent.UNKNOWN)  # 接10元: pieces are no money
    return Reply(intent, code, quantity)


def _meaning(said: _Said) -> tuple[Intent | None, list[str]]:
    """What the sorted words say, and the numbers left for a quantity."""
    if said.asks:
        return (Intent.HELP if not said.phrases else None), said.numbers
    if said.phrases:
        # One answer, said once, repeated or in other words (好好, 好的接); 不好, 接不接 are two.
        intents = {PHRASES[phrase] for phrase in said.phrases}
        return (intents.pop() if len(intents) == 1 else None), said.numbers
    if said.numbers and said.numbers[0] in DIGITS and said.choices[0]:  # "1", "1 10", "K7 2"
        return DIGITS[said.numbers[0]], said.numbers[1:]
    return None, []


def _words(text: str) -> list[str] | None:
    """The words of a normalised reply, Chinese cut into the vocabulary's; None if one is not,
    or if there are more than an answer holds."""
    pieces: list[str] = []
    end = 0
    for match in TOKENS.finditer(text):
        token = match.group()
        # A space inside a word is no gap (接 单, 没 收 到); punctuation is (不，接 is two answers).
        if pieces and _is_chinese(token) and _is_chinese(pieces[-1]) and text[end : match.start()].isspace():
            pieces[-1] += token
        else:
            pieces.append(token)
        end = match.end()
    words: list[str] = []
    for piece in pieces:
        cut = _cut(piece) if _is_chinese(piece) else [piece]
        if cut is None:
            return None
        words += cut
    return words if len(words) <= MAX_WORDS else None


def _is_chinese(token: str) -> bool:
    return CHINESE.fullmatch(token) is not None


def _cut(run: str) -> list[str] | None:
    """Chinese cut into words of the vocabulary, longest first, and numerals."""
    words: list[str] = []
    at = 0
    while at < len(run) and len(words) <= MAX_WORDS:
        if run[at] in NUMERAL_CHARACTERS:
            end = at + 1
            while end < len(run) and run[end] in NUMERAL_CHARACTERS:
                end += 1
            if chinese_number(run[at:end]) is None:
                return None  # 一五: 15, or 1 and 5?
            words.append(run[at:end])
            at = end
            continue
        word = next((w for w in WORDS if run.startswith(w, at)), None)
        if word is None:
            return None
        words.append(word)
        at += len(word)
    return words if at == len(run) else None


def _sort(words: list[str]) -> _Said | None:
    """The words sorted by what they are; None when one is unknown, or a measure word counts
    no number. Chinese numerals are well formed (``_cut``)."""
    said = _Said()
    for index, word in enumerate(words):
        if CODE.fullmatch(word):
            said.codes.append(word.upper())
        elif (number := _value(word)) is not None:
            said.numbers.append(number)
            counted = index + 1 < len(words) and words[index + 1] in MEASURES | MONEY_UNITS
            said.choices.append(word.isdigit() and not counted)
        elif word in MEASURES or word in MONEY_UNITS:
            counts = bool(index and _value(words[index - 1]))
            if not counts and word not in FILLERS:
                return None
            said.money |= counts and word in MONEY_UNITS
            said.pieces |= counts and word in MEASURES and word != EITHER
        elif word in PHRASES:
            said.phrases.append(word)
        elif word in SOFTENERS:
            said.softened = True
        elif word == "?":
            said.asks = True
        elif word not in FILLERS:
            return None
    return said


def _value(word: str) -> str | None:
    """A number's decimal digits: as typed, or a Chinese numeral's value; None for a word."""
    if word.isdigit():
        return word
    number = chinese_number(word)
    return None if number is None else str(number)
