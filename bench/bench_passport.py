"""make bench, a piece passport's public page: what a buyer's phone downloads when she scans a
label (the HTML as sent, brotli and gzip, and the signed JSON), and how long the page takes,
through the real app on a fresh SQLite database.

One brand is seeded through the services: a maker who agreed to be named with her village
and photo, an order with a 300-character design story and a pattern photo, her work approved,
paid and confirmed, so the page shows everything it can. Each figure is one request through
the app in this process (httpx on the ASGI app, as the tests do); the timing is the median
of ``CALLS`` page views, each also counting its scan (a write). Budget (issue 27, "a few
KB"): the page's HTML at most 4 KB before compression, 2 KB as sent with brotli. A miss is
printed, not turned into an exit status.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import io
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

from bench.run import FOREIGN_ENV  # noqa: E402

KB = 1000
HTML_BUDGET = 4 * KB
SENT_BUDGET = 2 * KB
CALLS = 30
STORY = ("蝴蝶妈妈是苗族古歌里万物的母亲，她从枫树心里生出，生下了人类的始祖姜央。" * 8)[:300]


async def _seed() -> str:
    """The passport of an approved, paid and confirmed batch whose maker allowed everything."""
    from backend.accounts.consent import set_consent
    from backend.accounts.schemas import ConsentRead, VillageCreate
    from backend.accounts.service import create_brand, create_village, principal_for
    from backend.core.china_time import china_today
    from backend.core.types import Channel
    from backend.db.session import run
    from backend.demo import demo_photo
    from backend.jobs.dispatch import dispatch
    from backend.jobs.schemas import DispatchRequest, Offer
    from backend.orders.schemas import OrderCreate
    from backend.orders.service import create_order
    from backend.photos.service import upload_photo
    from bench.seed import _artisan, _coordinator, _to_state

    brand_id = await create_brand("wang", "王家手作")
    coordinator = await _coordinator(brand_id, number=500_000)
    village = await create_village(coordinator, VillageCreate(name="控拜村", county="雷山县", province="贵州省"))
    artisan_id, _token = await _artisan(brand_id, village.id, 500_001)
    artisan = await principal_for(artisan_id, Channel.APP)
    await set_consent(artisan, ConsentRead(name=True, display_name="绣娘阿花", photo=True, village=True))
    pattern = await upload_photo(coordinator, demo_photo(7))
    wanted = OrderCreate(
        title="苗绣蝴蝶纹围巾",
        craft="embroidery",
        quantity=40,
        unit_price_fen=4500,
        due_date=china_today() + dt.timedelta(days=20),
        description=STORY,
        photo_ids=[pattern.id],
    )
    order = await create_order(coordinator, wanted)
    [job] = await dispatch(coordinator, order.id, DispatchRequest(offers=[Offer(artisan_id=artisan_id, quantity=8)]))
    await _to_state(coordinator, artisan, job.id, "confirmed")
    return str((await run("SELECT id FROM passport WHERE job = {}", job.id))[0]["id"])


async def _sizes(client: httpx.AsyncClient, passport_id: str) -> dict[str, int]:
    """Bytes on the wire (as downloaded, before decoding) of the page in each encoding, and of its JSON."""
    found = {}
    for label, path, encoding in (
        ("page, uncompressed", f"/p/{passport_id}", "identity"),
        ("page, brotli", f"/p/{passport_id}", "br"),
        ("page, gzip", f"/p/{passport_id}", "gzip"),
        ("signed JSON, brotli", f"/p/{passport_id}.json", "br"),
    ):
        answer = await client.get(path, headers={"Accept-Encoding": encoding})
        if answer.status_code != 200:
            raise RuntimeError(f"{path}: {answer.status_code} {answer.text[:300]}")
        found[label] = answer.num_bytes_downloaded
    return found


async def _median_ms(client: httpx.AsyncClient, path: str) -> float:
    seconds = []
    for _call in range(CALLS):
        started = time.perf_counter()
        (await client.get(path)).raise_for_status()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds) * 1000


async def lane() -> None:
    from backend.app import create_app
    from backend.db import session

    with contextlib.redirect_stderr(io.StringIO()):  # Piccolo's report of each migration
        await session.migrate()
    await session.start()
    try:
        passport_id = await _seed()
        transport = httpx.ASGITransport(app=create_app(run_worker=False))  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://bench.local") as client:
            sizes = await _sizes(client, passport_id)
            page_ms = await _median_ms(client, f"/p/{passport_id}")
    finally:
        await session.stop()
    budgets = {"page, uncompressed": HTML_BUDGET, "page, brotli": SENT_BUDGET}
    print(f"  {'what':<24} {'bytes':>7}  budget")
    for label, size in sizes.items():
        budget = budgets.get(label)
        verdict = "" if budget is None else ("PASS" if size <= budget else "FAIL") + f" (at most {budget:,})"
        print(f"  {label:<24} {size:>7,}  {verdict}")
    print(f"  page view, median of {CALLS} (one scan counted each): {page_ms:.1f} ms")


def main() -> None:
    print("\nPiece passport: the public page a scanned label opens (300-character design story, everything shown)")
    with tempfile.TemporaryDirectory(prefix="cunjiang-passport-") as work:
        for name in FOREIGN_ENV:
            os.environ.pop(name, None)
        # The backend reads its database at import time: set before the first import.
        os.environ |= {
            "CUNJIANG_DATABASE_URL": f"sqlite:///{Path(work) / 'bench.sqlite3'}",
            "CUNJIANG_DATA_DIR": work,
            "CUNJIANG_SMS_QUIET_HOURS": "off",
        }
        logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request
        asyncio.run(lane())


if __name__ == "__main__":
    main()
