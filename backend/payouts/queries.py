"""Reading one person's payouts, in every brand she works with, as the SMS conversation names them."""

from __future__ import annotations

import msgspec

from backend.core.types import Principal, Role
from backend.db.session import run
from backend.payouts.schemas import PayoutStatus


class PayoutItem(msgspec.Struct, frozen=True):
    """A payout as a reply may be about: its state and amount, and the code of its job."""

    id: int
    status: PayoutStatus
    amount_fen: int
    code: str
    brand_id: int


ITEMS = """
SELECT p.id, p.status, p.amount_fen, j.code, p.brand FROM payout p JOIN job j ON j.id = p.job
WHERE {where} AND p.artisan IN ({marks})
"""


def _item(row: dict[str, object]) -> PayoutItem:
    return PayoutItem(
        int(str(row["id"])),
        PayoutStatus(str(row["status"])),
        int(str(row["amount_fen"])),
        str(row["code"]),
        int(str(row["brand"])),
    )


async def _items(actor: Principal, where: str, value: int) -> list[PayoutItem]:
    own = actor.member_ids(Role.ARTISAN)
    if not own:
        return []
    sql = ITEMS.replace("{where}", where).replace("{marks}", ", ".join("{}" for _ in own))
    return [_item(row) for row in await run(sql, value, *own)]


async def payout_of_job(actor: Principal, job_id: int) -> PayoutItem | None:
    """The payout of her job, if it was paid."""
    found = await _items(actor, "p.job = {}", job_id)
    return found[0] if found else None


async def artisan_payout(actor: Principal, payout_id: int) -> PayoutItem | None:
    """The payout, if it is hers."""
    found = await _items(actor, "p.id = {}", payout_id)
    return found[0] if found else None
