"""Placing the calls that are due: each still a question (her item still waits for an answer,
she still takes calls and has not opted out), spoken in her language through the voice
gateway, its outcome recorded by the worker that still holds the call."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
from typing import Any

from backend.accounts.service import principal_by_phone
from backend.core.i18n import N_, Label, available_locales, translate
from backend.core.phones import mask_phone
from backend.core.types import Channel, utcnow
from backend.db.session import run
from backend.gateways.base import SEND_TIMEOUT_S, SendError
from backend.gateways.calls import Call, CallGateway, Recorded
from backend.messages.optout import is_opted_out
from backend.messages.prompts import ANSWERED, REPEAT_KEY, prompts, render_prompt
from backend.messages.templates import Value
from backend.outbox.calls import MAX_ATTEMPTS, NO_CALLS, CallStatus, claim_calls, settle_call
from backend.sms import conversation
from backend.sms.flows import Voice, flows
from backend.voice import recordings

log = logging.getLogger("cunjiang.voice")

BATCH = 10
REPORT_WAIT = dt.timedelta(hours=1)  # a call whose end was never reported counts as unanswered then
TAKES_CALLS = "SELECT takes_calls, voice_language FROM person WHERE phone = {}"
NO_RECORDING = "no_recording"  # her language has no recording of the prompt the provider can play
RECORDED = N_("recorded prompt: {key} ({language})")  # what the console shows of a recorded prompt


async def call_due(
    gateway: CallGateway, *, owner: str | None = None, now: dt.datetime | None = None, limit: int = BATCH
) -> int:
    """Place the calls that are due and within the budget, as ``owner``; how many were placed."""
    owner = owner or uuid.uuid4().hex
    now = now or utcnow()
    prepared: dict[int, Call] = {}

    async def unwanted(row: dict[str, Any]) -> str | None:
        """Why the call is no longer wanted, or None (and the call, kept for placing it)."""
        call, why = await _prepare(row, gateway.name)
        if call is not None:
            prepared[row["id"]] = call
        return why or None

    placed = 0
    for row in await claim_calls(limit, owner=owner, now=now, unwanted=unwanted):
        placed += await _place(prepared[row["id"]], row, gateway, owner, now)
    return placed


async def spoken(call_id: int, provider: str = "twilio") -> Call | None:
    """The call ``call_id`` as it is spoken now, while it is placed and still wanted (a
    provider fetching its prompt: Twilio), or None."""
    rows = await run(
        "SELECT id, brand, to_phone, flow, item_id FROM voice_call WHERE id = {} AND status = {}",
        call_id,
        CallStatus.CALLING.value,
    )
    return await prepared(rows[0], provider) if rows else None


async def prepared(row: dict[str, Any], provider: str = "console") -> Call | None:
    """The call of ``row`` (its id, brand, number, flow and item) as it would be spoken now
    through ``provider``, while it is still wanted, or None."""
    return (await _prepare(row, provider))[0]


async def _prepare(row: dict[str, Any], provider: str) -> tuple[Call | None, str]:
    """The call to place, or None and why it is no longer wanted."""
    phone, flow_id = row["to_phone"], row["flow"]
    if flow_id not in flows().by_id:
        return None, f"no flow {flow_id!r}"
    flow, ask = flows().by_id[flow_id], flows().entry(flow_id)
    taking = await run(TAKES_CALLS, phone)
    actor = await principal_by_phone(phone, Channel.VOICE)
    if not taking or not taking[0]["takes_calls"] or actor is None:
        return None, NO_CALLS
    if await is_opted_out(phone):
        return None, "the number opted out"
    item = await conversation.item_by_id(actor, flow.item, row["item_id"])
    if item is None or item.status not in flow.statuses or ask.voice is None:
        return None, "answered meanwhile, or no longer open"
    language = taking[0]["voice_language"] or actor.locale
    if language not in available_locales():
        recorded = await _recorded(row.get("brand"), language, ask.voice.prompt, provider)
        if recorded is None:
            return None, NO_RECORDING
        words = translate(RECORDED, actor.locale, key=ask.voice.prompt, language=language)
        thanks = translate(RECORDED, actor.locale, key=ANSWERED, language=language)
        return _call(row, ask.voice, actor.locale, words, {}, thanks, recorded), ""
    prompt = prompts()[ask.voice.prompt]
    values: dict[str, Value] = {
        name: translate(value, language) if isinstance(value, Label) else value
        for name, value in item.values.items()
        if name in prompt.variables
    }
    spoken = render_prompt(ask.voice.prompt, language, values)
    thanks_words = render_prompt(ANSWERED, language, {}).body
    return _call(row, ask.voice, language, spoken.body, spoken.variables, thanks_words, None), ""


def _call(
    row: dict[str, Any],
    voice: Voice,
    locale: str,
    words: str,
    variables: dict[str, str],
    thanks: str,
    recorded: Recorded | None,
) -> Call:
    return Call(
        id=row["id"],
        to_phone=row["to_phone"],
        locale=locale,
        prompt=voice.prompt,
        words=words,
        variables=variables,
        keys=tuple(voice.keys),
        repeat_key=REPEAT_KEY,
        answered=ANSWERED,
        answered_words=thanks,
        reference=str(row["id"]),
        recorded=recorded,
    )


async def _recorded(brand_id: int | None, language: str, prompt: str, provider: str) -> Recorded | None:
    """The brand's recordings of the prompt and of the thanks in ``language`` that ``provider``
    can play, or None (then no call: never text-to-speech in a language she does not know)."""
    if brand_id is None:
        return None
    found = await recordings.recorded(brand_id, language, (prompt, ANSWERED), provider)
    if found is None:
        return None
    asked, thanks = found[prompt], found[ANSWERED]
    return Recorded(
        language=language,
        prompt_code=asked.aliyun_code,
        prompt_audio=asked.audio_url,
        answered_code=thanks.aliyun_code,
        answered_audio=thanks.audio_url,
    )


async def thanks_of(call_id: int) -> tuple[str, str, str] | None:
    """What a call says once a key of its menu was pressed, as Twilio speaks it: (words,
    locale, audio address); None when nothing can be said in her language."""
    rows = await run(
        "SELECT c.brand, c.locale, p.voice_language FROM voice_call c JOIN person p ON p.id = c.person WHERE c.id = {}",
        call_id,
    )
    if not rows:
        return None
    language = rows[0]["voice_language"] or rows[0]["locale"]
    if language in available_locales():
        return render_prompt(ANSWERED, language, {}).body, language, ""
    recorded = await _recorded(rows[0]["brand"], language, ANSWERED, "twilio")
    return ("", language, recorded.answered_audio) if recorded else None


async def _place(call: Call, row: dict[str, Any], gateway: CallGateway, owner: str, now: dt.datetime) -> int:
    step = flows().by_id[row["flow"]].entry or ""
    try:
        placed = await asyncio.wait_for(gateway.call(call), SEND_TIMEOUT_S)
    except (SendError, TimeoutError) as error:
        problem = error if isinstance(error, SendError) else SendError(f"no answer within {SEND_TIMEOUT_S:g} s")
        log.warning("call %s to %s failed (%s)", call.id, mask_phone(call.to_phone), problem)
        final = problem.permanent or row["attempts"] >= MAX_ATTEMPTS
        status = CallStatus.FAILED if final else CallStatus.QUEUED
        values = {"status": status.value, "outcome": str(problem)[:500], "due_at": now, "updated_at": now}
        await settle_call(call.id, owner, values | {"provider": gateway.name, "step": step})
        return 0
    values = {
        "provider": gateway.name,
        "provider_call_id": placed.provider_call_id[:64],
        "step": step,
        "due_at": now + REPORT_WAIT,
        "outcome": "",
        "updated_at": now,
    }
    return int(await settle_call(call.id, owner, values))
