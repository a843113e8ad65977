"""Voice calls that follow questions left unanswered by SMS: queued with the question, taken by
a worker when due, within the call budget, and settled by the worker that placed them.

A question about an offer, a payment or an advance paid to a person who takes calls queues
one call, due ``CUNJIANG_VOICE_AFTER_HOURS`` later, in the question's own transaction (one per
question: a unique key). Workers share the queue as they share the outbox (``backend.outbox.leases``).
The budget, like the SMS one and with the same quiet hours (the service's or her own): never
in quiet hours, at most ``CUNJIANG_VOICE_DAILY_CAP`` calls a number a China day, at most
:data:`MAX_ATTEMPTS` attempts a question. What is held keeps its place, due later.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from enum import StrEnum
from typing import Any

from backend.core.settings import get_settings
from backend.db.session import run, write_transaction
from backend.outbox.budget import day_start, hours_of, is_quiet, next_morning, quiet_end
from backend.outbox.leases import settle, skip_locked
from backend.outbox.tables import VoiceCall

CALLED_FLOWS = frozenset({"offer", "payout", "advance_paid", "kit"})  # the questions a call follows
MAX_ATTEMPTS = 2
LEASE = dt.timedelta(seconds=60)  # placing a call: the provider's answer comes well within it


class CallStatus(StrEnum):
    QUEUED = "queued"  # due from due_at on
    CALLING = "calling"  # placed (or being placed, under a worker's lease): waiting for its end
    ANSWERED = "answered"  # a key of the menu was pressed: her answer was taken
    NO_ANSWER = "no_answer"  # nobody (or a machine) answered, and no attempt is left
    FAILED = "failed"  # the provider refused it
    CANCELLED = "cancelled"  # answered otherwise meanwhile (SMS, the app), or she no longer takes calls


NO_CALLS = "she no longer takes calls"  # the outcome of a call cancelled so: asking again resumes it

PEOPLE = "SELECT id, phone FROM person WHERE takes_calls AND phone IN ({phones})"
QUEUE = """
INSERT INTO voice_call (brand, member, person, to_phone, flow, item_id, code, locale, due_at, created_at, updated_at)
VALUES {rows} ON CONFLICT (flow, item_id, to_phone) DO NOTHING
"""
QUEUE_ONE = QUEUE.replace("DO NOTHING", "DO NOTHING RETURNING id")
# A call cancelled because she stopped calls, queued again when she asks for them: the same
# row (one call a question), its attempts kept.
RESUME = f"""
UPDATE voice_call SET status = '{CallStatus.QUEUED}', due_at = {{}}, outcome = '', updated_at = {{}}
WHERE flow = {{}} AND item_id = {{}} AND to_phone = {{}} AND status = '{CallStatus.CANCELLED}' AND outcome = {{}}
RETURNING id
"""  # noqa: S608 - our own constants
STOP = f"""
UPDATE voice_call SET status = '{CallStatus.CANCELLED}', outcome = {{}}, updated_at = {{}}
WHERE person = {{}} AND status = '{CallStatus.QUEUED}'
"""  # noqa: S608 - our own constants
CALLED_TODAY = """
SELECT to_phone FROM voice_call WHERE to_phone IN ({phones}) AND called_at >= {}
"""
TAKE = f"""
UPDATE voice_call SET status = '{CallStatus.CALLING}', lease_owner = {{}}, due_at = {{}}, attempts = attempts + 1,
  called_at = {{}}, updated_at = {{}}, provider_call_id = NULL, key_pressed = ''
WHERE id IN ({{ids}})
RETURNING id, brand, member, person, to_phone, flow, item_id, code, locale, attempts
"""  # noqa: S608 - our own constants


# A question asked: (phone, flow, item id, item code, locale, member id, brand id).
Asked = tuple[str, str, int, str, str, int | None, int]


async def follow_up(questions: Sequence[Asked], now: dt.datetime) -> int:
    """Queue one call after each question about an offer, a payment or an advance paid to a
    person who takes calls; inside the question's transaction. How many were queued."""
    asked = [q for q in questions if q[1] in CALLED_FLOWS]
    phones = sorted({q[0] for q in asked})
    people: dict[str, int] = {}
    for start in range(0, len(phones), 1000):
        batch = phones[start : start + 1000]
        for row in await run(PEOPLE.replace("{phones}", ", ".join("{}" for _ in batch)), *batch):
            people[row["phone"]] = row["id"]
    due = now + dt.timedelta(hours=get_settings().voice_after_hours)
    rows = [
        (brand, member, people[phone], phone, flow, item, code, locale, due, now, now)
        for phone, flow, item, code, locale, member, brand in asked
        if phone in people
    ]
    for first in range(0, len(rows), 1000):
        chunk = rows[first : first + 1000]
        marks = ", ".join("(" + ", ".join("{}" for _ in range(11)) + ")" for _ in chunk)
        await run(QUEUE.replace("{rows}", marks), *(value for row in chunk for value in row))
    return len(rows)


async def call_asked(person_id: int, asked: Asked, asked_at: dt.datetime, now: dt.datetime) -> bool:
    """She asks for calls while ``asked`` waits for her answer: queue its call, due when the
    usual delay after the question has passed (now at the earliest), or resume the one
    cancelled when she stopped calls. At most one call a question, however often and however
    concurrently she asks (the question's unique key, a conditional update); whether one was."""
    phone, flow, item, code, locale, member, brand = asked
    due = max(now, asked_at + dt.timedelta(hours=get_settings().voice_after_hours))
    marks = "(" + ", ".join("{}" for _ in range(11)) + ")"
    row = (brand, member, person_id, phone, flow, item, code, locale, due, now, now)
    if await run(QUEUE_ONE.replace("{rows}", marks), *row):
        return True
    return bool(await run(RESUME, due, now, flow, item, phone, NO_CALLS))


async def stop_calls(person_id: int, now: dt.datetime) -> int:
    """She takes no more calls: her queued calls are cancelled at once; how many."""
    return len(await run(STOP + " RETURNING id", NO_CALLS, now, person_id))


Unwanted = Callable[[dict[str, Any]], Awaitable[str | None]]


async def claim_calls(
    limit: int, *, owner: str, now: dt.datetime, unwanted: Unwanted, lease: dt.timedelta = LEASE
) -> list[dict[str, Any]]:
    """Take up to ``limit`` due calls for ``owner``, each leased and its attempt counted. A call
    out of attempts fails; a call ``unwanted`` says why it is no longer wanted (its question
    was answered meanwhile) is cancelled, before it costs the day's budget; the budget holds
    back (to the end of the quiet hours, to the next morning) what may not be placed now."""
    async with write_transaction():
        query = skip_locked(
            VoiceCall.select(
                VoiceCall.id,
                VoiceCall.brand,
                VoiceCall.to_phone,
                VoiceCall.attempts,
                VoiceCall.flow,
                VoiceCall.item_id,
                VoiceCall.provider_call_id,
            )
            .where(
                (VoiceCall.due_at <= now)
                & (
                    (VoiceCall.status == CallStatus.QUEUED.value)
                    # placed by a worker that died before the provider answered, or placed and
                    # its end never reported (due_at: the lease, or the wait for the report)
                    | (VoiceCall.status == CallStatus.CALLING.value)
                )
            )
            .order_by(VoiceCall.id)
            .limit(limit)
        )
        due = await query
        for row in due:
            if row["attempts"] >= MAX_ATTEMPTS:
                # Placed, but its end never reported: as unanswered; else its last placing failed.
                status = CallStatus.NO_ANSWER if row["provider_call_id"] else CallStatus.FAILED
                await _set([row["id"]], status=status.value, outcome="no attempts left", lease_owner=None, now=now)
        wanted = []
        for row in due:
            if row["attempts"] >= MAX_ATTEMPTS:
                continue
            why = await unwanted(row)
            if why is None:
                wanted.append(row)
            else:
                await _set([row["id"]], status=CallStatus.CANCELLED.value, outcome=why, lease_owner=None, now=now)
        taken = await _within_budget(wanted, now)
        if not taken:
            return []
        marks = ", ".join("{}" for _ in taken)
        return await run(TAKE.replace("{ids}", marks), owner, now + lease, now, now, *taken)


async def _within_budget(due: list[dict[str, Any]], now: dt.datetime) -> list[int]:
    """The calls that may be placed now; the others due again when they may."""
    hours = await hours_of({row["to_phone"] for row in due})
    awake = []
    for row in due:
        phone_hours = hours.get(row["to_phone"])
        if is_quiet(now, phone_hours):
            await _set([row["id"]], due_at=quiet_end(now, phone_hours), outcome="held: quiet hours", now=now)
        else:
            awake.append(row)
    if not awake:
        return []
    called = await _called_today(awake, now)
    cap, taken = get_settings().voice_daily_cap, []
    for row in awake:
        phone = row["to_phone"]
        if called[phone] >= cap:
            until = next_morning(now, hours.get(phone))
            await _set([row["id"]], due_at=until, outcome="held: a call today already", now=now)
        else:
            called[phone] += 1
            taken.append(row["id"])
    return taken


async def _called_today(due: list[dict[str, Any]], now: dt.datetime) -> Counter[str]:
    """Calls placed to these numbers today (China), a call due again after one today included."""
    phones = sorted({row["to_phone"] for row in due})
    sql = CALLED_TODAY.replace("{phones}", ", ".join("{}" for _ in phones))
    return Counter(row["to_phone"] for row in await run(sql, *phones, day_start(now)))


async def _set(ids: list[int], *, now: dt.datetime, **values: Any) -> None:
    sets = ", ".join(f"{name} = {{}}" for name in values)
    marks = ", ".join("{}" for _ in ids)
    await run(
        f"UPDATE voice_call SET {sets}, updated_at = {{}} WHERE id IN ({marks})",  # noqa: S608 - our own names
        *values.values(),
        now,
        *ids,
    )


async def settle_call(call_id: int, owner: str, values: dict[str, Any]) -> bool:
    """Record how placing the call went, if ``owner`` still holds it; whether it did."""
    async with write_transaction():
        return bool(await settle("voice_call", [call_id], owner, values, (CallStatus.CALLING,)))
