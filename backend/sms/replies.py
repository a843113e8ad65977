"""What a villager's SMS reply means, read generously and never guessed.

A reply is normalised (NFKC: full-width １ is 1, ？ is ?; lower case; a few traditional
characters as simplified), cut into tokens (an item code such as K7 or Q1, numbers, words), and
understood only when its words are one known phrase: Chinese, English or pinyin. Anything
else, however close, is ``Intent.UNKNOWN``, answered with help, never a guess. What "yes"
means (accept the offer, confirm the payout) is for the conversation to decide. One reply
carries free text: 退出 (leave) and the name of a brand, which the conversation matches
against the brands she works with, exactly.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

import msgspec

MAX_QUANTITY = 1_000_000


class Intent(StrEnum):
    YES = "yes"  # accept an offer, confirm a payout, agree to work with a brand
    NO = "no"  # decline an offer, dispute a payout, decline a brand's invitation
    DONE = "done"  # finished pieces, with a quantity
    HELP = "help"
    STOP = "stop"  # opt out of SMS
    START = "start"  # opt back in
    CHINESE = "chinese"
    ENGLISH = "english"
    LEAVE = "leave"  # stop working with a brand, named in the reply (退出 王家)
    UNKNOWN = "unknown"


class Reply(msgspec.Struct, frozen=True):
    intent: Intent
    code: str | None = None  # the item's code (K7, Q1) when the reply names one
    quantity: int | None = None
    name: str | None = None  # the brand a LEAVE names, as typed (NFKC), if it names one


def _saying(intent: Intent, *phrases: str) -> dict[str, Intent]:
    return dict.fromkeys(phrases, intent)


PHRASES: dict[str, Intent] = {
    # accept an offer, confirm a payout
    **_saying(Intent.YES, "接", "接单", "好", "好的", "可以", "是", "行", "要", "收到", "已收到", "收到了", "同意"),
    **_saying(Intent.YES, "y", "yes", "ok", "okay", "jie", "jiedan", "hao", "haode", "keyi", "shi", "shoudao"),
    **_saying(Intent.YES, "agree", "tongyi"),
    # decline an offer, dispute a payout, decline an invitation
    **_saying(Intent.NO, "不", "不接", "不要", "拒绝", "不行", "没收到", "未收到", "没有收到", "不同意"),
    **_saying(Intent.NO, "n", "no", "bu", "bujie", "buyao", "jujue", "meishoudao", "decline", "butongyi"),
    # finished pieces
    **_saying(Intent.DONE, "完成", "完成了", "做好", "做好了", "做完", "做完了", "done", "wancheng", "zuohao"),
    # help, opting out and back in, language
    **_saying(Intent.HELP, "帮助", "菜单", "help", "menu", "bangzhu"),
    **_saying(Intent.STOP, "退订", "t", "td", "stop", "unsubscribe", "tuiding"),
    **_saying(Intent.START, "订阅", "start", "subscribe", "dingyue"),
    **_saying(Intent.CHINESE, "中文", "汉语", "chinese", "zhongwen"),
    **_saying(Intent.ENGLISH, "en", "english", "英文", "英语"),
    # leaving a brand: the word, then the brand's name (read by ``_leaving``)
    **_saying(Intent.LEAVE, "退出", "tuichu", "leave"),
}
# Sentence-final particles people add ("好的呀", "接了"): a phrase with them is the phrase.
PARTICLES = "啦了吧呀啊哦嘛呢哈"
# A bare digit is a menu choice.
DIGITS = {"0": Intent.HELP, "1": Intent.YES, "2": Intent.NO}
# Only these take a number of pieces ("接 10": accept ten; "完成 15": fifteen are done).
QUANTIFIED = frozenset({Intent.YES, Intent.DONE})
# Traditional forms people type (Taiwanese or Hong Kong phones, old habits).
TRADITIONAL = str.maketrans("單絕沒幫訂閱漢語們這個", "单绝没帮订阅汉语们这个")
# Item codes: K and a job's number (K7; its payout too), Q and an invitation's (Q1).
CODE = re.compile(r"[kq]\d{1,6}")
# 退出 and a brand's name, with or without a space ("退出王家", "退出 王家手作", "leave Li"); the
# Latin words only as whole words ("leaves" is not "leave s"). Not 退订 (opting out of SMS).
LEAVING = re.compile(r"^[\W_]*(?:退出|(?:tuichu|leave)(?![^\W_]))[\W_]*(.*?)[\W_]*$", re.IGNORECASE | re.DOTALL)
TOKENS = re.compile(r"[kq]\d{1,6}(?!\d)|\d+|[a-z]+|[\u3400-\u9fff]+|\?")


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower().translate(TRADITIONAL)


def _phrase(word: str) -> Intent | None:
    return PHRASES.get(word) or PHRASES.get(word.rstrip(PARTICLES) or word)


def parse(text: str) -> Reply:
    """The intent of one SMS reply, with the item code and quantity (or the brand) it names."""
    leaving = LEAVING.match(unicodedata.normalize("NFKC", text))
    if leaving:
        return Reply(Intent.LEAVE, name=leaving.group(1) or None)
    tokens = TOKENS.findall(normalise(text))
    codes = [token.upper() for token in tokens if CODE.fullmatch(token)]
    numbers = [token for token in tokens if token.isdigit()]
    words = [token for token in tokens if not token.isdigit() and token.upper() not in codes]
    if len(codes) > 1 or len(numbers) > 2 or any(len(number) > 7 for number in numbers):
        return Reply(Intent.UNKNOWN)
    code = codes[0] if codes else None
    if not words and numbers and numbers[0] in DIGITS:  # "1", "1 10", "K7 2"
        intent, rest = DIGITS[numbers[0]], numbers[1:]
    elif words == ["?"]:
        intent, rest = Intent.HELP, numbers
    elif len(words) == 1 and (phrase := _phrase(words[0])) is not None:
        intent, rest = phrase, numbers
    else:
        return Reply(Intent.UNKNOWN)
    if len(rest) > 1 or (rest and intent not in QUANTIFIED):
        return Reply(Intent.UNKNOWN)
    quantity = int(rest[0]) if rest else None
    if quantity is not None and not 0 < quantity <= MAX_QUANTITY:
        return Reply(Intent.UNKNOWN)
    if quantity is not None and code is not None and code[0] == "Q":
        return Reply(Intent.UNKNOWN)  # an invitation is answered yes or no, never with pieces
    return Reply(intent, code, quantity)
