"""A person's income statement (收入明细): per calendar month in China, per brand and job,
what she earned and what she was paid, with totals.

What a line means agrees with the rest of payouts: a job **earned** its approved pieces ×
the order's piece rate (what ``GET /payouts/due`` shows and a payout records by default) on
the day its submission was approved (``backend.jobs.record``); it was **paid** the payout's
amount on the day the payout was recorded (what the payout export lists for that day).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from backend.accounts.tables import Member
from backend.core.access import STAFF, require_role
from backend.core.china_time import china_today, in_china, month_start, start_of_day
from backend.core.errors import Invalid, NotFound
from backend.core.i18n import N_, format_money, translate
from backend.core.labels import status_label
from backend.core.types import Principal, as_datetime
from backend.db.session import china_month_sql, fetch
from backend.jobs.record import APPROVED_SUBMISSION, expression
from backend.payouts.export import METHOD_LABELS
from backend.payouts.schemas import (
    Amount,
    LineKind,
    PayoutStatus,
    Statement,
    StatementBrand,
    StatementJob,
    StatementLine,
    StatementMonths,
    StatementTotals,
)

MONTH = re.compile(r"^(19[7-9][0-9]|2[0-9]{3})-(0[1-9]|1[0-2])$")  # 1970-01 to 2999-12
SHOWN_REFERENCE = 4  # characters of a transfer reference a statement shows (a printed page travels)

EARNED = """
SELECT j.id AS job_id, j.code, j.brand AS brand_id, j.artisan AS member_id, o.title, s.reviewed_at AS at,
       j.quantity_approved, o.unit_price_fen
FROM submission s JOIN job j ON j.id = s.job JOIN production_order o ON o.id = j."order"
WHERE s.status = '{approved}' AND j.artisan IN ({marks}) AND s.reviewed_at >= {} AND s.reviewed_at < {}
"""
PAID = """
SELECT p.job AS job_id, j.code, p.brand AS brand_id, p.artisan AS member_id, o.title, p.created_at AS at,
       p.id AS payout_id, p.amount_fen, p.method, p.reference, p.status, p.dispute_reason, p.resolution_note,
       p.confirmed_at, p.advance_fen, p.kit_fen
FROM payout p JOIN job j ON j.id = p.job JOIN production_order o ON o.id = j."order"
WHERE p.artisan IN ({marks}) AND p.created_at >= {} AND p.created_at < {}
"""
ADVANCED = """
SELECT a.job AS job_id, j.code, a.brand AS brand_id, a.artisan AS member_id, o.title, a.paid_at AS at,
       a.id AS advance_id, a.amount_fen, a.method, a.reference, a.status, a.reason, a.resolution_note,
       a.confirmed_at
FROM advance a JOIN job j ON j.id = a.job JOIN production_order o ON o.id = j."order"
WHERE a.artisan IN ({marks}) AND a.paid_at IS NOT NULL AND a.paid_at >= {} AND a.paid_at < {}
"""
MONTHS = """
SELECT {approval_month} AS month FROM submission s JOIN job j ON j.id = s.job
WHERE s.status = '{approved}' AND j.artisan IN ({marks})
UNION SELECT {payout_month} AS month FROM payout p WHERE p.artisan IN ({marks})
UNION SELECT {advance_month} AS month FROM advance a WHERE a.artisan IN ({marks}) AND a.paid_at IS NOT NULL
"""
MEMBERS = """
SELECT m.id, m.name, m.brand, b.name AS brand_name FROM member m JOIN brand b ON b.id = m.brand
WHERE m.person = {}
"""


def parse_month(text: str | None) -> dt.date:
    """The first day of a ``YYYY-MM`` month; none given: this month in China."""
    if text is None:
        return month_start(china_today())
    found = MONTH.fullmatch(text)
    if found is None:
        raise Invalid(N_("Write the month as YYYY-MM, e.g. 2026-11."), fields={"month": "invalid_month"})
    return dt.date(int(found[1]), int(found[2]), 1)


def mask_reference(reference: str) -> str:
    """A transfer reference as a statement shows it: its last characters only."""
    if not reference:
        return ""
    shown = reference[-SHOWN_REFERENCE:] if len(reference) > SHOWN_REFERENCE else ""
    return "****" + shown


def _marks(count: int) -> str:
    return ", ".join("{}" for _ in range(count))


Rows = list[dict[str, Any]]


async def _rows(member_ids: list[int], first: dt.date) -> tuple[Rows, Rows, Rows]:
    """The earned, paid and advanced rows of these memberships in the month starting on ``first``."""
    start = start_of_day(first).astimezone(dt.UTC)
    end = start_of_day(month_start(first, -1)).astimezone(dt.UTC)
    marks = _marks(len(member_ids))
    earned_sql = EARNED.replace("{approved}", APPROVED_SUBMISSION).replace("{marks}", marks)
    earned = await fetch(earned_sql, (*member_ids, start, end))
    paid = await fetch(PAID.replace("{marks}", marks), (*member_ids, start, end))
    advanced = await fetch(ADVANCED.replace("{marks}", marks), (*member_ids, start, end))
    return [dict(row) for row in earned], [dict(row) for row in paid], [dict(row) for row in advanced]


def _amount(fen: int, locale: str) -> Amount:
    return Amount(fen=fen, text=format_money(fen, locale))


def _earned_line(row: dict[str, Any], locale: str) -> StatementLine:
    at = as_datetime(row["at"])
    return StatementLine(
        kind=LineKind.EARNED,
        at=at,
        day=in_china(at).date(),
        amount=_amount(int(row["quantity_approved"]) * int(row["unit_price_fen"]), locale),
        quantity=int(row["quantity_approved"]),
        unit_price=_amount(int(row["unit_price_fen"]), locale),
    )


def _paid_line(row: dict[str, Any], locale: str) -> StatementLine:
    at = as_datetime(row["at"])
    return StatementLine(
        kind=LineKind.PAID,
        at=at,
        day=in_china(at).date(),
        amount=_amount(int(row["amount_fen"]), locale),
        payout_id=int(row["payout_id"]),
        method=row["method"],
        method_label=translate(METHOD_LABELS.get(row["method"], row["method"]), locale),
        reference=mask_reference(row["reference"]),
        status=PayoutStatus(row["status"]),
        status_label=status_label(row["status"], locale),
        dispute_reason=row["dispute_reason"],
        resolution_note=row["resolution_note"],
        confirmed_at=as_datetime(row["confirmed_at"]) if row["confirmed_at"] else None,
    )


def _deducted_line(row: dict[str, Any], locale: str) -> StatementLine:
    """The job's advances taken off its payout: a line of its own, on the payout's day."""
    at = as_datetime(row["at"])
    return StatementLine(
        kind=LineKind.DEDUCTED,
        at=at,
        day=in_china(at).date(),
        amount=_amount(int(row["advance_fen"]), locale),
        payout_id=int(row["payout_id"]),
    )


def _kit_line(row: dict[str, Any], locale: str) -> StatementLine:
    """Materials short taken off the job's payout by a coordinator's decision: its own line."""
    at = as_datetime(row["at"])
    return StatementLine(
        kind=LineKind.KIT,
        at=at,
        day=in_china(at).date(),
        amount=_amount(int(row["kit_fen"]), locale),
        payout_id=int(row["payout_id"]),
    )


def _advanced_line(row: dict[str, Any], locale: str) -> StatementLine:
    at = as_datetime(row["at"])
    return StatementLine(
        kind=LineKind.ADVANCED,
        at=at,
        day=in_china(at).date(),
        amount=_amount(int(row["amount_fen"]), locale),
        advance_id=int(row["advance_id"]),
        method=row["method"],
        method_label=translate(METHOD_LABELS.get(row["method"], row["method"]), locale),
        reference=mask_reference(row["reference"]),
        status=PayoutStatus(row["status"]),
        status_label=status_label(row["status"], locale),
        dispute_reason=row["reason"],  # a paid advance's reason is hers: why she disputed it
        resolution_note=row["resolution_note"],
        confirmed_at=as_datetime(row["confirmed_at"]) if row["confirmed_at"] else None,
    )


def totals_of(lines: list[StatementLine], locale: str) -> StatementTotals:
    """The sums of lines: earned, paid, and the paid by their payout's status."""

    def total(kind: LineKind, status: PayoutStatus | None = None) -> Amount:
        fen = sum(line.amount.fen for line in lines if line.kind == kind and status in (None, line.status))
        return _amount(fen, locale)

    return StatementTotals(
        earned=total(LineKind.EARNED),
        paid=total(LineKind.PAID),
        confirmed=total(LineKind.PAID, PayoutStatus.CONFIRMED),
        disputed=total(LineKind.PAID, PayoutStatus.DISPUTED),
        awaiting=total(LineKind.PAID, PayoutStatus.PAID),
        advanced=total(LineKind.ADVANCED),
        deducted=total(LineKind.DEDUCTED),
        kit=total(LineKind.KIT),
    )


def _jobs(rows: list[tuple[dict[str, Any], StatementLine]]) -> list[StatementJob]:
    """Lines grouped by job, jobs in the order of their first line, lines by time (earned first,
    a payout's deductions, advance then materials, before its net)."""
    order = {LineKind.EARNED: 0, LineKind.ADVANCED: 1, LineKind.DEDUCTED: 2, LineKind.KIT: 3, LineKind.PAID: 4}
    rows = sorted(rows, key=lambda pair: (pair[1].at, order[pair[1].kind], pair[0]["job_id"]))
    jobs: dict[int, StatementJob] = {}
    for row, line in rows:
        job = jobs.setdefault(
            row["job_id"], StatementJob(job_id=row["job_id"], code=row["code"], order_title=row["title"], lines=[])
        )
        job.lines.append(line)
    return list(jobs.values())


async def _statement(members: list[dict[str, Any]], first: dt.date, locale: str) -> Statement:
    """The statement of these memberships (rows of ``MEMBERS``) for the month from ``first``."""
    earned, paid, advanced = await _rows([m["id"] for m in members], first) if members else ([], [], [])
    lines = [(row, _earned_line(row, locale)) for row in earned] + [(row, _paid_line(row, locale)) for row in paid]
    lines += [(row, _deducted_line(row, locale)) for row in paid if int(row["advance_fen"])]
    lines += [(row, _kit_line(row, locale)) for row in paid if int(row["kit_fen"])]
    lines += [(row, _advanced_line(row, locale)) for row in advanced]
    brands = []
    for member in sorted(members, key=lambda m: (m["brand_name"], m["id"])):
        mine = [(row, line) for row, line in lines if row["member_id"] == member["id"]]
        if not mine:
            continue
        brands.append(
            StatementBrand(
                brand_id=member["brand"],
                brand_name=member["brand_name"],
                member_id=member["id"],
                artisan_name=member["name"],
                jobs=_jobs(mine),
                totals=totals_of([line for _, line in mine], locale),
            )
        )
    return Statement(
        month=first.strftime("%Y-%m"),
        name=brands[0].artisan_name if brands else (members[0]["name"] if members else ""),
        locale=locale,
        generated_on=china_today(),
        brands=brands,
        totals=totals_of([line for _, line in lines], locale),
    )


async def _own_members(actor: Principal) -> list[dict[str, Any]]:
    """Every membership of the caller's person, the brands she has left included: her own
    history of money stays hers to show."""
    if actor.person_id:
        return [dict(row) for row in await fetch(MEMBERS, (actor.person_id,))]
    return [dict(row) for row in await fetch(MEMBERS.replace("m.person = {}", "m.id = {}"), (actor.member_id,))]


async def person_statement(person_id: int, first: dt.date, locale: str) -> Statement:
    """The statement of a person (every brand she works or worked with) for the month from ``first``."""
    return await _statement([dict(row) for row in await fetch(MEMBERS, (person_id,))], first, locale)


async def my_statement(actor: Principal, month: str | None) -> Statement:
    """Her own statement for ``month`` (``YYYY-MM``; default this month in China), across
    every brand, grouped by brand; a month without lines is an empty statement."""
    first = parse_month(month)
    return await _statement(await _own_members(actor), first, actor.locale)


async def my_months(actor: Principal) -> StatementMonths:
    """The months (``YYYY-MM``) in which she has any line, newest first."""
    ids = [m["id"] for m in await _own_members(actor)]
    if not ids:
        return StatementMonths(months=[])
    sql = MONTHS.replace("{marks}", _marks(len(ids))).replace("{approved}", APPROVED_SUBMISSION)
    for name in ("approval_month", "payout_month"):
        sql = sql.replace("{" + name + "}", expression(name))
    sql = sql.replace("{advance_month}", china_month_sql("a.paid_at"))
    rows = await fetch(sql, (*ids, *ids, *ids))
    return StatementMonths(months=sorted({str(row["month"]) for row in rows}, reverse=True))


async def member_statement(actor: Principal, member_id: int, month: str | None) -> Statement:
    """Staff: the statement of one of the brand's people, this brand's part only."""
    require_role(actor, *STAFF)
    first = parse_month(month)
    mine = (Member.id == member_id) & (Member.brand == actor.brand_id) & Member.left_at.is_null()
    member = (
        await Member.select(Member.id, Member.name, Member.brand, Member.brand.name.as_alias("brand_name"))
        .where(mine)
        .first()
    )
    if member is None:
        raise NotFound()
    return await _statement([member], first, actor.locale)
