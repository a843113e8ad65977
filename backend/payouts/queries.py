"""Reading one artisan's payouts, as the SMS conversation names them."""

from __future__ import annotations

import msgspec

from backend.db.session import run
from backend.payouts.schemas import PayoutStatus


class PayoutItem(msgspec.Struct, frozen=True):
    """A payout as a reply may be about: its state and amount, and the code of its job."""

    id: int
    status: PayoutStatus
    amount_fen: int
    code: str


ITEMS = """
SELECT p.id, p.status, p.amount_fen, j.code FROM payout p JOIN job j ON j.id = p.job
WHERE p.artisan = {} AND {where}
"""


def _item(row: dict[str, object]) -> PayoutItem:
    return PayoutItem(
        int(str(row["id"])), PayoutStatus(str(row["status"])), int(str(row["amount_fen"])), str(row["code"])
    )


async def payout_of_job(artisan_id: int, job_id: int) -> PayoutItem | None:
    """The payout of the artisan's job, if it was paid."""
    rows = await run(ITEMS.replace("{where}", "p.job = {}"), artisan_id, job_id)
    return _item(rows[0]) if rows else None


async def artisan_payout(artisan_id: int, payout_id: int) -> PayoutItem | None:
    """The payout, if it is the artisan's."""
    rows = await run(ITEMS.replace("{where}", "p.id = {}"), artisan_id, payout_id)
    return _item(rows[0]) if rows else None
