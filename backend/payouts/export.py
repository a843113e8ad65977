"""The brand's payouts of a period as a spreadsheet for its accountants: CSV or XLSX."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any, Literal

import msgspec

from backend.audit.tables import AuditEvent
from backend.core.access import STAFF, require_role
from backend.core.china_time import end_of_day, in_china, start_of_day
from backend.core.errors import Invalid
from backend.core.i18n import N_, translate
from backend.core.labels import status_label
from backend.core.phones import display_phone
from backend.core.sheets import CSV_TYPE, XLSX_TYPE, Column, Value, csv_bytes, xlsx_bytes
from backend.core.types import Principal, as_datetime
from backend.jobs.machine import Action
from backend.payouts.schemas import PayoutStatus
from backend.payouts.tables import Payout

MAX_DAYS = 366
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
IN_BATCH = 1000
Format = Literal["csv", "xlsx"]

# Headers in the reader's language; the two formats differ only where Excel needs them to.
COLUMNS = (
    (N_("Payout"), ""),
    (N_("Recorded on"), ""),
    (N_("Artisan"), ""),
    (N_("Phone"), ""),
    (N_("Village"), ""),
    (N_("Order"), ""),
    (N_("Job code"), ""),
    (N_("Pieces paid"), "0"),
    (N_("Amount (yuan)"), "0.00"),
    (N_("Method"), ""),
    (N_("Reference"), ""),
    (N_("Status"), ""),
    (N_("Confirmed or disputed at"), ""),
    # The amount above is the net paid: what the job earned less the advance paid on it before.
    (N_("Gross (yuan)"), "0.00"),
    (N_("Advance deducted (yuan)"), "0.00"),
    # …and less the materials short that a coordinator decided to deduct from that job.
    (N_("Materials deducted (yuan)"), "0.00"),
)
METHOD_LABELS = {"cash": N_("Cash"), "wechat": N_("WeChat Pay"), "alipay": N_("Alipay"), "bank": N_("Bank transfer")}


class Period(msgspec.Struct, frozen=True):
    """Calendar days in China, both included."""

    first: dt.date
    last: dt.date


class Export(msgspec.Struct, frozen=True):
    filename: str
    media_type: str
    data: bytes


def _day(text: str, field: str) -> dt.date:
    try:
        if DAY.match(text):
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    raise Invalid(N_("Write dates as YYYY-MM-DD, e.g. 2026-11-01."), fields={field: "invalid_date"})


def parse_period(first: str, last: str) -> Period:
    """The days from ``first`` to ``last`` (YYYY-MM-DD), in order and at most a leap year long."""
    period = Period(_day(first, "from"), _day(last, "to"))
    if period.first > period.last:
        raise Invalid(N_("The period starts after it ends."), fields={"from": "after_to"})
    if (period.last - period.first).days >= MAX_DAYS:
        raise Invalid(N_("A period is at most {days} days long."), fields={"to": "too_long"}, days=MAX_DAYS)
    return period


async def export_payouts(actor: Principal, first: str, last: str, kind: Format) -> Export:
    """The brand's payouts recorded in a period (China time), oldest first, as CSV or XLSX,
    headed and worded in the caller's language."""
    require_role(actor, *STAFF)
    period = parse_period(first, last)
    rows = await _payouts(actor.brand_id, period)
    disputed = await _dispute_times(actor.brand_id, [r["id"] for r in rows if r["status"] == PayoutStatus.DISPUTED])
    columns = [Column(translate(header, actor.locale), number_format) for header, number_format in COLUMNS]
    values = [_values(row, disputed.get(row["id"]), actor.locale) for row in rows]
    name = f"payouts-{period.first.isoformat()}-{period.last.isoformat()}.{kind}"
    if kind == "xlsx":
        return Export(name, XLSX_TYPE, xlsx_bytes(translate(N_("Payouts"), actor.locale), columns, values))
    return Export(name, CSV_TYPE, csv_bytes(columns, values))


async def _payouts(brand_id: int, period: Period) -> list[dict[str, Any]]:
    start = start_of_day(period.first).astimezone(dt.UTC)
    end = end_of_day(period.last).astimezone(dt.UTC)
    return await (
        Payout.select(
            Payout.id,
            Payout.created_at,
            Payout.artisan.name,
            Payout.artisan._.person._.phone.as_alias("artisan.phone"),
            Payout.artisan._.village._.name,
            Payout.job._.order._.title,
            Payout.job.code,
            Payout.job.quantity_approved,
            Payout.gross_fen,
            Payout.advance_fen,
            Payout.kit_fen,
            Payout.amount_fen,
            Payout.method,
            Payout.reference,
            Payout.status,
            Payout.confirmed_at,
        )
        .where((Payout.brand == brand_id) & (Payout.created_at >= start) & (Payout.created_at < end))
        .order_by(Payout.created_at, Payout.id)
    )


async def _dispute_times(brand_id: int, payout_ids: list[int]) -> dict[int, dt.datetime]:
    """When each disputed payout was last disputed (the audit trail keeps it)."""
    found: dict[int, dt.datetime] = {}
    for start in range(0, len(payout_ids), IN_BATCH):
        events = await AuditEvent.select(AuditEvent.entity_id, AuditEvent.created_at).where(
            (AuditEvent.brand == brand_id)
            & (AuditEvent.entity == "payout")
            & (AuditEvent.action == Action.DISPUTE.value)
            & AuditEvent.entity_id.is_in(payout_ids[start : start + IN_BATCH])
        )
        for event in events:
            moment = as_datetime(event["created_at"])
            found[event["entity_id"]] = max(found.get(event["entity_id"], moment), moment)
    return found


def _china_time(value: object) -> dt.datetime:
    """A stored moment as China's wall-clock time, without a zone (spreadsheets have none)."""
    return in_china(as_datetime(value)).replace(tzinfo=None)


def _values(row: dict[str, Any], disputed_at: dt.datetime | None, locale: str) -> list[Value]:
    settled = row["confirmed_at"] if row["status"] == PayoutStatus.CONFIRMED else disputed_at
    return [
        row["id"],
        _china_time(row["created_at"]).date(),
        row["artisan.name"],
        display_phone(row["artisan.phone"]),
        row["artisan.village.name"] or "",
        row["job.order.title"],
        row["job.code"],
        row["job.quantity_approved"],
        Decimal(row["amount_fen"]).scaleb(-2),  # exact yuan with two decimals, never a float
        translate(METHOD_LABELS.get(row["method"], row["method"]), locale),
        row["reference"],
        status_label(row["status"], locale),
        _china_time(settled) if settled is not None else None,
        Decimal(row["gross_fen"]).scaleb(-2),
        Decimal(row["advance_fen"]).scaleb(-2),
        Decimal(row["kit_fen"]).scaleb(-2),
    ]
