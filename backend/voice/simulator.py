"""The console's call view, beside the SMS simulator: staff see the calls due or placed to the
villager whose phone they simulate (the prompt as it would be spoken to her, in her language),
and press keys for her on a keypad.

Only while both gateways are the console's (a real voice gateway rings real phones). The keys
take the path of a provider's report (``backend.voice.reports``, provider ``console``): stored
once per call, then carried out by ``backend.voice.answers`` as any key pressed in a call,
read by ``backend.voice.menu`` as Twilio's and Aliyun's are. The SMS simulator's rules hold:
what staff press is their act on their own brand's work, never hers (the audit trail names
them, on her behalf, on channel ``simulator``); another brand's calls do not exist here.
"""

from __future__ import annotations

from typing import Any

from backend.core.errors import Conflict, NotFound
from backend.core.i18n import N_
from backend.core.phones import normalize_phone
from backend.core.settings import get_settings
from backend.core.types import Principal, as_datetime
from backend.db.session import run
from backend.outbox.calls import CallStatus
from backend.sms.inbox import Typist
from backend.sms.simulator import is_ours, require_simulator
from backend.voice import reports
from backend.voice.answers import menu_of
from backend.voice.dispatch import prepared
from backend.voice.menu import answer_of, ended
from backend.voice.reports import Report, ReportKind
from backend.voice.schemas import PressedKeys, SimulatedCall, SimulatedCalls

PROVIDER = "console"
SHOWN = 20  # the latest calls to a number
MAX_KEYS = 32
OPEN = (CallStatus.QUEUED.value, CallStatus.CALLING.value)
COLUMNS = (
    "id, brand, to_phone, flow, item_id, status, key_pressed, attempts, due_at, called_at, outcome, locale, provider"
)
TO_NUMBER = f"SELECT {COLUMNS} FROM voice_call WHERE to_phone = {{}} AND brand = {{}} ORDER BY id DESC LIMIT {{}}"  # noqa: S608
ONE = f"SELECT {COLUMNS}, provider_call_id FROM voice_call WHERE id = {{}} AND brand = {{}}"  # noqa: S608


class CallViewOff(Conflict):
    code = "call_view_off"
    message = N_("The call view works with the console voice gateway only; a real one would ring real phones.")


class NotRinging(Conflict):
    code = "call_not_ringing"
    message = N_("This call is not ringing: it is not placed yet, or it is over.")


def _require_call_view(actor: Principal) -> None:
    require_simulator(actor)
    if get_settings().voice_provider != "console":
        raise CallViewOff()


async def calls(actor: Principal, raw_phone: str) -> SimulatedCalls:
    """The brand's latest calls to a number, newest first."""
    _require_call_view(actor)
    phone = normalize_phone(raw_phone)
    await is_ours(actor, phone)
    rows = await run(TO_NUMBER, phone, actor.brand_id, SHOWN)
    return SimulatedCalls(phone=phone, calls=[await _shown(row) for row in rows])


async def press(actor: Principal, call_id: int, data: PressedKeys) -> SimulatedCalls:
    """Keys pressed in a ringing call (all of them so far, in order): an answer is carried out
    once, as her answer to the call; the calls after it, and what the call says next."""
    _require_call_view(actor)
    rows = await run(ONE, call_id, actor.brand_id)
    if not rows:
        raise NotFound()
    row = rows[0]
    await is_ours(actor, row["to_phone"])
    keys, menu = data.keys[:MAX_KEYS], menu_of(row["flow"])
    repeated = row["key_pressed"] == keys  # the same keys again (a retried request): no second effect
    ringing = row["status"] == CallStatus.CALLING.value or repeated
    if not ringing or row["provider"] != PROVIDER or not row["provider_call_id"]:
        raise NotRinging()
    answer = answer_of(keys, menu)
    if answer is None and not ended(keys, menu, MAX_KEYS):
        call = await prepared(row)
        shown = await calls(actor, row["to_phone"])
        return SimulatedCalls(
            phone=shown.phone, calls=shown.calls, heard=call.words if call else "", ended=call is None
        )
    call = await prepared(row) if answer is not None else None  # what it says once answered, in her language
    typist = Typist(member_id=actor.member_id, brand_id=actor.brand_id)
    await _report(row, ReportKind.KEYS, keys, typist)
    if answer is None:  # a second key outside the menu: the call hangs up, unanswered
        await _report(row, ReportKind.END, "", typist)
    heard = call.answered_words if call is not None else ""
    shown = await calls(actor, row["to_phone"])
    return SimulatedCalls(phone=shown.phone, calls=shown.calls, heard=heard, ended=True)


async def _report(row: dict[str, Any], kind: ReportKind, keys: str, typist: Typist) -> None:
    """Stored once per call and kind, as a provider's report is, and carried out now."""
    report = Report(
        provider=PROVIDER,
        call_id=row["provider_call_id"],
        kind=kind,
        out_id=str(row["id"]),
        keys=keys,
        answered=True,
        typed_by=typist,
    )
    stored = await reports.receive(report)
    if stored is not None:
        await reports.apply(stored)


async def _shown(row: dict[str, Any]) -> SimulatedCall:
    call = await prepared(row) if row["status"] in OPEN else None
    return SimulatedCall(
        id=row["id"],
        status=row["status"],
        flow=row["flow"],
        words=call.words if call else "",
        language=row["locale"],
        keys_pressed=row["key_pressed"],
        attempts=row["attempts"],
        due_at=as_datetime(row["due_at"]),
        called_at=as_datetime(row["called_at"]) if row["called_at"] else None,
        outcome=row["outcome"],
    )
