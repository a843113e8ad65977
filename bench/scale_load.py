"""The load test of issue 25 on a year of 100,000 artisans: `make cluster` on a database that
bench/scale_seed.py filled, and each kind of work at its target rate through nginx, with an open
model (bench/openload.py: latency from the moment a request was due, dropped requests counted).

    python -m bench.scale_load --database postgresql://…/scale_100k --tokens tokens.json \\
        --storage /path/of/the/seeded/photos [--seconds 30] [--only feed,accept,sms,staff,dispatch,scaling]

Prints one JSON report: per kind its target and what was reached (rate, p50/p95/p99, errors,
dropped) and the CPU of the API processes, the client and the machine, so that a reader can
tell a slow server from a starved machine. The SMS go out through the local Aliyun of the
tests (tests/fakes/aliyun_server.py; ``--gateway twilio`` for the local Twilio), so an SMS
"handed to the gateway" is one it received; villagers' SMS come in by Twilio's signed webhook.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import asyncpg
import httpx
from twilio.request_validator import RequestValidator

from bench.cluster import Cluster
from bench.gateways import NAMES, OUR_NUMBER, TWILIO_TOKEN, local_gateway

STAFF_RATE = 8  # screens a second: 2 suggestions, 4 dashboards and 2 review queues of the biggest brand
FINAL_OR_HANDED = ("sent", "delivered", "undelivered", "failed", "suppressed", "merged")
TARGETS = {
    "feed": "500/s, p99 < 150 ms (half of them 304)",
    "accept": "100/s, p99 < 300 ms, 0 errors",
    "sms": "50/s, p99 < 500 ms to the answer queued",
    "staff": f"p95 < 200 ms (suggestion, dashboard, review queue; {STAFF_RATE}/s in turn)",
    "dispatch": "10,000 artisans < 3 s, their SMS handed to the gateway < 60 s",
    "scaling": "2 API processes ≥ 1.7× the throughput of 1",
}


def openload(
    cluster: Cluster, rate: float, seconds: float, requests: list[list[Any]], connections: int = 64
) -> dict[str, Any]:
    spec = {
        "host": "127.0.0.1",
        "port": cluster.port,
        "rate": rate,
        "duration": seconds,
        "connections": connections,
        "give_up": 5.0,
        "server_pids": [cluster.processes[name].pid for name in cluster.names("api")],
        "requests": requests,
    }
    done = subprocess.run(
        [sys.executable, "-m", "bench.openload"], input=json.dumps(spec).encode(), capture_output=True, check=True
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def bearer(token: str, **more: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **more}


# -- the kinds of work ---------------------------------------------------------------------------


async def feed(cluster: Cluster, tokens: dict[str, Any], seconds: float, db: asyncpg.Connection) -> dict[str, Any]:
    """Artisans' job lists: each once in full and once with the ETag she holds (304)."""
    artisans = [artisan[0] for artisan in tokens["artisans"][:3000]]
    pairs = []
    async with httpx.AsyncClient(base_url=cluster.url, timeout=30) as http:
        for token in artisans:
            answer = await http.get("/api/v1/jobs", headers=bearer(token))
            pairs.append((token, answer.headers["etag"]))
    requests = []
    for token, etag in pairs:
        requests.append(["GET", "/api/v1/jobs", bearer(token), "", [200], None])
        requests.append(["GET", "/api/v1/jobs", bearer(token, **{"If-None-Match": etag}), "", [304], None])
    return openload(cluster, 500, seconds, requests)


async def accept(cluster: Cluster, tokens: dict[str, Any], seconds: float, db: asyncpg.Connection) -> dict[str, Any]:
    """Offers accepted, each once, with an Idempotency-Key, as the app's outbox sends them."""
    offers = [(artisan[0], job) for artisan in tokens["artisans"] for job in artisan[1]]
    seconds = min(seconds, len(offers) / 100)
    headers = {"Content-Type": "application/json"}
    requests = [
        ["POST", f"/api/v1/jobs/{job}/accept", bearer(token, **headers, **{"Idempotency-Key": uuid.uuid4().hex}),
         "{}", [200], None]
        for token, job in offers
    ]  # fmt: skip
    return openload(cluster, 100, seconds, requests) | {"open_offers": len(offers)}


async def sms(cluster: Cluster, tokens: dict[str, Any], seconds: float, db: asyncpg.Connection) -> dict[str, Any]:
    """SMS-only villagers answering their open offers ("K12 1"), as Twilio posts them, signed."""
    rows = await db.fetch(
        "SELECT DISTINCT ON (p.phone) p.phone, j.code FROM job j JOIN member m ON m.id = j.artisan "
        "JOIN person p ON p.id = m.person WHERE p.sms_only AND j.status = 'offered' AND j.expires_at > now() "
        "ORDER BY p.phone, j.id LIMIT $1",
        int(50 * seconds),
    )
    validator = RequestValidator(TWILIO_TOKEN)
    url = cluster.url + "/sms/twilio/inbound"
    requests = []
    for row in rows:
        sid = f"SM{uuid.uuid4().hex}"
        form = {"MessageSid": sid, "From": row["phone"], "To": OUR_NUMBER, "Body": f"{row['code']} 1"}
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "X-Twilio-Signature": validator.compute_signature(url, form)}  # fmt: skip
        requests.append(["POST", "/sms/twilio/inbound", headers, urlencode(form), [200], sid])
    result = openload(cluster, 50, min(seconds, len(requests) / 50), requests)
    due: dict[str, float] = result.pop("tagged")
    answered = await _until(lambda: _answered(db, list(due)), len(due), 120)
    lags = sorted(answered[sid] - due[sid] for sid in answered)
    result["answer_queued"] = {
        "answered": len(answered),
        "p50_ms": round(1000 * lags[len(lags) // 2]) if lags else None,
        "p99_ms": round(1000 * lags[min(len(lags) - 1, int(len(lags) * 0.99))]) if lags else None,
    }
    return result


async def _answered(db: asyncpg.Connection, sids: list[str]) -> dict[str, float]:
    rows = await db.fetch(
        "SELECT provider_id, processed_at FROM sms_inbox WHERE provider_id = ANY($1) AND processed_at IS NOT NULL",
        sids,
    )
    return {row["provider_id"]: row["processed_at"].timestamp() for row in rows}


async def _until(probe: Callable[[], Any], wanted: int, patience: float) -> Any:
    """Poll until ``probe`` gives ``wanted`` items, or patience runs out (the report says how many)."""
    deadline = time.monotonic() + patience
    while True:
        found = await probe()
        if len(found) >= wanted or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.25)


async def staff(cluster: Cluster, tokens: dict[str, Any], seconds: float, db: asyncpg.Connection) -> dict[str, Any]:
    """A coordinator's screens, in turn: the dashboards, the review queue, whom to offer an
    order to; of the 10,000-artisan brand (the costliest: a suggestion reads the brand's year),
    then of a brand of the usual size (about 1,300 artisans) when the seed named one."""
    result = await _screens(cluster, tokens["brand"], tokens["staff"][0], seconds, db)
    if "typical" in tokens:
        typical = tokens["typical"]
        result["typical_brand"] = await _screens(cluster, typical["brand"], typical["staff"], seconds, db)
    return result


async def _screens(cluster: Cluster, brand: int, token: str, seconds: float, db: asyncpg.Connection) -> dict[str, Any]:
    orders = await db.fetch(
        "SELECT id FROM production_order WHERE brand = $1 AND status = 'open' AND due_date >= current_date "
        "AND quantity_accepted < quantity ORDER BY created_at DESC LIMIT 20",
        brand,
    )
    screens = ["/api/v1/dashboard/orders", "/api/v1/dashboard/villages", "/api/v1/submissions"]
    paths = [path for row in orders for path in (*screens, f"/api/v1/orders/{row['id']}/suggestion")]
    requests = [["GET", path, bearer(token), "", [200], None] for path in paths]
    return openload(cluster, STAFF_RATE, seconds, requests, connections=16)


async def dispatch(cluster: Cluster, tokens: dict[str, Any], seconds: float, db: asyncpg.Connection) -> dict[str, Any]:
    """One order offered to 10,000 artisans (two requests of 5,000, the API's limit), then the
    time until every SMS it caused is handed to the gateway."""
    artisans = [
        row["id"]
        for row in await db.fetch(
            "SELECT id FROM member WHERE brand = $1 AND role = 'artisan' ORDER BY id LIMIT 10000", tokens["brand"]
        )
    ]
    due = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)).isoformat()
    order = {"title": "苗绣围巾 万人单", "craft": "embroidery", "quantity": len(artisans), "unit_price_fen": 4500,
             "due_date": due}  # fmt: skip
    coordinator = bearer(tokens["staff"][0])
    async with httpx.AsyncClient(base_url=cluster.url, timeout=120, headers=coordinator) as http:
        created = (await http.post("/api/v1/orders", json=order)).raise_for_status().json()
        began = time.perf_counter()
        for part in (artisans[:5000], artisans[5000:]):
            offers = [{"artisan_id": a, "quantity": 1} for a in part]
            (await http.post(f"/api/v1/orders/{created['id']}/dispatch", json={"offers": offers})).raise_for_status()
        dispatched = time.perf_counter() - began
    texts = await db.fetchval(
        'SELECT count(*) FROM outbox_message o JOIN job j ON j.artisan = o.member AND j."order" = $1 '
        "WHERE o.kind IN ('offer', 'offers') AND o.created_at >= now() - interval '10 minutes'",
        created["id"],
    )

    async def handed() -> list[int]:
        pending = await db.fetchval(
            "SELECT count(*) FROM outbox_message WHERE status <> ALL($1) "
            "AND created_at >= now() - interval '10 minutes'",
            list(FINAL_OR_HANDED),
        )
        return [] if pending else [0]

    await _until(handed, 1, 300)
    return {
        "artisans": len(artisans),
        "dispatch_s": round(dispatched, 2),
        "sms_caused": texts,
        "all_handed_s": round(time.perf_counter() - began, 1),
    }


KINDS = {"feed": feed, "accept": accept, "sms": sms, "staff": staff, "dispatch": dispatch}


def _closed_feed_throughput(cluster: Cluster, tokens: dict[str, Any], seconds: float) -> float:
    """Requests per second of GET /jobs (304) at 32 connections: what the processes can do."""
    spec = {
        "host": "127.0.0.1",
        "port": cluster.port,
        "mode": "get304",
        "concurrency": 32,
        "warmup": 2,
        "duration": seconds,
        "server_pid": cluster.processes["api1"].pid,
        "token": tokens["artisans"][0][0],
    }
    done = subprocess.run(
        [sys.executable, "-m", "bench.loadgen"], input=json.dumps(spec).encode(), capture_output=True, check=True
    )
    return float(json.loads(done.stdout)["rps"])


def _cluster(args: argparse.Namespace, api: int, gateway: dict[str, str]) -> Cluster:
    env = {
        "CUNJIANG_STORAGE_URL": args.storage,
        "CUNJIANG_SMS_QUIET_HOURS": "off",
        "CUNJIANG_SMS_DAILY_CAP": "1000",
        "CUNJIANG_SMS_MERGE_MINUTES": "0",
    }
    return Cluster(api=api, workers=args.workers, database_url=args.database, extra_env=env | gateway)


async def main_async(args: argparse.Namespace, tokens: dict[str, Any]) -> dict[str, Any]:
    only = set(args.only.split(",")) if args.only else set(TARGETS)
    report: dict[str, Any] = {"targets": {kind: TARGETS[kind] for kind in TARGETS if kind in only}}
    with tempfile.TemporaryDirectory() as folder, local_gateway(args.gateway, Path(folder)) as gateway:
        report["gateway"] = gateway.name
        cluster = _cluster(args, args.api, gateway.env)
        print(f"starting the cluster ({args.api} API, {args.workers} workers)…", file=sys.stderr, flush=True)
        cluster.start()
        db = await asyncpg.connect(args.database)
        try:
            for kind, work in KINDS.items():
                if kind in only:
                    print(f"{kind}…", file=sys.stderr, flush=True)
                    report[kind] = await work(cluster, tokens, args.seconds, db)
            if "scaling" in only:
                print("scaling: GET /jobs at 32 connections, 2 API processes then 1…", file=sys.stderr, flush=True)
                two = _closed_feed_throughput(cluster, tokens, args.seconds / 2)
        finally:
            await db.close()
            cluster.stop()
        if "scaling" in only:
            single = _cluster(args, 1, gateway.env)
            single.start()
            try:
                one = _closed_feed_throughput(single, tokens, args.seconds / 2)
            finally:
                single.stop()
            report["scaling"] = {"rps_2_api": round(two), "rps_1_api": round(one), "ratio": round(two / one, 2)}
        report["sms_handed_to_gateway"] = len(gateway.handed())
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--tokens", required=True)
    parser.add_argument("--storage", required=True, help="the CUNJIANG_STORAGE_URL the seed stored its photos in")
    parser.add_argument("--api", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--gateway", choices=NAMES, default="aliyun", help="where the SMS go")
    parser.add_argument("--only", help="comma-separated kinds: " + ",".join(TARGETS))
    args = parser.parse_args()
    tokens = json.loads(Path(args.tokens).read_text(encoding="utf-8"))
    print(json.dumps(asyncio.run(main_async(args, tokens)), indent=2))


if __name__ == "__main__":
    main()
