"""Twilio's voice webhooks, answered with TwiML: the prompt of a call spoken in her language
with a one-key menu; a key pressed read as ``backend.voice.menu`` reads keys (an answering key
is stored as a report, once per Twilio call, and applied through the same path as Aliyun's
``dtmf``; the repeat key, or one key outside the menu, speaks the prompt again; a second key
outside the menu ends the call); the status callback stored as the call's end (no answer, or a
machine's, is never a reply)."""

from __future__ import annotations

import msgspec

from backend.core.settings import get_settings
from backend.db.session import run
from backend.gateways.twilio_voice import GATHER_PATH, MAX_KEYS, Posted, address, hang_up, menu
from backend.voice import reports
from backend.voice.answers import menu_of
from backend.voice.dispatch import spoken, thanks_of
from backend.voice.menu import answer_of, ended
from backend.voice.reports import Report, ReportKind

PROVIDER = "twilio"


class Answered(msgspec.Struct, frozen=True):
    """The TwiML to answer with, and the report stored now (to apply just after), if any."""

    twiml: bytes
    report_id: int | None = None


async def _menu(call_id: int, keys: str) -> bytes:
    """The prompt, spoken again (or first), waiting for her key; a hang-up once the call is
    no longer wanted."""
    call = await spoken(call_id)
    if call is None:
        return hang_up()
    audio = call.recorded.prompt_audio if call.recorded else ""
    return menu(call.words, call.locale, address(get_settings().public_url, GATHER_PATH, call_id, keys), audio)


async def prompt(call_id: int, posted: Posted) -> bytes:
    """What Twilio speaks once the call is picked up: the prompt, or a hang-up for a machine."""
    return hang_up() if posted.machine else await _menu(call_id, "")


async def pressed(call_id: int, before: str, posted: Posted) -> Answered:
    """A key pressed (``before``: the keys pressed earlier in the call)."""
    keys = "".join(key for key in before if key.isdecimal() and key.isascii())[: MAX_KEYS - 1] + posted.digits
    rows = await run("SELECT flow, locale FROM voice_call WHERE id = {}", call_id)
    if not rows or not posted.call_sid:
        return Answered(hang_up())
    keys_menu = menu_of(rows[0]["flow"])
    if answer_of(keys, keys_menu) is None and not ended(keys, keys_menu, MAX_KEYS):
        return Answered(await _menu(call_id, keys))
    report = Report(provider=PROVIDER, call_id=posted.call_sid, kind=ReportKind.KEYS, out_id=str(call_id), keys=keys)
    stored = await reports.receive(report)
    if answer_of(keys, keys_menu) is None:
        return Answered(hang_up(), stored)
    thanks = await thanks_of(call_id)  # in her language, or nothing said
    return Answered(hang_up(*thanks) if thanks else hang_up(), stored)


async def status(call_id: int, posted: Posted) -> int | None:
    """The call's end, stored once (per Twilio call); the report to apply, or None."""
    if not posted.ended or not posted.call_sid:
        return None
    report = Report(
        provider=PROVIDER,
        call_id=posted.call_sid,
        kind=ReportKind.END,
        out_id=str(call_id),
        answered=posted.answered,
        duration_s=posted.duration_s,
    )
    return await reports.receive(report)
