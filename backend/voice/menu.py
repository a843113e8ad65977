"""A call's menu, read from the keys pressed in order: an answering key answers; the repeat key
hears the prompt again; a key outside the menu repeats the prompt once, and a second one ends
the call without an answer. Never a guess."""

from __future__ import annotations

from backend.messages.prompts import REPEAT_KEY

WRONG_KEYS_ALLOWED = 1


def answer_of(keys: str, menu: dict[str, str]) -> str | None:
    """The answer (``yes``, ``no``) the keys give through ``menu`` (key → answer), or None."""
    wrong = 0
    for key in keys:
        if key in menu:
            return menu[key]
        if key == REPEAT_KEY:
            continue
        wrong += 1
        if wrong > WRONG_KEYS_ALLOWED:
            return None
    return None


def ended(keys: str, menu: dict[str, str], most: int) -> bool:
    """Whether the keys end the call without an answer: a second key outside the menu, or
    ``most`` keys pressed (the repeat key, again and again)."""
    return answer_of(keys, menu) is None and (
        len(keys) >= most or sum(key not in menu and key != REPEAT_KEY for key in keys) > WRONG_KEYS_ALLOWED
    )
