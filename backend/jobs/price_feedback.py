"""An artisan's word that a piece rate is too low (价低), and what coordinators see of it.

She may say it of an offer or of work she accepted, with the piece rate she would take or
without; it declines nothing. One answer per job: a later one replaces the earlier, and
each is audited."""

from __future__ import annotations

from typing import Any

from backend.audit import record_event
from backend.core.errors import Invalid, InvalidTransition, OfferExpired
from backend.core.i18n import N_
from backend.core.types import Principal, as_datetime, utcnow
from backend.db.session import run, write_transaction
from backend.jobs.machine import Status, note_changed
from backend.jobs.schemas import PriceAnswer, PriceFeedbackRead, PriceFeedbackSummary
from backend.jobs.service import own_job
from backend.orders.service import brand_order

# Her word counts while the work is still to be done: an open offer, or work she accepted.
OPEN_TO_FEEDBACK = frozenset({Status.OFFERED, Status.ACCEPTED})
MAX_TIMES_RATE = 100

SAY = """
INSERT INTO price_feedback (job, brand, "order", artisan, price_fen, channel, created_at, updated_at)
VALUES ({}, {}, {}, {}, {}, {}, {}, {})
ON CONFLICT (job) DO UPDATE SET price_fen = excluded.price_fen, channel = excluded.channel,
  updated_at = excluded.updated_at
RETURNING id
"""


def _check_price(price_fen: int | None, unit_price_fen: int) -> None:
    if price_fen is None:
        return
    if price_fen <= 0:
        raise Invalid(N_("The price must be more than zero."), fields={"price_fen": "not_positive"})
    if price_fen > MAX_TIMES_RATE * max(unit_price_fen, 1):
        raise Invalid(
            N_("That price is more than {times} times the piece rate; check the amount."),
            fields={"price_fen": "price_too_high"},
            times=MAX_TIMES_RATE,
        )


async def say_price_too_low(actor: Principal, job_id: int, price_fen: int | None = None) -> PriceFeedbackRead:
    """Tell the coordinators that the job's piece rate is too low, and perhaps what she would
    take a piece; the offer or the work stays as it is."""
    async with write_transaction():
        actor, job = await own_job(actor, job_id)
        status = Status(job["status"])
        if status == Status.OFFERED and as_datetime(job["expires_at"]) <= utcnow():
            raise OfferExpired()
        if status not in OPEN_TO_FEEDBACK:
            raise InvalidTransition(status=status)
        _check_price(price_fen, job["unit_price_fen"])
        now = utcnow()
        channel = actor.channel.value
        values = (job_id, actor.brand_id, job["order_id"], actor.member_id, price_fen, channel, now, now)
        await run(SAY, *values)
        note_changed([job_id])  # her app's card shows that it was sent
        await record_event(
            actor,
            brand_id=actor.brand_id,
            entity="job",
            entity_id=job_id,
            action="price_feedback",
            price_fen=price_fen,
            unit_price_fen=job["unit_price_fen"],
        )
    return PriceFeedbackRead(job_id=job_id, price_fen=price_fen, channel=channel, at=now)


ANSWERS = """
SELECT f.job AS job_id, f.artisan AS artisan_id, m.name, COALESCE(v.name, '') AS village, f.price_fen,
       f.channel, f.updated_at
FROM price_feedback f JOIN member m ON m.id = f.artisan LEFT JOIN village v ON v.id = m.village
WHERE f."order" = {} AND f.brand = {} ORDER BY f.updated_at, f.id
"""
OPEN_OFFERS = 'SELECT COUNT(*) AS n FROM job WHERE "order" = {} AND status = {} AND expires_at > {}'


def _median(prices: list[int]) -> int | None:
    """The middle price asked; of an even number, the mean of the middle two rounded half up."""
    if not prices:
        return None
    ordered = sorted(prices)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle] + 1) // 2


def _answer(row: dict[str, Any]) -> PriceAnswer:
    return PriceAnswer(
        job_id=row["job_id"],
        artisan_id=row["artisan_id"],
        name=row["name"],
        village=row["village"],
        price_fen=row["price_fen"],
        channel=row["channel"],
        at=as_datetime(row["updated_at"]),
    )


async def order_price_feedback(actor: Principal, order_id: int) -> PriceFeedbackSummary:
    """What the artisans said of the order's piece rate, for its brand's coordinators."""
    await brand_order(actor, order_id)
    answers = [_answer(row) for row in await run(ANSWERS, order_id, actor.brand_id)]
    offers = await run(OPEN_OFFERS, order_id, Status.OFFERED.value, utcnow())
    prices = [answer.price_fen for answer in answers if answer.price_fen is not None]
    return PriceFeedbackSummary(
        answers=answers, count=len(answers), offers_open=int(offers[0]["n"]), median_price_fen=_median(prices)
    )
