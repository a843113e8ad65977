"""The SMS flows of sms_flows/ are valid, and each rule of their validation catches its mistake."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from backend.sms import actions, vocabulary
from backend.sms.flows import check, flow_files, flows

BROKEN = Path(__file__).parent / "broken_flows"


def _expectation(path: Path) -> str:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), f"{path.name} must say what it breaks"
    return first.removeprefix("# expect: ")


def _with(broken: Path) -> list[Path]:
    """The shipped flows, with the broken file in place of the flow of the same id."""
    try:
        flow_id = tomllib.loads(broken.read_text(encoding="utf-8")).get("id")
    except tomllib.TOMLDecodeError:
        flow_id = None
    shipped = [path for path in flow_files() if tomllib.loads(path.read_text(encoding="utf-8"))["id"] != flow_id]
    return [*shipped, broken]


def test_the_shipped_flows_are_valid() -> None:
    assert check() == []
    assert set(flows().by_id) == {"offer", "payout", "progress", "help", "opt_out", "language"}


@pytest.mark.parametrize("broken", sorted(BROKEN.glob("*.toml")), ids=lambda path: path.stem)
def test_each_broken_flow_is_refused_with_its_place_and_reason(broken: Path) -> None:
    problems = check(_with(broken))
    expected = _expectation(broken)
    assert any(expected in problem for problem in problems), "\n".join(problems)


def test_every_action_the_vocabulary_names_is_carried_out_and_no_other() -> None:
    assert set(actions.RUN) == set(vocabulary.ACTIONS)


def test_every_reply_that_may_start_a_flow_starts_one() -> None:
    assert set(flows().starters) == vocabulary.STARTERS
