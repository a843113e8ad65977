"""make bench, voice calls: an order offered by SMS to 300 SMS-only artisans who take calls; the
questions left unanswered are followed by calls, placed by the worker through a local server
that speaks Aliyun's voice API (the official SDK's IvrCall); then each call's key press (1,
accept) is pushed as Aliyun pushes it, one report at a time. On SQLite and PostgreSQL.

Prints the calls handed to the voice gateway per second, and the report-to-effect latency:
from the push of a ``VoiceCallReport`` with ``dtmf`` 1 until the offer is accepted (the push is
stored and answered, and applied just after the answer, as production does); none twice.

``python -m bench.voice_calls`` runs both lanes, each in its own process (the backend reads
its database from the environment at import time).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path

ARTISANS = 300
TOKEN = "bench-callback-token"  # noqa: S105 - what the local pushes carry as ?token=


async def lane() -> dict[str, object]:
    """In a process whose environment names the database: seed, dispatch, place, answer."""
    import httpx

    from backend.app import create_app
    from backend.core.china_time import at_china_time, china_today
    from backend.db import session
    from backend.db.session import run
    from backend.gateways.aliyun_voice import AliyunVoiceGateway
    from backend.jobs.dispatch import dispatch
    from backend.jobs.schemas import DispatchRequest, Offer
    from backend.messages import registered
    from backend.orders.service import create_order
    from backend.voice.dispatch import call_due
    from bench.seed import _order, sms_villagers
    from tests.fakes.aliyun_server import fake_aliyun
    from tests.integration.voice.conftest import SHOW_NUMBER, filled_voice_sheet

    await session.migrate()
    await session.start()
    _brand_id, coordinator, artisans = await sms_villagers("calls", ARTISANS, 800_000, takes_calls=True)
    order = await create_order(coordinator, _order(0, quantity=ARTISANS))
    await dispatch(coordinator, order.id, DispatchRequest(offers=[Offer(artisan_id=a, quantity=1) for a in artisans]))
    tomorrow_noon = at_china_time(china_today() + dt.timedelta(days=1), dt.time(12))  # past the 4 hours' wait
    codes = registered.codes(filled_voice_sheet(Path(tempfile.mkdtemp())))
    app = create_app(run_worker=False)
    with fake_aliyun() as server:
        gateway = AliyunVoiceGateway("ak", "sk", SHOW_NUMBER, endpoint=server.url, codes=codes)
        started = time.perf_counter()
        while await call_due(gateway, now=tomorrow_noon, limit=50):
            pass
        placing = time.perf_counter() - started
        placed = list(server.placed)
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        lags = []
        async with httpx.AsyncClient(transport=transport, base_url="http://bench.local") as http:
            for call in placed:
                item = {"call_id": call.call_id, "status_code": "300000", "dtmf": "1", "out_id": call.out_id,
                        "status_time": "2026-12-07 12:00:20"}  # fmt: skip
                pushed = time.perf_counter()
                answer = await http.post("/voice/aliyun/report", params={"token": TOKEN}, json=[item])
                lags.append(time.perf_counter() - pushed)  # the background task has run when this returns
                answer.raise_for_status()
    accepted = await run(
        "SELECT COUNT(*) AS n FROM job WHERE \"order\" = {} AND status = 'accepted'", order.id
    )  # fmt: skip
    await session.stop()
    lags.sort()
    return {
        "placed": len(placed),
        "distinct": len({call.out_id for call in placed}),
        "calls_per_s": round(len(placed) / placing, 1) if placing else None,
        "effect_p50_ms": round(1000 * lags[len(lags) // 2], 1) if lags else None,
        "effect_p99_ms": round(1000 * lags[min(len(lags) - 1, int(len(lags) * 0.99))], 1) if lags else None,
        "accepted": accepted[0]["n"],
    }


def main() -> None:
    from bench.lanes import both_engines

    print(f"\nVoice calls: {ARTISANS} unanswered offers followed by calls through a local Aliyun (official SDK)")
    results = both_engines("bench.voice_calls", CUNJIANG_SMS_CALLBACK_TOKEN=TOKEN)
    for name, result in results.items():
        twice = int(str(result["placed"])) - int(str(result["distinct"]))
        print(
            f"  {name}: {result['placed']} calls handed to the gateway, {result['calls_per_s']}/s, {twice} twice; "
            f"key 1 pushed → offer accepted p50 {result['effect_p50_ms']} ms, p99 {result['effect_p99_ms']} ms; "
            f"{result['accepted']} accepted"
        )


if __name__ == "__main__":
    if sys.argv[1:] == ["lane"]:
        print(json.dumps(asyncio.run(lane())))
    else:
        main()
