"""The dashboard's numbers: where the brand's orders stand, how its villages do by month."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from backend.accounts.tables import Village
from backend.core.access import STAFF, require_role
from backend.core.china_time import china_months, china_today, start_of_day
from backend.core.types import Principal
from backend.dashboard.schemas import OrderBar, OrdersBoard, VillageMonth, VillagesBoard, VillageSeries
from backend.db.session import fetch
from backend.jobs import order_work
from backend.jobs.record import APPROVED_SUBMISSION, UNFINISHED, among, expression, on_time_rate
from backend.orders.schemas import OrderStatus
from backend.orders.service import list_orders

# Per village and month (China time), one statement: jobs finished (by the month of their
# approval), overdue (by the month they fell due) and payouts (by the month recorded).
# Artisans count in the village they belong to now. Overdue jobs are few (unfinished work),
# so they are all summed and the months before the window dropped afterwards: with a
# second bound on the due date, PostgreSQL's generic plan guessed a handful of orders and
# probed the jobs of each in a loop, twice as slow.
FINISHED = f"""
SELECT m.village AS village_id, {{approval_month}} AS month, COUNT(*) AS finished,
  SUM(j.quantity_approved) AS pieces, SUM(CASE WHEN {{approval_day}} <= o.due_date THEN 1 ELSE 0 END) AS on_time,
  0 AS overdue, 0 AS earnings
FROM submission s JOIN job j ON j.id = s.job JOIN production_order o ON o.id = j."order"
  JOIN member m ON m.id = j.artisan
WHERE s.brand = {{}} AND s.status = '{APPROVED_SUBMISSION}' AND s.reviewed_at >= {{}}
GROUP BY 1, 2
"""  # noqa: S608 - our own constants
OVERDUE = f"""
SELECT m.village, {{due_month}}, 0, 0, 0, COUNT(*), 0
FROM job j JOIN production_order o ON o.id = j."order" JOIN member m ON m.id = j.artisan
WHERE j.brand = {{}} AND j.status IN ({among(UNFINISHED)}) AND o.due_date < {{}}
GROUP BY 1, 2
"""  # noqa: S608 - our own constants
EARNINGS = """
SELECT m.village, {payout_month}, 0, 0, 0, 0, SUM(p.amount_fen)
FROM payout p JOIN member m ON m.id = p.artisan
WHERE p.brand = {} AND p.created_at >= {}
GROUP BY 1, 2
"""
VILLAGE_MONTHS = " UNION ALL ".join((FINISHED, OVERDUE, EARNINGS))
COLUMNS = ("finished", "pieces", "on_time", "overdue", "earnings")


async def orders_board(actor: Principal, status: OrderStatus) -> OrdersBoard:
    """The newest 50 of the brand's orders in ``status``, each with its pieces at every stage."""
    orders, _cursor = await list_orders(actor, status, None, order_work)
    today = china_today()
    bars = []
    for order in orders:
        done = order.progress
        late = order.status == OrderStatus.OPEN and order.due_date < today and done.approved < order.quantity
        bars.append(
            OrderBar(
                id=order.id,
                title=order.title,
                status=order.status,
                due_date=order.due_date,
                quantity=order.quantity,
                offered_open=done.offered_open,
                accepted=done.accepted,
                submitted=done.submitted,
                approved=done.approved,
                paid=done.paid,
                late=late,
            )
        )
    return OrdersBoard(orders=bars)


async def _village_months(brand_id: int, first_day: dt.date) -> dict[tuple[int, str], list[int]]:
    """The sums of ``COLUMNS`` by village and month (``YYYY-MM``), from ``first_day`` on."""
    sql = VILLAGE_MONTHS
    for name in ("approval_month", "approval_day", "due_month", "payout_month"):
        sql = sql.replace("{" + name + "}", expression(name))
    since = start_of_day(first_day)
    params = (brand_id, since, brand_id, china_today(), brand_id, since)
    first_month = first_day.strftime("%Y-%m")
    sums: dict[tuple[int, str], list[int]] = {}
    for row in await fetch(sql, params):
        if row["month"] < first_month:
            continue
        key = (row["village_id"], row["month"])
        found = sums.setdefault(key, [0] * len(COLUMNS))
        for index, name in enumerate(COLUMNS):
            found[index] += int(row[name] or 0)
    return sums


def _month(key: str, values: Mapping[str, int]) -> VillageMonth:
    return VillageMonth(
        month=key,
        on_time_rate=on_time_rate(values["on_time"], values["finished"], values["overdue"]),
        jobs_finished=values["finished"],
        jobs_overdue=values["overdue"],
        pieces_approved=values["pieces"],
        earnings_fen=values["earnings"],
    )


async def villages_board(actor: Principal, months: int) -> VillagesBoard:
    """Each of the brand's villages month by month (China time), the last ``months`` months
    this one included: on-time rate (``backend.jobs.record``), jobs finished and overdue,
    pieces approved and payouts recorded."""
    require_role(actor, *STAFF)
    firsts = china_months(months)
    keys = [first.strftime("%Y-%m") for first in firsts]
    sums = await _village_months(actor.brand_id, firsts[0])
    villages = (
        await Village.select(Village.id, Village.name).where(Village.brand == actor.brand_id).order_by(Village.id)
    )
    nothing = [0] * len(COLUMNS)
    series = [
        VillageSeries(
            village_id=village["id"],
            village=village["name"],
            months=[
                _month(key, dict(zip(COLUMNS, sums.get((village["id"], key), nothing), strict=True))) for key in keys
            ],
        )
        for village in villages
    ]
    return VillagesBoard(months=keys, villages=series)
