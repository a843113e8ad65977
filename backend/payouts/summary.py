"""The monthly income summary by SMS: on the first days of a China month, each SMS-only
person who earned or was paid last month gets one SMS with last month's totals of her
income statement (earned, paid, awaiting her confirmation). When she had advances (paid to her
that month, or still to come off a job's pay at its end) a second template says them instead
of what awaits her word, which one segment cannot hold beside them: paid that month including
the advances, and the advances still to be deducted (``monthly_statement_advances``).

One SMS a person, over every brand she works with, not one per brand: the message budget
counts every text to her number (a daily cap, the same text at most twice, Twilio's review
of numbers that get many different texts), and the overall totals are what a loan officer
or a village committee asks her for. The message belongs to no brand, so no brand's staff
see what another brand paid her.

Exactly once per person and month: a row of ``statement_sms`` (unique on person and month)
is claimed in the transaction that queues the SMS; a second worker, a replay or a rerun
claims nothing and queues nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from backend.core.china_time import china_day, month_start, start_of_day
from backend.core.i18n import format_month
from backend.core.types import utcnow
from backend.db.session import fetch, run, write_transaction
from backend.jobs.record import APPROVED_SUBMISSION
from backend.messages.templates import Rendered, render
from backend.outbox import enqueue
from backend.payouts.advances import PAID
from backend.payouts.statement import person_statement

# Sent on the first day of the month; a worker that was down then catches up until this day.
CATCH_UP_DAYS = 3
BATCH = 200
KEY = "monthly_statement"
WITH_ADVANCES = "monthly_statement_advances"

CANDIDATES = """
SELECT pe.id, pe.phone, pe.locale FROM person pe
WHERE pe.sms_only = {} AND NOT EXISTS (SELECT 1 FROM statement_sms x WHERE x.person = pe.id AND x.month = {})
  AND EXISTS (SELECT 1 FROM member m WHERE m.person = pe.id AND (
    EXISTS (SELECT 1 FROM payout p WHERE p.artisan = m.id AND p.created_at >= {} AND p.created_at < {})
    OR EXISTS (SELECT 1 FROM advance a WHERE a.artisan = m.id AND a.paid_at >= {} AND a.paid_at < {})
    OR EXISTS (SELECT 1 FROM submission s JOIN job j ON j.id = s.job
               WHERE j.artisan = m.id AND s.status = '{approved}' AND s.reviewed_at >= {} AND s.reviewed_at < {})))
ORDER BY pe.id LIMIT {}
"""
CLAIM = """
INSERT INTO statement_sms (person, month, created_at) VALUES ({}, {}, {})
ON CONFLICT (person, month) DO NOTHING RETURNING id
"""
NOTE_MESSAGE = "UPDATE statement_sms SET message = {} WHERE id = {}"
# Her advances paid by the month's end and not deducted by then, over every brand: what is
# still to come off her jobs' pay (when they are paid: never from another job, never clawed back).
OWED = """
SELECT COALESCE(SUM(a.amount_fen), 0) AS owed FROM advance a JOIN member m ON m.id = a.artisan
LEFT JOIN payout p ON p.id = a.deducted_in
WHERE m.person = {} AND a.status IN ({paid}) AND a.paid_at < {} AND (p.id IS NULL OR p.created_at >= {})
"""


async def send_monthly_statements(now: dt.datetime | None = None) -> int:
    """On the first days of a China month, queue last month's summary for every SMS-only
    person with activity then who has not had it; how many were queued."""
    now = now or utcnow()
    today = china_day(now)
    if today.day > CATCH_UP_DAYS:
        return 0
    return await summarize_month(month_start(today, 1), now)


async def summarize_month(first: dt.date, now: dt.datetime | None = None) -> int:
    """Queue the summary of the month from ``first`` for every SMS-only person with a line
    in it who has not had it yet; how many were queued (by this caller)."""
    now = now or utcnow()
    start = start_of_day(first).astimezone(dt.UTC)
    end = start_of_day(month_start(first, -1)).astimezone(dt.UTC)
    month = first.strftime("%Y-%m")
    sql = CANDIDATES.replace("{approved}", APPROVED_SUBMISSION)
    queued = 0
    while True:
        people = await fetch(sql, (True, month, start, end, start, end, start, end, BATCH))
        for person in people:
            queued += await _summarize(dict(person), first, now)
        if len(people) < BATCH:
            return queued


async def _summarize(person: dict[str, Any], first: dt.date, now: dt.datetime) -> int:
    """Claim the person's month and queue her SMS, in one transaction; 0 if it was claimed already."""
    message = await summary_message(person["id"], person["locale"], first)
    async with write_transaction():
        claimed = await run(CLAIM, person["id"], first.strftime("%Y-%m"), now)
        if not claimed:
            return 0
        message_id = await enqueue(person["phone"], message)
        await run(NOTE_MESSAGE, message_id, claimed[0]["id"])
    return 1


async def summary_message(person_id: int, locale: str, first: dt.date) -> Rendered:
    """Her summary of the month from ``first``: its totals over every brand, and her advances
    when she has any (paid that month, or still to be deducted at its end)."""
    totals = (await person_statement(person_id, first, locale)).totals
    month = format_month(first, locale)
    end = start_of_day(month_start(first, -1)).astimezone(dt.UTC)
    paid = ", ".join(f"'{status}'" for status in PAID)
    rows = await fetch(OWED.replace("{paid}", paid), (person_id, end, end))
    owed = int(rows[0]["owed"]) if rows else 0
    if not (totals.advanced.fen or owed):
        return render(
            KEY, locale, month=month, earned=totals.earned.fen, paid=totals.paid.fen, awaiting=totals.awaiting.fen
        )
    received = totals.paid.fen + totals.advanced.fen
    return render(
        WITH_ADVANCES,
        locale,
        month=month,
        earned=totals.earned.fen,
        paid=received,
        advanced=totals.advanced.fen,
        owed=owed,
    )
