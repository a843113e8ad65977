"""Approved work waiting for its payout: what the coordinator pays next."""

from __future__ import annotations

from typing import Any

from backend.core.access import STAFF, require_role
from backend.core.types import Principal, as_datetime
from backend.db.session import run
from backend.jobs.machine import Status
from backend.materials.service import kit_deductions
from backend.payouts.advances import paid_advances
from backend.payouts.schemas import PayoutDue

DUE = """
SELECT j.id AS job_id, j.code, j.artisan AS artisan_id, m.name AS artisan_name, COALESCE(v.name, '') AS village,
       j."order" AS order_id, o.title AS order_title, j.quantity_approved, o.unit_price_fen, j.updated_at
FROM job j JOIN production_order o ON o.id = j."order" JOIN member m ON m.id = j.artisan
LEFT JOIN village v ON v.id = m.village
WHERE j.brand = {} AND j.status = {} ORDER BY j.updated_at, j.id LIMIT 1000
"""


def _due(row: dict[str, Any], advanced: int, kits: int) -> PayoutDue:
    gross = row["quantity_approved"] * row["unit_price_fen"]
    deducted = min(advanced, gross)
    kits = min(kits, gross - deducted)
    return PayoutDue(
        job_id=row["job_id"],
        code=row["code"],
        artisan_id=row["artisan_id"],
        artisan_name=row["artisan_name"],
        village=row["village"],
        order_id=row["order_id"],
        order_title=row["order_title"],
        quantity_approved=row["quantity_approved"],
        unit_price_fen=row["unit_price_fen"],
        amount_fen=gross - deducted - kits,
        approved_at=as_datetime(row["updated_at"]),
        gross_fen=gross,
        advance_fen=deducted,
        kit_fen=kits,
    )


async def payouts_due(actor: Principal) -> list[PayoutDue]:
    """The brand's approved jobs without a payout, longest waiting first, with what each is owed:
    its gross, its paid advances and decided kit deductions to take off, and the net (what a
    payout records by default)."""
    require_role(actor, *STAFF)
    rows = await run(DUE, actor.brand_id, Status.APPROVED.value)
    job_ids = [row["job_id"] for row in rows]
    advanced = await paid_advances(job_ids)
    kits = await kit_deductions(job_ids)
    return [_due(row, advanced.get(row["job_id"], 0), kits.get(row["job_id"], 0)) for row in rows]
