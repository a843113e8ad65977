"""Piece passports for the brand's staff: made with an approval (never twice), listed per
order with their scans, withdrawn with a reason, printed as QR codes."""

from __future__ import annotations

import datetime as dt
import io
import re
import secrets
from typing import Any

import segno

from backend.audit import record_event
from backend.core.access import STAFF, require_role
from backend.core.china_time import china_today
from backend.core.errors import Conflict, NotFound
from backend.core.i18n import N_
from backend.core.settings import get_settings
from backend.core.text import filled
from backend.core.types import Principal, as_datetime, utcnow
from backend.db.session import is_sqlite, run, write_transaction
from backend.orders.tables import Order
from backend.passports.schemas import PassportItem, PassportList
from backend.passports.tables import Passport

# A passport's id: 128 random bits, URL-safe (22 characters); anything else names nothing.
ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{22}")

# A likely copied label: its page opened more often on one China day than the batch's pieces
# could explain. A buyer scans her piece a few times; a shop shows it to some customers.
COPY_FLOOR, COPY_FACTOR = 20, 5
RECENT_DAYS = 30


class PassportWithdrawn(Conflict):
    code = "passport_withdrawn"
    message = N_("This passport was withdrawn already.")


def copy_threshold(pieces: int) -> int:
    """Scans in one day above which a passport is flagged: max(20, 5 × pieces)."""
    return max(COPY_FLOOR, COPY_FACTOR * pieces)


def new_id() -> str:
    return secrets.token_urlsafe(16)


def public_url(passport_id: str) -> str:
    return f"{get_settings().public_url}/p/{passport_id}"


def as_day(day: dt.date) -> Any:
    """A China day as the engine's driver takes it for a DATE column (SQLite: ISO text)."""
    return day.isoformat() if is_sqlite() else day


ISSUE = """
INSERT INTO passport (id, brand, submission, job, "order", member, person, approved_at, withdrawn_reason, created_at)
SELECT {}, s.brand, s.id, j.id, j."order", j.artisan, m.person, {}, '', {}
FROM submission s JOIN job j ON j.id = s.job JOIN member m ON m.id = j.artisan
WHERE s.id = {} AND s.status = 'approved'
ON CONFLICT (submission) DO NOTHING RETURNING id
"""


async def issue_passport(actor: Principal, submission_id: int) -> str | None:
    """The passport of a submission just approved, in the approval's transaction; None when it
    has one already (a replayed or racing approval: the unique submission makes no second)."""
    now = utcnow()
    async with write_transaction():
        made = await run(ISSUE, new_id(), now, now, submission_id)
        if not made:
            return None
        passport_id = str(made[0]["id"])
        # The trail's ids are numbers: the event is filed under the submission, naming the passport.
        await record_event(
            actor, brand_id=actor.brand_id, entity="passport", entity_id=submission_id, action="issue",
            passport=passport_id,
        )  # fmt: skip
    return passport_id


LIST = """
SELECT p.id, p.submission, p.job, p.approved_at, p.withdrawn_at, p.withdrawn_reason,
       j.code AS job_code, m.name AS artisan_name, s.quantity,
       COALESCE((SELECT SUM(c.scans) FROM passport_scan c WHERE c.passport = p.id), 0) AS scans_total,
       COALESCE((SELECT SUM(c.scans) FROM passport_scan c WHERE c.passport = p.id AND c.day >= {}), 0) AS scans_recent,
       COALESCE((SELECT MAX(c.scans) FROM passport_scan c WHERE c.passport = p.id), 0) AS busiest
FROM passport p JOIN job j ON j.id = p.job JOIN member m ON m.id = p.member JOIN submission s ON s.id = p.submission
WHERE p.brand = {} AND p."order" = {}
ORDER BY p.approved_at, p.id
"""


def _item(row: dict[str, Any]) -> PassportItem:
    withdrawn_at = as_datetime(row["withdrawn_at"]) if row["withdrawn_at"] is not None else None
    busiest = int(row["busiest"])
    return PassportItem(
        id=row["id"],
        url=public_url(row["id"]),
        status="withdrawn" if withdrawn_at else "valid",
        submission_id=row["submission"],
        job_id=row["job"],
        job_code=row["job_code"],
        artisan_name=row["artisan_name"],
        quantity=row["quantity"],
        approved_at=as_datetime(row["approved_at"]),
        withdrawn_at=withdrawn_at,
        withdrawn_reason=row["withdrawn_reason"],
        scans_total=int(row["scans_total"]),
        scans_last_30_days=int(row["scans_recent"]),
        busiest_day_scans=busiest,
        flagged=busiest > copy_threshold(row["quantity"]),
    )


async def passports_of_order(actor: Principal, order_id: int) -> PassportList:
    """The order's passports, oldest first, with their scans and the copy flag (staff of its brand)."""
    require_role(actor, *STAFF)
    order = await Order.select(Order.title).where((Order.id == order_id) & (Order.brand == actor.brand_id)).first()
    if order is None:
        raise NotFound()
    since = china_today() - dt.timedelta(days=RECENT_DAYS - 1)
    items = [_item(row) for row in await run(LIST, as_day(since), actor.brand_id, order_id)]
    return PassportList(
        order_id=order_id,
        order_title=order["title"],
        scans_total=sum(item.scans_total for item in items),
        scans_last_30_days=sum(item.scans_last_30_days for item in items),
        flagged=sum(item.flagged for item in items),
        passports=items,
    )


async def _own(actor: Principal, passport_id: str) -> dict[str, Any]:
    require_role(actor, *STAFF)
    if not ID_PATTERN.fullmatch(passport_id):
        raise NotFound()
    found = await Passport.select().where((Passport.id == passport_id) & (Passport.brand == actor.brand_id)).first()
    if found is None:
        raise NotFound()
    return found


WITHDRAW = """
UPDATE passport SET withdrawn_at = {}, withdrawn_reason = {}, withdrawn_by = {}
WHERE id = {} AND brand = {} AND withdrawn_at IS NULL RETURNING id
"""


async def withdraw_passport(actor: Principal, passport_id: str, reason: str) -> PassportItem:
    """Staff withdraw a passport (a piece found faulty): its page says so, its data stays.
    A second withdrawal is refused (409 ``passport_withdrawn``)."""
    reason = filled(reason, "reason")
    async with write_transaction():
        found = await _own(actor, passport_id)
        if not await run(WITHDRAW, utcnow(), reason, actor.member_id, passport_id, actor.brand_id):
            raise PassportWithdrawn()
        await record_event(
            actor, brand_id=actor.brand_id, entity="passport", entity_id=found["submission"], action="withdraw",
            passport=passport_id, reason=reason,
        )  # fmt: skip
    listed = await passports_of_order(actor, found["order"])
    return next(item for item in listed.passports if item.id == passport_id)


async def qr_svg(actor: Principal, passport_id: str) -> bytes:
    """The passport's label: a QR code of its public address, as SVG (staff of its brand)."""
    await _own(actor, passport_id)
    buffer = io.BytesIO()
    segno.make(public_url(passport_id), error="m").save(buffer, kind="svg", scale=4, border=2, xmldecl=False)
    return buffer.getvalue()
