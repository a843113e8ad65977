"""An artisan's track record: when a job counts as finished, on time or overdue.

One definition for the dispatch suggestion and the coordinators' dashboard:

- a job is **finished** when its work is approved (then perhaps paid, confirmed or
  disputed); it finished at the moment its submission was approved (``reviewed_at``);
- it is **on time** when it finished by the end of its order's due date, China time;
- it is **overdue** while the work is accepted but not approved (accepted, submitted, rework)
  after the due date; approved later, it counts as finished, and not on time;
- the **on-time rate** is jobs on time ÷ jobs finished or overdue; with neither, it is
  unknown (``None``), never 0.

Declined, expired and withdrawn offers say nothing about the work and do not count.
"""

from __future__ import annotations

from collections.abc import Callable

from backend.db.session import china_date_sql, china_month_sql, is_sqlite
from backend.jobs.machine import Status
from backend.jobs.schemas import SubmissionStatus

FINISHED = (Status.APPROVED, Status.PAID, Status.CONFIRMED, Status.DISPUTED)
UNFINISHED = (Status.ACCEPTED, Status.SUBMITTED, Status.REWORK)
# Pieces on the artisan's table: accepted (or sent back for rework) and not yet handed in.
OPEN_WORK = (Status.ACCEPTED, Status.REWORK)
APPROVED_SUBMISSION = SubmissionStatus.APPROVED.value

# The calendar day (China time) of the approval of submission ``s``, and the months of
# approvals, of due dates (order ``o``) and of payouts (``p``), comparable with due dates
# and with ``YYYY-MM`` keys on both engines.
_EXPRESSIONS: dict[str, Callable[[], str]] = {
    "approval_day": lambda: china_date_sql("s.reviewed_at"),
    "approval_month": lambda: china_month_sql("s.reviewed_at"),
    "due_month": lambda: "substr(o.due_date, 1, 7)" if is_sqlite() else "to_char(o.due_date, 'YYYY-MM')",
    "payout_month": lambda: china_month_sql("p.created_at"),
}


def expression(name: str) -> str:
    """One of the SQL expressions above, for the engine in use."""
    return _EXPRESSIONS[name]()


def among(statuses: tuple[Status, ...]) -> str:
    """A list of statuses for ``IN (…)``: our own constants, never input."""
    return ", ".join(f"'{status.value}'" for status in statuses)


def on_time_rate(on_time: int, finished: int, overdue: int) -> float | None:
    """Jobs on time ÷ jobs finished or overdue; None without either."""
    settled = finished + overdue
    return round(on_time / settled, 4) if settled else None
