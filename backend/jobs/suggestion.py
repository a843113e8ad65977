"""The dispatch suggestion: whom to offer an order's work to, and how many pieces each.

Candidates are the brand's active artisans with one of the crafts (the order's, unless
asked otherwise), in the villages asked for (all by default), without a job on this order
that is still alive (anything but declined, expired or withdrawn).

Ranking. Over the last ``WINDOW`` days (finished, on time and overdue as in
``backend.jobs.record``)::

    reliability = (on_time + PRIOR_WEIGHT × prior) / (finished + overdue + PRIOR_WEIGHT)
    score       = reliability × LOAD_HALF / (LOAD_HALF + open_load)

``prior`` is the brand's own on-time rate over the same days (``DEFAULT_PRIOR`` while it
has none). An artisan without a record counts as ``PRIOR_WEIGHT`` jobs of the brand's
average artisan: a newcomer ranks among the others, above those who are often late, and a
long record outweighs the prior. ``open_load`` (pieces accepted and not yet handed in)
halves the score at ``LOAD_HALF`` pieces, so that work spreads to those with free hands. It
counts her pieces in hand for every brand she works with (the total only, never for whom:
she agreed to that much when she joined a second brand); each such read is audited.
Equal scores go to the lower id first: the same data always gives the same suggestion.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from backend.audit.service import Event, record_events
from backend.core.china_time import china_today
from backend.core.errors import OrderClosed
from backend.core.types import Principal, Role, utcnow
from backend.db.session import fetch, write_transaction
from backend.jobs.machine import Status
from backend.jobs.record import APPROVED_SUBMISSION, FINISHED, OPEN_WORK, UNFINISHED, among, expression, on_time_rate
from backend.jobs.schemas import SuggestedOffer, Suggestion, SuggestionFilter
from backend.orders.service import brand_order, is_open

WINDOW = dt.timedelta(days=180)
PRIOR_WEIGHT = 4  # jobs' worth of the brand's average given to every artisan's record
DEFAULT_PRIOR = 0.8  # the prior of a brand with no record at all yet
LOAD_HALF = 20  # pieces on the table that halve an artisan's score
NEW_CHUNK = 10  # the typical job of an artisan who has finished none, in pieces
CHUNK_FACTOR = 2  # a cap is up to twice the typical job, scaled by reliability
NEWCOMER_SHARE = 10  # one piece in ten is kept for artisans without a record
MORE_CANDIDATES = 50  # beyond the suggested offers, the next best shown for choosing
ENDED = (Status.DECLINED, Status.EXPIRED, Status.WITHDRAWN)

OPEN_OFFERS = f"""
SELECT COALESCE(SUM(quantity_offered), 0) AS offered FROM job
WHERE "order" = {{}} AND status = '{Status.OFFERED.value}' AND expires_at > {{}}
"""  # noqa: S608 - our own constants

# Every artisan's record, in one pass over the brand's jobs.
RECORDS = f"""
SELECT j.artisan AS id,
  SUM(CASE WHEN j.status IN ({among(OPEN_WORK)}) THEN j.quantity_accepted ELSE 0 END) AS open_load,
  COUNT(s.id) AS finished,
  COALESCE(SUM(CASE WHEN s.id IS NOT NULL THEN j.quantity_approved END), 0) AS pieces,
  SUM(CASE WHEN s.id IS NOT NULL AND {{approval_day}} <= o.due_date THEN 1 ELSE 0 END) AS on_time,
  SUM(CASE WHEN j.status IN ({among(UNFINISHED)}) AND o.due_date < {{}} AND o.due_date >= {{}} THEN 1 ELSE 0 END)
    AS overdue
FROM job j JOIN production_order o ON o.id = j."order"
LEFT JOIN submission s
  ON s.job = j.id AND s.brand = {{}} AND s.status = '{APPROVED_SUBMISSION}' AND s.reviewed_at >= {{}}
WHERE j.brand = {{}}
  AND (j.status IN ({among(UNFINISHED)}) OR j.status IN ({among(FINISHED)}) AND j.updated_at >= {{}})
GROUP BY j.artisan
"""  # noqa: S608 - our own constants; values are parameters
# A finished job counts only by an approval in the window, which changed it then: older ones
# are left out before the joins (a third of a year-old brand's jobs), and only the brand's own
# submissions are joined (three times faster on the data of bench/scale_seed.py).
# Pieces in hand for other brands, in total, of the brand's artisans who work elsewhere too.
ELSEWHERE = f"""
SELECT m.id, SUM(j.quantity_accepted) AS elsewhere
FROM member m JOIN member other ON other.person = m.person AND other.brand <> m.brand
JOIN job j ON j.artisan = other.id AND j.status IN ({among(OPEN_WORK)})
WHERE m.brand = {{}} AND m.role = '{Role.ARTISAN.value}'
GROUP BY m.id
"""  # noqa: S608 - our own constants; values are parameters
# The candidates, apart from the records: joined in one statement, PostgreSQL (which cannot
# estimate the crafts filter) chose nested loops that took four times as long on the data of
# bench/bench_console.py.
CANDIDATES = f"""
SELECT m.id, m.name, m.village AS village_id, v.name AS village, m.crafts, p.sms_only
FROM member m JOIN village v ON v.id = m.village JOIN person p ON p.id = m.person
WHERE m.brand = {{}} AND m.role = '{Role.ARTISAN.value}' AND m.active = {{}} {{filters}}
  AND NOT EXISTS (
    SELECT 1 FROM job x WHERE x."order" = {{}} AND x.artisan = m.id AND x.status NOT IN ({among(ENDED)})
  )
ORDER BY m.id
"""  # noqa: S608 - our own constants; values are parameters
NO_RECORD = {"open_load": 0, "finished": 0, "pieces": 0, "on_time": 0, "overdue": 0}


@dataclass(frozen=True)
class Candidate:
    row: Mapping[str, Any]  # the artisan and their record
    score: float
    cap: int
    is_new: bool  # nothing finished or overdue in the window


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("{}" for _ in values)


def _filters(order: Mapping[str, Any], wanted: SuggestionFilter) -> tuple[str, list[Any]]:
    crafts = wanted.crafts or [order["craft"]]
    # Crafts are stored comma-separated; a code has no comma, % or _ in it (CraftCode).
    sql = "AND (" + " OR ".join("(',' || m.crafts || ',') LIKE {}" for _ in crafts) + ") "
    params: list[Any] = [f"%,{craft},%" for craft in crafts]
    for column, ids in (("m.village", wanted.village_ids), ("m.id", wanted.artisan_ids)):
        if ids:
            sql += f"AND {column} IN ({_marks(ids)}) "
            params += ids
    return sql, params


async def _records(brand_id: int) -> dict[int, dict[str, int]]:
    """Every artisan of the brand with a record in the window: open load, finished, on time…"""
    today = china_today()
    sql = RECORDS.replace("{approval_day}", expression("approval_day"))
    since = utcnow() - WINDOW
    rows = await fetch(sql, (today, today - WINDOW, brand_id, since, brand_id, since))
    return {row["id"]: {name: int(row[name]) for name in NO_RECORD} for row in rows}


async def _load_elsewhere(actor: Principal, order_id: int) -> dict[int, int]:
    """Each of the brand's artisans' pieces in hand for other brands (a total), the read audited."""
    rows = await fetch(ELSEWHERE, (actor.brand_id,))
    loads = {row["id"]: int(row["elsewhere"]) for row in rows if row["elsewhere"]}
    if loads:
        event = Event(
            entity="order",
            entity_id=order_id,
            action="read_shared",
            detail={"people": len(loads), "what": "open_load_total", "why": "dispatch_suggestion"},
        )
        async with write_transaction():
            await record_events(actor, actor.brand_id, [event])
    return loads


async def _candidate_rows(brand_id: int, order: Mapping[str, Any], wanted: SuggestionFilter) -> list[Mapping[str, Any]]:
    filters, params = _filters(order, wanted)
    return await fetch(CANDIDATES.replace("{filters}", filters), (brand_id, True, *params, order["id"]))


def prior(records: Mapping[int, Mapping[str, int]]) -> float:
    """The brand's on-time rate in the window, ``DEFAULT_PRIOR`` without a record."""
    on_time = sum(record["on_time"] for record in records.values())
    settled = sum(record["finished"] + record["overdue"] for record in records.values())
    return on_time / settled if settled else DEFAULT_PRIOR


def rank(rows: Sequence[Mapping[str, Any]], records: Mapping[int, Mapping[str, int]], most: int) -> list[Candidate]:
    """The candidates, best first (see the module's docstring), each with their record and cap.

    A cap is twice the artisan's typical job (the pieces of their average finished job in
    the window, ``NEW_CHUNK`` without one) scaled by their reliability, less the pieces on
    their table; at least 1, and at most ``most`` (no offer may exceed the order).
    """
    brand_rate, candidates = prior(records), []
    for found in rows:
        row = {**found, **records.get(found["id"], NO_RECORD)}
        finished, on_time, overdue, load = (row[k] for k in ("finished", "on_time", "overdue", "open_load"))
        reliability = (on_time + PRIOR_WEIGHT * brand_rate) / (finished + overdue + PRIOR_WEIGHT)
        typical = row["pieces"] / finished if finished else NEW_CHUNK
        cap = max(1, min(most, round(CHUNK_FACTOR * typical * reliability) - load))
        score = reliability * LOAD_HALF / (LOAD_HALF + load)
        candidates.append(Candidate(row, score, cap, is_new=finished + overdue == 0))
    return sorted(candidates, key=lambda c: (-c.score, c.row["id"]))


def split(candidates: Sequence[Candidate], wanted: int) -> list[int]:
    """How many of ``wanted`` pieces each ranked candidate is offered, in their order.

    First one piece in ``NEWCOMER_SHARE`` (rounded down) goes to artisans without a record,
    best ranked first, each up to their cap, so that newcomers build one even when others
    could take everything. The rest goes down the ranking, each up to their cap. The offers
    add up to exactly ``wanted`` whenever the caps allow it, which they always do when there
    are at least as many candidates as pieces (every cap is at least 1); when they do not,
    every candidate is offered their cap and the console shows what is left.
    """
    given = [0] * len(candidates)
    reserved = wanted // NEWCOMER_SHARE
    for index, candidate in enumerate(candidates):
        if candidate.is_new and reserved > 0:
            given[index] = min(candidate.cap, reserved)
            reserved -= given[index]
    left = wanted - sum(given)
    for index, candidate in enumerate(candidates):
        if left <= 0:
            break
        more = min(candidate.cap - given[index], left)
        given[index] += more
        left -= more
    return given


def _offer(candidate: Candidate, quantity: int) -> SuggestedOffer:
    row = candidate.row
    return SuggestedOffer(
        artisan_id=row["id"],
        name=row["name"],
        village_id=row["village_id"],
        village=row["village"],
        crafts=[craft for craft in row["crafts"].split(",") if craft],
        quantity=quantity,
        on_time_rate=on_time_rate(row["on_time"], row["finished"], row["overdue"]),
        open_load=row["open_load"],
        finished_jobs=row["finished"],
        sms_only=bool(row["sms_only"]),
        score=round(candidate.score, 4),
    )


async def suggest(actor: Principal, order_id: int, wanted: SuggestionFilter) -> Suggestion:
    """Suggested offers for one of the brand's open orders (staff; another brand's is not found).

    The pieces wanted are ``wanted.quantity``, else what the order still needs: its quantity
    less what is accepted and what open offers (not yet lapsed) could still take, at least 0.
    The console shows the offers for editing, then sends them to ``POST …/dispatch``.
    """
    order = await brand_order(actor, order_id)
    if not is_open(order):
        raise OrderClosed()
    offered = await fetch(OPEN_OFFERS, (order_id, utcnow()))
    remaining = max(0, order["quantity"] - order["quantity_accepted"] - int(offered[0]["offered"]))
    rows = await _candidate_rows(actor.brand_id, order, wanted)
    records = await _records(actor.brand_id)
    for artisan_id, load in (await _load_elsewhere(actor, order_id)).items():
        mine = records.setdefault(artisan_id, dict(NO_RECORD))
        mine["open_load"] += load
    ranked = rank(rows, records, most=order["quantity"])
    pieces = remaining if wanted.quantity is None else wanted.quantity
    shares = list(zip(ranked, split(ranked, pieces), strict=True))
    offers = [_offer(c, q) for c, q in shares if q]
    unoffered = (candidate for candidate, quantity in shares if not quantity)
    others = [_offer(candidate, 0) for candidate in islice(unoffered, MORE_CANDIDATES)]
    return Suggestion(remaining=remaining, wanted=pieces, offers=offers, candidates=len(ranked), others=others)
