"""Seed a fresh database for the benchmark through the project's own services; print JSON.

Run as ``python -m bench.seed accept ORDERS ARTISANS``, ``python -m bench.seed dispatch
ARTISANS ORDERS`` or ``python -m bench.seed sms ARTISANS ORDERS`` with
``CUNJIANG_DATABASE_URL`` set: the backend reads it at import time,
which is why this runs in its own process.

``accept`` makes ``ORDERS`` open orders and dispatches each, in one call, to the reading artisan
and to ``ARTISANS`` accepting artisans (an artisan can hold one open offer per order), so
the reading artisan ends with ``ORDERS`` jobs and there are ``ORDERS × ARTISANS`` offers,
grouped by order as a dispatch creates them, for the accept lane.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys
import time

from backend.accounts.schemas import VillageCreate
from backend.accounts.service import add_member, create_brand, create_village, principal_for
from backend.auth.service import issue_token, resolve_token
from backend.core.types import Channel, Principal, Role, china_today
from backend.db import session
from backend.jobs.dispatch import dispatch
from backend.jobs.schemas import DispatchRequest, Offer
from backend.orders.schemas import OrderCreate
from backend.orders.service import create_order

PHONE_BASE = 13_900_000_000  # +86 139…: valid mobile numbers, all distinct
DISPATCH_PHONES = 100_000  # the dispatch brand's numbers start here, after the accept lane's
SMS_PHONES = 200_000  # and the texting villagers' here


async def _artisan(brand_id: int, village_id: int, number: int) -> tuple[int, str]:
    """An app user with a token; resolving it once marks them recently seen (no offer SMS)."""
    member = await add_member(
        brand_id,
        role=Role.ARTISAN,
        phone=f"+86{PHONE_BASE + number}",
        name=f"绣娘{number:04d}",
        village_id=village_id,
        crafts=["embroidery"],
    )
    token = await issue_token(member.id)
    await resolve_token(token)
    return member.id, token


async def _coordinator(brand_id: int, number: int = 0) -> Principal:
    member = await add_member(brand_id, role=Role.COORDINATOR, phone=f"+86{PHONE_BASE + number}", name="协调员")
    return await principal_for(member.id, Channel.CONSOLE)


def _order(n: int, quantity: int) -> OrderCreate:
    return OrderCreate(
        title=f"苗绣围巾 第{n + 1}批",
        craft="embroidery",
        quantity=quantity,
        unit_price_fen=4500,
        due_date=china_today() + dt.timedelta(days=30),
    )


async def seed(orders: int, artisans: int) -> dict[str, object]:
    brand_id = await create_brand("bench", "Bench Brand")
    coordinator = await _coordinator(brand_id)
    village = await create_village(coordinator, VillageCreate(name="控拜村", county="雷山县", province="贵州省"))
    reader_id, reader_token = await _artisan(brand_id, village.id, 1)
    acceptors = [await _artisan(brand_id, village.id, 2 + i) for i in range(artisans)]
    tokens = dict(acceptors)
    offers = [Offer(artisan_id=reader_id, quantity=1)] + [Offer(artisan_id=a, quantity=1) for a, _ in acceptors]
    accept_jobs: list[tuple[int, str]] = []
    for n in range(orders):
        order = await create_order(coordinator, _order(n, quantity=100_000))
        jobs = await dispatch(coordinator, order.id, DispatchRequest(offers=offers))
        accept_jobs += [(job.id, tokens[job.artisan_id]) for job in jobs if job.artisan_id != reader_id]
    return {"reader_token": reader_token, "reader_jobs": orders, "accept_jobs": accept_jobs}


async def seed_dispatch(artisans: int, orders: int) -> dict[str, object]:
    """A brand of ``artisans`` SMS-only artisans in 28 villages and ``orders`` open orders to
    dispatch to all of them: every offer is a job, an audit row and an SMS in the outbox."""
    brand_id = await create_brand("dispatch", "Dispatch Brand")
    coordinator = await _coordinator(brand_id, number=DISPATCH_PHONES - 1)
    villages = [
        (await create_village(coordinator, VillageCreate(name=f"村{n}", county="雷山县", province="贵州省"))).id
        for n in range(28)
    ]
    artisan_ids = []
    for n in range(artisans):
        member = await add_member(
            brand_id,
            role=Role.ARTISAN,
            phone=f"+86{PHONE_BASE + DISPATCH_PHONES + n}",
            name=f"绣娘{n:04d}",
            village_id=villages[n % len(villages)],
            crafts=["embroidery"],
            sms_only=True,
        )
        artisan_ids.append(member.id)
    order_ids = [(await create_order(coordinator, _order(n, quantity=artisans * 5))).id for n in range(orders)]
    token = await issue_token(coordinator.member_id)
    return {"token": token, "orders": order_ids, "artisans": artisan_ids}


async def seed_sms(artisans: int, orders: int) -> dict[str, object]:
    """``artisans`` SMS-only villagers, each offered work by SMS (``orders`` orders share them):
    each can answer "1" once, and the conversation knows what that means."""
    brand_id = await create_brand("sms", "SMS Brand")
    coordinator = await _coordinator(brand_id, number=SMS_PHONES - 1)
    village = await create_village(coordinator, VillageCreate(name="控拜村", county="雷山县", province="贵州省"))
    phones, offers = [], []
    for n in range(artisans):
        phone = f"+86{PHONE_BASE + SMS_PHONES + n}"
        member = await add_member(
            brand_id,
            role=Role.ARTISAN,
            phone=phone,
            name=f"绣娘{n:04d}",
            village_id=village.id,
            crafts=["embroidery"],
            sms_only=True,
        )
        phones.append(phone)
        offers.append(Offer(artisan_id=member.id, quantity=1))
    share = -(-artisans // orders)
    for n in range(orders):
        order = await create_order(coordinator, _order(n, quantity=share))
        await dispatch(coordinator, order.id, DispatchRequest(offers=offers[n * share : (n + 1) * share]))
    return {"phones": phones}


async def seed_uploader() -> dict[str, object]:
    """One artisan with a token, to upload photos."""
    brand_id = await create_brand("uploads", "Uploads Brand")
    coordinator = await _coordinator(brand_id, number=SMS_PHONES - 2)
    village = await create_village(coordinator, VillageCreate(name="控拜村", county="雷山县", province="贵州省"))
    _member, token = await _artisan(brand_id, village.id, SMS_PHONES - 3)
    return {"token": token}


SEEDS = {"accept": seed, "dispatch": seed_dispatch, "sms": seed_sms, "uploader": seed_uploader}


async def main(mode: str, *numbers: int) -> None:
    started = time.perf_counter()
    await session.migrate()
    await session.start()
    try:
        result = await SEEDS[mode](*numbers)
    finally:
        await session.stop()
    result["seconds"] = round(time.perf_counter() - started, 2)
    sys.stdout.write(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], *map(int, sys.argv[2:])))
