"""The SMS flows of sms_flows/ are valid, and each rule of their validation catches its mistake."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from backend.sms import actions, vocabulary
from backend.sms.flows import Act, Ask, check, flow_files, flows
from backend.sms.replies import parse

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
    assert set(flows().by_id) == {
        "offer", "payout", "invitation", "progress", "leave", "help", "opt_out", "language", "consent", "story",
        "calls", "advance", "advance_paid", "price", "kit",
    }  # fmt: skip


@pytest.mark.parametrize("broken", sorted(BROKEN.glob("*.toml")), ids=lambda path: path.stem)
def test_each_broken_flow_is_refused_with_its_place_and_reason(broken: Path) -> None:
    problems = check(_with(broken))
    expected = _expectation(broken)
    assert any(expected in problem for problem in problems), "\n".join(problems)


def _acts_reached_by(reply: str) -> set[str]:
    """The actions a reply leads to: the step a starter starts, or the answer to each ask (a
    question Cunjiang starts a flow with, or one a flow asks on its way)."""
    everything, intent = flows(), parse(reply).intent.value
    if intent in vocabulary.ANSWERS:
        targets = [
            (flow, flow.step(step.replies[intent]))
            for flow in everything.by_id.values()
            for step in flow.steps
            if isinstance(step, Ask) and intent in step.replies
        ]
    else:
        flow_id, step_id = everything.starters[intent]
        targets = [(everything.by_id[flow_id], everything.by_id[flow_id].step(step_id))]
    return {step.action for _flow, step in targets if isinstance(step, Act)}


@pytest.mark.parametrize("name", sorted(actions.ACTIONS))
def test_each_actions_example_reply_leads_to_it(name: str) -> None:
    assert name in _acts_reached_by(actions.ACTIONS[name].example)


def test_every_action_is_used_by_a_shipped_flow() -> None:
    used = {step.action for flow in flows().by_id.values() for step in flow.steps if isinstance(step, Act)}
    assert used == set(actions.ACTIONS)


def test_every_reply_that_may_start_a_flow_starts_one() -> None:
    assert set(flows().starters) == vocabulary.STARTERS
