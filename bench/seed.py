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
from collections.abc import Awaitable, Callable

from backend.accounts.schemas import VillageCreate
from backend.accounts.service import add_member, create_brand, create_village, principal_for
from backend.auth.service import issue_token, resolve_token
from backend.core.china_time import china_today
from backend.core.types import Channel, Principal, Role
from backend.db import session
from backend.demo import demo_photo
from backend.jobs.dispatch import dispatch
from backend.jobs.schemas import Decision, DispatchRequest, Offer, ReviewRequest, SubmissionCreate
from backend.jobs.service import accept_job, decline_job
from backend.jobs.submissions import review_submission, submit_work
from backend.orders.schemas import OrderCreate
from backend.orders.service import create_order
from backend.payouts.schemas import PayoutCreate, PayoutMethod
from backend.payouts.service import confirm_payout, record_payout
from backend.photos.service import upload_photo

PHONE_BASE = 13_900_000_000  # +86 139…: valid mobile numbers, all distinct
PWA_PHONES = 300_000  # the browser bench's brand
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


async def sms_villagers(
    slug: str, count: int, first: int, *, takes_calls: bool = False
) -> tuple[int, Principal, list[int]]:
    """A brand (its id), its coordinator, and ``count`` SMS-only artisans of one village (their
    member ids), numbered from ``PHONE_BASE + first``; the coordinator's number is ``first - 1``."""
    brand_id = await create_brand(slug, f"{slug.title()} Brand")
    coordinator = await _coordinator(brand_id, number=first - 1)
    village = await create_village(coordinator, VillageCreate(name="控拜村", county="雷山县", province="贵州省"))
    artisans = []
    for n in range(count):
        member = await add_member(
            brand_id,
            role=Role.ARTISAN,
            phone=f"+86{PHONE_BASE + first + n}",
            name=f"绣娘{n:04d}",
            village_id=village.id,
            crafts=["embroidery"],
            sms_only=True,
            takes_calls=takes_calls,
        )
        artisans.append(member.id)
    return brand_id, coordinator, artisans


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


async def seed_photos(count: int) -> dict[str, object]:
    """``count`` different photos of one artisan through the upload service (four objects each
    in the store), for the backup drill (``bench/backup_drill.py``)."""
    brand_id = await create_brand("photos", "Photos Brand")
    coordinator = await _coordinator(brand_id, number=SMS_PHONES - 4)
    village = await create_village(coordinator, VillageCreate(name="控拜村", county="雷山县", province="贵州省"))
    artisan_id, _token = await _artisan(brand_id, village.id, SMS_PHONES - 5)
    artisan = await principal_for(artisan_id, Channel.APP)
    for number in range(count):
        await upload_photo(artisan, demo_photo(1000 + number))
    return {"photos": count}


async def seed_uploader() -> dict[str, object]:
    """One artisan with a token, to upload photos."""
    brand_id = await create_brand("uploads", "Uploads Brand")
    coordinator = await _coordinator(brand_id, number=SMS_PHONES - 2)
    village = await create_village(coordinator, VillageCreate(name="控拜村", county="雷山县", province="贵州省"))
    _member, token = await _artisan(brand_id, village.id, SMS_PHONES - 3)
    return {"token": token}


# The browser bench's artisan: her jobs in the states an artisan's list really holds.
PWA_JOBS = (
    ["offered"] * 3 + ["accepted"] * 2 + ["declined", "submitted", "rework", "approved"] + ["paid"] * 2 + ["confirmed"]
)
PWA_TITLES = ("苗绣蝴蝶纹围巾", "蜡染靠垫套", "手工刺绣杯垫（六片装）", "百鸟衣纹样抱枕", "锡绣零钱包")


async def _to_state(coordinator: Principal, artisan: Principal, job_id: int, state: str) -> None:
    """Move one job of ``artisan`` from offered to ``state`` through the services."""
    if state == "declined":
        await decline_job(artisan, job_id, "农忙")
        return
    if state == "offered":
        return
    await accept_job(artisan, job_id)
    if state == "accepted":
        return
    photo = await upload_photo(artisan, demo_photo(job_id))
    submission = await submit_work(artisan, job_id, SubmissionCreate(quantity=8, photo_ids=[photo.id]))
    if state == "submitted":
        return
    if state == "rework":
        rework = ReviewRequest(decision=Decision.REWORK, reason="线头没剪干净")
        await review_submission(coordinator, submission.id, rework)
        return
    await review_submission(coordinator, submission.id, ReviewRequest(decision=Decision.APPROVE))
    if state == "approved":
        return
    payout = await record_payout(coordinator, job_id, PayoutCreate(method=PayoutMethod.WECHAT, reference=f"WX{job_id}"))
    if state == "confirmed":
        await confirm_payout(artisan, payout.id)


async def seed_pwa() -> dict[str, object]:
    """One app artisan with ``PWA_JOBS`` jobs (some paid, so payouts too) and her phone and token."""
    brand_id = await create_brand("pwa", "PWA Brand")
    coordinator = await _coordinator(brand_id, number=PWA_PHONES - 1)
    village = await create_village(coordinator, VillageCreate(name="控拜村", county="雷山县", province="贵州省"))
    artisan_id, token = await _artisan(brand_id, village.id, PWA_PHONES)
    artisan = await principal_for(artisan_id, Channel.APP)
    for n, state in enumerate(PWA_JOBS):
        # One order per job, so each card has its own title, code and piece rate.
        title = f"{PWA_TITLES[n % len(PWA_TITLES)]} 第{n // len(PWA_TITLES) + 1}批"
        wanted = OrderCreate(
            title=title,
            craft="embroidery",
            quantity=40,
            unit_price_fen=3800 + 350 * n,
            due_date=china_today() + dt.timedelta(days=14 + n),
            quality_notes="针脚均匀，不露线头。",
        )
        order = await create_order(coordinator, wanted)
        offer = DispatchRequest(offers=[Offer(artisan_id=artisan_id, quantity=8)])
        [job] = await dispatch(coordinator, order.id, offer)
        await _to_state(coordinator, artisan, job.id, state)
    return {"phone": f"+86{PHONE_BASE + PWA_PHONES}", "token": token, "jobs": len(PWA_JOBS)}


CHAOS_PHONES = 400_000  # the chaos brand's numbers


async def seed_chaos(app: int, sms: int) -> dict[str, object]:
    """The chaos run's brand: a coordinator's and ``app`` app artisans' tokens, and ``sms``
    SMS-only villagers' phones and ids, in one village; the run makes its orders itself."""
    brand_id = await create_brand("chaos", "混沌工坊")
    coordinator = await _coordinator(brand_id, number=CHAOS_PHONES - 1)
    village = await create_village(coordinator, VillageCreate(name="控拜村", county="雷山县", province="贵州省"))
    artisans = [await _artisan(brand_id, village.id, CHAOS_PHONES + n) for n in range(app)]
    villagers = []
    for n in range(sms):
        phone = f"+86{PHONE_BASE + CHAOS_PHONES + app + n}"
        member = await add_member(
            brand_id,
            role=Role.ARTISAN,
            phone=phone,
            name=f"短信绣娘{n:03d}",
            village_id=village.id,
            crafts=["embroidery"],
            sms_only=True,
        )
        villagers.append((member.id, phone))
    return {
        "coordinator": await issue_token(coordinator.member_id),
        "app": artisans,
        "sms": villagers,
    }


SEEDS: dict[str, Callable[..., Awaitable[dict[str, object]]]] = {
    "accept": seed,
    "dispatch": seed_dispatch,
    "sms": seed_sms,
    "uploader": seed_uploader,
    "photos": seed_photos,
    "pwa": seed_pwa,
    "chaos": seed_chaos,
}


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
