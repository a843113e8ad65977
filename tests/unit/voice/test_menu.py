"""A call's keys, read in order: an answering key answers; 9 repeats; one key outside the menu
repeats the prompt, a second ends the call without an answer."""

from __future__ import annotations

import pytest

from backend.voice.menu import answer_of

MENU = {"1": "yes", "2": "no"}


@pytest.mark.parametrize(
    ("keys", "answer"),
    [
        ("1", "yes"),
        ("2", "no"),
        ("91", "yes"),  # heard it again, then took it
        ("9992", "no"),
        ("51", "yes"),  # a wrong key repeats the prompt once
        ("5#2", None),  # a second wrong key ends the call
        ("55", None),
        ("", None),  # a machine, or nobody pressed anything
        ("9", None),
        ("12", "yes"),  # the first answering key counts
    ],
)
def test_keys_give_an_answer_only_through_the_menu(keys: str, answer: str | None) -> None:
    assert answer_of(keys, MENU) == answer
