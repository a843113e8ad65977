"""The SMS conversations as data (``sms_flows/<flow>.toml``), decoded and validated.

A flow is about one kind of item (a job, a payout, or none) and is entered in one of two
ways: Cunjiang sends its ``entry`` step, an ``ask``, about an item (an offer, a payment),
and the villager's yes or no goes where that step's ``replies`` point; or a villager's
reply starts it (``starts_on``: "完成 15", "退订", "0", something not understood). A step
``act``s (one action of ``backend.sms.vocabulary``, then its message, or the message its
refusal maps to), ``say``s a message, or ``ask``s again. An ``act`` may go on to an ``ask``
of its flow (``then``): its message is that step's question, and the next yes or no goes
where that step's ``replies`` point (公开 asks her name, then her village, then her photo).

Files are decoded with msgspec (structure), then checked for meaning, every problem with
its file, line and step (goflow's approach): known steps, actions, items, states and
messages; every refusal of an action answered; every variable of a message filled in
where it is sent; every step reachable; every way into a conversation handled once.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path

import msgspec

from backend.messages import templates
from backend.messages.prompts import MAX_KEYS, REPEAT_KEY, VOICE_FILE, prompts
from backend.messages.prompts import check as check_prompts
from backend.outbox.questions import QUESTIONS, VARIANTS
from backend.sms.actions import ACTIONS
from backend.sms.vocabulary import (
    ANSWERS,
    CONDITION_VALUES,
    ITEM_STATUSES,
    ITEM_VALUES,
    STARTERS,
    ItemKind,
)

FLOWS_DIR = templates.MESSAGES_FILE.parent
SPEC_VERSION = 1


class Voice(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """How a call asks the same: the spoken ``prompt`` (``sms_flows/voice.toml``) and its menu,
    each key pressed → the answer it gives (``yes``, ``no``); 9 repeats the prompt."""

    prompt: str
    keys: dict[str, str]


class Ask(msgspec.Struct, tag_field="type", tag="ask", forbid_unknown_fields=True, frozen=True):
    """Send ``message`` about the item and wait: yes or no goes to ``replies``; a call speaks
    ``voice`` and a key pressed goes where its answer's reply points."""

    id: str
    message: str
    replies: dict[str, str]
    voice: Voice | None = None


class Act(msgspec.Struct, tag_field="type", tag="act", forbid_unknown_fields=True, frozen=True):
    """Carry out ``action``; then send ``message``, or the message its refusal maps to. With
    ``then``, the message asks that ask step's question, which the next answer answers."""

    id: str
    action: str
    message: str
    refusals: dict[str, str] = {}
    then: str | None = None


class Say(msgspec.Struct, tag_field="type", tag="say", forbid_unknown_fields=True, frozen=True):
    id: str
    message: str


Step = Ask | Act | Say


class Flow(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    spec_version: int
    id: str
    item: ItemKind
    steps: list[Step]
    entry: str | None = None
    statuses: list[str] = []
    starts_on: dict[str, str] = {}

    def step(self, step_id: str) -> Step:
        return next(step for step in self.steps if step.id == step_id)


class Flows(msgspec.Struct, frozen=True):
    """Every flow, and which flow and step each starter leads to."""

    by_id: dict[str, Flow]
    starters: dict[str, tuple[str, str]]

    def entry(self, flow_id: str) -> Ask:
        flow = self.by_id[flow_id]
        step = flow.step(flow.entry or "")
        if not isinstance(step, Ask):
            raise TypeError(f"flow {flow_id!r} does not ask")
        return step

    def answering(self, kind: ItemKind, status: str) -> Flow | None:
        """The flow that asks about an item of this kind in this state, if any."""
        return next(
            (f for f in self.by_id.values() if f.item == kind and status in f.statuses and f.entry is not None),
            None,
        )


class FlowError(Exception):
    """The flows cannot run: every problem found, one per line."""


def flow_files(directory: Path = FLOWS_DIR) -> list[Path]:
    data = {templates.MESSAGES_FILE.name, VOICE_FILE.name}
    return sorted(path for path in directory.glob("*.toml") if path.name not in data)


@cache
def flows() -> Flows:
    """The flows of ``sms_flows/``; raises FlowError when they do not pass :func:`check`."""
    problems = check()
    if problems:
        raise FlowError("\n".join(problems))
    return _assemble([_decode(path) for path in flow_files()])


def _decode(path: Path) -> Flow:
    return msgspec.toml.decode(path.read_bytes(), type=Flow)


def _assemble(found: Iterable[Flow]) -> Flows:
    by_id = {flow.id: flow for flow in found}
    starters = {key: (flow.id, step) for flow in by_id.values() for key, step in flow.starts_on.items()}
    return Flows(by_id=by_id, starters=starters)


def check(paths: Sequence[Path] | None = None) -> list[str]:
    """Every problem of the flow files (default: all of ``sms_flows/``) and of the messages
    they send, each with its file, line and step."""
    problems = list(templates.check())
    known = templates.messages() if not problems else {}
    voice_problems = check_prompts()
    problems += voice_problems
    spoken = prompts() if not voice_problems else {}
    decoded: list[tuple[Path, Flow]] = []
    for path in paths if paths is not None else flow_files():
        try:
            decoded.append((path, _decode(path)))
        except (OSError, msgspec.ValidationError, msgspec.DecodeError, tomllib.TOMLDecodeError) as error:
            problems.append(f"{path.name}: {error}")
    for path, flow in decoded:
        problems += [_where(path, flow, step, text) for step, text in _flow_problems(flow, known)]
        problems += [_where(path, flow, step, text) for step, text in _voice_problems(flow, spoken)]
    problems += _set_problems(decoded)
    return problems


def _where(path: Path, flow: Flow, step_id: str | None, problem: str) -> str:
    """``offer.toml:18: flow 'offer': step 'accept': …`` (the line of the step's id)."""
    line = _line_of(path, step_id)
    place = f"{path.name}:{line}" if line else path.name
    step = f" step '{step_id}':" if step_id else ""
    return f"{place}: flow '{flow.id}':{step} {problem}"


def _line_of(path: Path, step_id: str | None) -> int | None:
    if step_id is None:
        return None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.replace(" ", "") in (f'id="{step_id}"', f"id='{step_id}'"):
            return number
    return None


Problem = tuple[str | None, str]  # (step id or None for the flow, what is wrong)


def _flow_problems(flow: Flow, known: dict[str, templates.Message]) -> list[Problem]:
    problems: list[Problem] = []
    if flow.spec_version != SPEC_VERSION:
        problems.append((None, f"spec_version {flow.spec_version} is not {SPEC_VERSION}"))
    ids = [step.id for step in flow.steps]
    problems += [(step_id, "two steps have this id") for step_id in sorted({i for i in ids if ids.count(i) > 1})]
    steps = {step.id: step for step in flow.steps}
    problems += _entry_problems(flow, steps)
    for key, target in flow.starts_on.items():
        if key not in STARTERS:
            problems.append((None, f"starts_on {key!r} is not one of {sorted(STARTERS)}"))
        if target not in steps:
            problems.append((None, f"starts_on {key!r} leads to {target!r}, which is not a step"))
    problems += [
        (None, f"status {s!r} is not a state of a {flow.item}")
        for s in flow.statuses
        if s not in ITEM_STATUSES[flow.item]
    ]
    for step in flow.steps:
        problems += [(step.id, text) for text in _step_problems(flow, step, steps, known)]
    reached = _reachable(flow, steps)
    problems += [(step.id, "no way leads to this step") for step in flow.steps if step.id not in reached]
    return problems


def _entry_problems(flow: Flow, steps: dict[str, Step]) -> list[Problem]:
    if flow.entry is None:
        return [] if flow.starts_on else [(None, "neither an entry nor starts_on: nothing can start it")]
    if flow.entry not in steps:
        return [(None, f"entry {flow.entry!r} is not a step")]
    if not isinstance(steps[flow.entry], Ask):
        return [(flow.entry, "the entry step must ask")]
    if flow.item == ItemKind.NONE or not flow.statuses:
        return [(None, "a flow that asks needs an item and the statuses it asks about")]
    return []


def _step_problems(flow: Flow, step: Step, steps: dict[str, Step], known: dict[str, templates.Message]) -> list[str]:
    problems: list[str] = []
    given = set(ITEM_VALUES[flow.item]) | _condition_values(flow, step.id)
    if isinstance(step, Ask):
        for answer, target in step.replies.items():
            if answer not in ANSWERS:
                problems.append(f"reply {answer!r} is not one of {sorted(ANSWERS)}")
            if target not in steps:
                problems.append(f"reply {answer!r} leads to {target!r}, which is not a step")
    if isinstance(step, Act):
        spec = ACTIONS.get(step.action)
        if spec is None:
            return [f"action {step.action!r} is not one of {sorted(ACTIONS)}"]
        if spec.item is not None and spec.item != flow.item:
            problems.append(f"action {step.action!r} needs a {spec.item}, the flow is about a {flow.item}")
        problems += [
            f"refusal {r!r} is not one that {step.action!r} makes" for r in step.refusals if r not in spec.refusals
        ]
        problems += [
            f"refusal {r!r} of {step.action!r} has no message" for r in spec.refusals if r not in step.refusals
        ]
        for refusal, message in step.refusals.items():
            problems += _message_problems(
                message, given | spec.refusals.get(refusal, set()), known, f"refusal {refusal!r}"
            )
        given |= spec.provides
        problems += _then_problems(step, steps)
    problems += _message_problems(step.message, given, known, "message")
    return problems


KEYS = frozenset("0123456789*#")


def _voice_problems(flow: Flow, spoken: dict[str, templates.Message]) -> list[Problem]:
    """Every ask step speaks a known prompt, filled in by its item, with a menu of keys that
    give the step's own answers, at most ``MAX_KEYS`` keys with the repeat key."""
    problems: list[Problem] = []
    for step in flow.steps:
        if not isinstance(step, Ask):
            continue
        if step.voice is None:
            problems.append((step.id, "no voice prompt: a call cannot ask it (voice.prompt and voice.keys)"))
            continue
        problems += [(step.id, text) for text in _menu_problems(step, step.voice)]
        if not spoken:
            continue  # the prompts file itself is broken: reported already
        prompt = spoken.get(step.voice.prompt)
        if prompt is None:
            problems.append((step.id, f"voice prompt {step.voice.prompt!r} is not in {VOICE_FILE.name}"))
        elif missing := sorted(set(prompt.variables) - set(ITEM_VALUES[flow.item])):
            problems.append((step.id, f"voice prompt {step.voice.prompt!r} needs {missing}, which the item lacks"))
    return problems


def _menu_problems(step: Ask, voice: Voice) -> list[str]:
    problems = [f"voice key {key!r} is not one key of the phone (0-9, * or #)" for key in voice.keys if key not in KEYS]
    if REPEAT_KEY in voice.keys:
        problems.append(f"voice key {REPEAT_KEY!r} repeats the prompt: it cannot answer")
    problems += [
        f"voice key {key!r} gives {answer!r}, which is not one of this step's replies {sorted(step.replies)}"
        for key, answer in voice.keys.items()
        if answer not in step.replies
    ]
    if len(voice.keys | {REPEAT_KEY: ""}) > MAX_KEYS:
        problems.append(f"the voice menu has {len(voice.keys | {REPEAT_KEY: ''})} keys with repeat; at most {MAX_KEYS}")
    return problems


def _then_problems(step: Act, steps: dict[str, Step]) -> list[str]:
    if step.then is None:
        return []
    asked = steps.get(step.then)
    if not isinstance(asked, Ask):
        return [f"then {step.then!r} is not an ask step of this flow"]
    if asked.message != step.message:
        return [f"then {step.then!r} asks with {asked.message!r}, but this step sends {step.message!r}"]
    return []


def _condition_values(flow: Flow, step_id: str) -> set[str]:
    """What the conditions leading to this step fill in (only what all of them do)."""
    ways = [CONDITION_VALUES.get(key) for key, target in flow.starts_on.items() if target == step_id]
    if not ways or any(values is None for values in ways):
        return set()
    return set.intersection(*(set(values or ()) for values in ways))


def _message_problems(key: str, given: set[str], known: dict[str, templates.Message], what: str) -> list[str]:
    if not known:
        return []  # the messages file itself is broken: reported already
    message = known.get(key)
    if message is None:
        return [f"{what} {key!r} is not in {templates.MESSAGES_FILE.name}"]
    missing = sorted(set(message.variables) - given)
    return [f"{what} {key!r} needs {missing}, which nothing fills in here"] if missing else []


def _reachable(flow: Flow, steps: dict[str, Step]) -> set[str]:
    todo = [*([flow.entry] if flow.entry else []), *flow.starts_on.values()]
    reached: set[str] = set()
    while todo:
        step_id = todo.pop()
        if step_id in reached or step_id not in steps:
            continue
        reached.add(step_id)
        step = steps[step_id]
        if isinstance(step, Ask):
            todo += step.replies.values()
        if isinstance(step, Act) and step.then:
            todo.append(step.then)
    return reached


def _set_problems(decoded: list[tuple[Path, Flow]]) -> list[str]:
    """Rules across files: one flow per id, one flow per starter, nothing left unhandled."""
    problems: list[str] = []
    owner: dict[str, str] = {}
    for path, flow in decoded:
        if flow.id in {f.id for p, f in decoded if p != path}:
            problems.append(f"{path.name}: flow '{flow.id}': another file has the same id")
        for key in flow.starts_on:
            if key in owner and owner[key] != flow.id:
                problems.append(f"{path.name}: flow '{flow.id}': starts_on {key!r} already starts flow '{owner[key]}'")
            owner.setdefault(key, flow.id)
    problems += [f"no flow starts on {key!r}" for key in sorted(STARTERS - owner.keys())]
    ids = {flow.id: flow for _, flow in decoded}
    for flow_id, message in QUESTIONS.items():
        if flow_id not in ids:
            problems.append(f"no flow '{flow_id}' (Cunjiang starts it by name)")
        elif (entry := ids[flow_id].entry) is None or entry not in {step.id for step in ids[flow_id].steps}:
            problems.append(f"flow '{flow_id}' has no entry step to ask with")
        elif (asked := ids[flow_id].step(entry).message) != message:
            problems.append(f"flow '{flow_id}': its entry step asks with {asked!r}, Cunjiang sends {message!r}")
    return problems + _variant_problems()


def _variant_problems() -> list[str]:
    """A variant of a question is a message of a flow Cunjiang asks with, merged like it."""
    known, problems = templates.messages(), []
    for variant, flow_id in VARIANTS.items():
        if flow_id not in QUESTIONS or variant not in known:
            problems.append(f"question variant {variant!r}: no flow question {flow_id!r} or no such message")
        elif known[variant].merges_into != known[QUESTIONS[flow_id]].merges_into:
            problems.append(f"question variant {variant!r}: merges unlike {QUESTIONS[flow_id]!r}")
    return problems
