"""``make chaos``: kill -9 under load on ``make cluster``; a JSON report of lost, doubled and stuck work.

The cluster (2 API processes, 2 workers, PostgreSQL, moto's S3, the local Aliyun SMS of the
tests, or with ``--gateway twilio`` the local Twilio) takes a fixed-rate load through nginx:
one new order a second (an open model: the next one starts on time whatever the last one is
doing), each dispatched to three app artisans and one SMS villager, more pieces offered than
the order holds, so that accepts race. Each app artisan accepts, uploads a photo (every other
one by tus in three PATCHes, resumed from the offset HEAD gives after a failure, whichever API
process answers), submits; the coordinator approves and pays; the artisan confirms. Each
villager answers "1" by SMS, the signed webhook delivered two or three times with one
MessageSid, as gateways repeat. Every POST carries an Idempotency-Key and a client retries an
unknown outcome (no answer, 502/503/504, a key still in progress) with the same key, as the
PWA does. Meanwhile a random API or worker process is killed with SIGKILL every 2–10 s and
restarted; with ``--restart-postgres``, PostgreSQL itself is
restarted once (``pg_ctlcluster … restart -m immediate``).

After a drain, the checks read the database, in the manner of Jepsen's queue checker:
acknowledged writes lost, duplicate effects, orders over-allocated, outbox messages not in
a final state, SMS the gateway received twice (Aliyun: none, its OutId and QuerySendDetails
settle an unknown outcome; Twilio: at most the worker kills, which can land during a send),
inbound SMS answered twice, and 5xx answers outside the moments of a kill.

    python -m bench.chaos [--seconds 180] [--restart-postgres] [--gateway aliyun|twilio] [--seed 7]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from PIL import Image
from twilio.request_validator import RequestValidator

from backend.core.china_time import china_today
from bench.cluster import Cluster
from bench.gateways import NAMES, OUR_NUMBER, TWILIO_TOKEN, LocalGateway, local_gateway

UNKNOWN = {502, 503, 504}
GIVE_UP_SECONDS = 180.0
ANSWER_KINDS_EXCLUDED = ("offer", "offers", "payout_sent", "rework", "otp")
FINAL = ("sent", "delivered", "undelivered", "failed", "suppressed", "merged")


KINDS = ("order", "dispatch", "accept", "upload", "photo", "submission", "approve", "payout", "confirm", "sms")
TUS = {"Tus-Resumable": "1.0.0"}


@dataclass
class Ledger:
    """What the clients were told, and when the cluster was being hurt."""

    acknowledged: dict[str, list[Any]] = field(default_factory=lambda: {k: [] for k in KINDS})
    retries: Counter[str] = field(default_factory=Counter)
    gave_up: list[str] = field(default_factory=list)
    server_errors: list[tuple[float, int, str]] = field(default_factory=list)
    hurt: list[tuple[float, float, str]] = field(default_factory=list)  # (from, to, what)
    requests: int = 0


class Client:
    """POSTs with a key, retried with the same key until the answer is known."""

    def __init__(self, http: httpx.AsyncClient, ledger: Ledger) -> None:
        self.http = http
        self.ledger = ledger

    async def post(self, path: str, token: str | None, **kwargs: Any) -> httpx.Response | None:
        headers = {"Idempotency-Key": str(uuid.uuid4())} | kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        started = time.monotonic()
        while time.monotonic() - started < GIVE_UP_SECONDS:
            self.ledger.requests += 1
            try:
                answer = await self.http.post(path, headers=headers, **kwargs)
            except httpx.TransportError:
                self.ledger.retries["no answer"] += 1
                await asyncio.sleep(0.2)
                continue
            if answer.status_code >= 500:
                self.ledger.server_errors.append((time.monotonic(), answer.status_code, path))
            in_progress = answer.status_code == 409 and answer.json().get("code") == "idempotency_in_progress"
            if answer.status_code in UNKNOWN or answer.status_code == 500 or in_progress:
                self.ledger.retries[str(answer.status_code)] += 1
                await asyncio.sleep(0.2)
                continue
            return answer
        self.ledger.gave_up.append(path)
        return None


def _jpeg(seed: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (seed % 256, (seed * 7) % 256, (seed * 13) % 256)).save(out, "JPEG")
    return out.getvalue()


@dataclass
class Run:
    client: Client
    ledger: Ledger
    coordinator: str
    app: list[tuple[int, str]]
    sms: list[tuple[int, str]]
    public_url: str
    rng: random.Random
    stories: list[asyncio.Task[None]] = field(default_factory=list)

    async def order(self, n: int) -> None:
        due = (china_today() + dt.timedelta(days=30)).isoformat()
        body = {"title": f"苗绣围巾 第{n}批", "craft": "embroidery", "quantity": 10, "unit_price_fen": 4500}
        made = await self.client.post("/api/v1/orders", self.coordinator, json=body | {"due_date": due})
        if made is None or made.status_code != 201:
            return
        order_id = made.json()["id"]
        self.ledger.acknowledged["order"].append(order_id)
        artisans = [self.app[(3 * n + i) % len(self.app)] for i in range(3)]
        villager = self.sms[n % len(self.sms)]
        offers = [{"artisan_id": a, "quantity": 5} for a, _ in artisans] + [{"artisan_id": villager[0], "quantity": 5}]
        sent = await self.client.post(f"/api/v1/orders/{order_id}/dispatch", self.coordinator, json={"offers": offers})
        if sent is None or sent.status_code != 201:
            return
        jobs = {job["artisan_id"]: job["id"] for job in sent.json()["jobs"]}
        self.ledger.acknowledged["dispatch"].append(order_id)
        work = [self.artisan(jobs[a], token, n) for a, token in artisans]
        await asyncio.gather(*work, self.villager(villager[1]))

    async def artisan(self, job_id: int, token: str, n: int) -> None:
        accepted = await self.client.post(f"/api/v1/jobs/{job_id}/accept", token, json={"quantity": 5})
        if accepted is None or accepted.status_code != 200:
            return  # the order was full: a definite no
        self.ledger.acknowledged["accept"].append((job_id, 5))
        picture = _jpeg(job_id + n)
        if job_id % 2:
            photo = await self.client.post("/api/v1/photos", token, files={"file": ("work.jpg", picture, "image/jpeg")})
        else:  # resumable: created on one API process, continued on whichever nginx picks
            upload_id = await self.upload(token, picture)
            photo = (
                None
                if upload_id is None
                else await self.client.post("/api/v1/photos", token, json={"upload_id": upload_id})
            )
        if photo is None or photo.status_code != 201:
            return
        photo_id = photo.json()["id"]
        self.ledger.acknowledged["photo"].append(photo_id)
        body = {"quantity": 5, "photo_ids": [photo_id]}
        submitted = await self.client.post(f"/api/v1/jobs/{job_id}/submissions", token, json=body)
        if submitted is None or submitted.status_code != 201:
            return
        submission = submitted.json()["id"]
        self.ledger.acknowledged["submission"].append((job_id, submission))
        review = {"decision": "approve"}
        approved = await self.client.post(f"/api/v1/submissions/{submission}/review", self.coordinator, json=review)
        if approved is None or approved.status_code != 200:
            return
        self.ledger.acknowledged["approve"].append(job_id)
        pay = {"method": "wechat", "reference": f"WX{job_id}"}
        paid = await self.client.post(f"/api/v1/jobs/{job_id}/payout", self.coordinator, json=pay)
        if paid is None or paid.status_code != 201:
            return
        payout = paid.json()["id"]
        self.ledger.acknowledged["payout"].append((job_id, payout))
        confirmed = await self.client.post(f"/api/v1/payouts/{payout}/confirm", token)
        if confirmed is not None and confirmed.status_code == 200:
            self.ledger.acknowledged["confirm"].append(payout)

    async def upload(self, token: str, data: bytes) -> str | None:
        """A tus upload in three PATCHes; after a failed one, HEAD says where to go on from."""
        metadata = "filename d29yay5qcGc=,filetype aW1hZ2UvanBlZw=="  # work.jpg, image/jpeg
        headers = TUS | {"Upload-Length": str(len(data)), "Upload-Metadata": metadata}
        made = await self.client.post("/api/v1/uploads", token, headers=headers)
        if made is None or made.status_code != 201:
            return None
        location = made.headers["location"]
        auth = TUS | {"Authorization": f"Bearer {token}"}
        offset, chunk, started = 0, -(-len(data) // 3), time.monotonic()
        while offset < len(data) and time.monotonic() - started < GIVE_UP_SECONDS:
            self.ledger.requests += 1
            body = data[offset : offset + chunk]
            patch = auth | {"Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"}
            try:
                answer = await self.client.http.patch(location, headers=patch, content=body)
                if answer.status_code == 204:
                    offset = int(answer.headers["upload-offset"])
                    continue
                if answer.status_code >= 500:
                    self.ledger.server_errors.append((time.monotonic(), answer.status_code, "PATCH upload"))
                self.ledger.retries[f"PATCH {answer.status_code}"] += 1
                head = await self.client.http.head(location, headers=auth)
                offset = int(head.headers.get("upload-offset", offset))
            except httpx.TransportError:
                self.ledger.retries["PATCH no answer"] += 1
            await asyncio.sleep(0.2)
        if offset < len(data):
            self.ledger.gave_up.append(location)
            return None
        self.ledger.acknowledged["upload"].append(location)
        return str(location.rstrip("/").rsplit("/", 1)[1])

    async def villager(self, phone: str) -> None:
        """'1' by SMS, the webhook delivered two or three times with one MessageSid."""
        form = {"MessageSid": f"SM{uuid.uuid4().hex}", "From": phone, "To": OUR_NUMBER, "Body": "1"}
        path = "/sms/twilio/inbound"
        signature = RequestValidator(TWILIO_TOKEN).compute_signature(self.public_url + path, form)
        for _ in range(self.rng.choice((2, 3))):
            answer = await self.client.post(path, None, data=form, headers={"X-Twilio-Signature": signature})
            if answer is not None and answer.status_code == 200:
                self.ledger.acknowledged["sms"].append((phone, form["MessageSid"]))

    async def load(self, seconds: float, rate: float) -> None:
        started = time.monotonic()
        n = 0
        while (intended := started + n / rate) < started + seconds:
            await asyncio.sleep(max(0.0, intended - time.monotonic()))
            self.stories.append(asyncio.create_task(self.order(n)))
            n += 1
        await asyncio.gather(*self.stories)


async def chaos_monkey(cluster: Cluster, ledger: Ledger, stop: asyncio.Event, rng: random.Random, pg: bool) -> None:
    """A random API or worker process killed with SIGKILL every 2–10 s, then started again."""
    victims = cluster.names("api") + cluster.names("worker")
    postgres_at = time.monotonic() + 40 if pg else float("inf")
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), rng.uniform(2, 10))
            return
        except TimeoutError:
            pass
        if time.monotonic() > postgres_at:
            postgres_at = float("inf")
            began = time.monotonic()
            await asyncio.to_thread(_restart_postgres)
            ledger.hurt.append((began, time.monotonic() + 5, "postgres"))
            continue
        name = rng.choice(victims)
        began = time.monotonic()
        cluster.kill9(name)
        await asyncio.to_thread(cluster.restart, name)
        ledger.hurt.append((began, time.monotonic() + 2, name))


def _restart_postgres() -> None:
    clusters = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True)  # noqa: S607
    version, name = clusters.stdout.split()[:2]
    subprocess.run(["pg_ctlcluster", version, name, "restart", "-m", "immediate"], check=True)  # noqa: S603,S607


async def drain(database_url: str, seconds: float = 120) -> float:
    """Until no outbox message waits for a sender (or the time is up); how long it took."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        try:
            db = await asyncpg.connect(database_url)
            try:
                waiting = await db.fetchval(
                    "SELECT count(*) FROM outbox_message WHERE status IN ('pending', 'sending', 'unconfirmed')"
                )
            finally:
                await db.close()
            if waiting == 0:
                break
        except (OSError, asyncpg.PostgresError):
            pass
        await asyncio.sleep(0.5)
    return time.monotonic() - started


async def _ids(db: asyncpg.Connection, table: str, where: str = "TRUE") -> set[int]:
    """The ids of a table's rows (that match ``where``): one query, not one per row asked about."""
    return {r["id"] for r in await db.fetch(f"SELECT id FROM {table} WHERE {where}")}  # noqa: S608 - our names


async def check(database_url: str, ledger: Ledger, gateway: LocalGateway, worker_kills: int) -> dict[str, Any]:
    db = await asyncpg.connect(database_url)
    try:
        jobs = {r["id"]: r for r in await db.fetch("SELECT id, status, quantity_accepted FROM job")}
        lost = {
            "accept": [j for j, q in ledger.acknowledged["accept"] if jobs[j]["quantity_accepted"] != q],
            "order": len(set(ledger.acknowledged["order"]))
            - await db.fetchval(
                "SELECT count(*) FROM production_order WHERE id = ANY($1)", ledger.acknowledged["order"]
            ),
            "submission": len({s for _, s in ledger.acknowledged["submission"]} - await _ids(db, "submission")),
            "payout": len({p for _, p in ledger.acknowledged["payout"]} - await _ids(db, "payout")),
            "confirm": len(set(ledger.acknowledged["confirm"]) - await _ids(db, "payout", "status = 'confirmed'")),
        }
        doubled = {
            "orders": await db.fetchval("SELECT count(*) FROM production_order")
            - len(set(ledger.acknowledged["order"])),
            "photos": await db.fetchval("SELECT count(*) FROM photo") - len(ledger.acknowledged["photo"]),
            "submissions_per_job": await db.fetchval(
                "SELECT count(*) FROM (SELECT job FROM submission GROUP BY job HAVING count(*) > 1) t"
            ),
            "payouts_per_job": await db.fetchval(
                "SELECT count(*) FROM (SELECT job FROM payout GROUP BY job HAVING count(*) > 1) t"
            ),
            "accepts_per_job": await db.fetchval(
                "SELECT count(*) FROM (SELECT entity_id FROM audit_event WHERE entity = 'job' "
                "AND to_status = 'accepted' GROUP BY entity_id HAVING count(*) > 1) t"
            ),
            "dispatches": await db.fetchval(
                'SELECT count(*) FROM (SELECT "order", artisan FROM job GROUP BY "order", artisan '
                "HAVING count(*) > 1) t"
            ),
        }
        over_allocated = await db.fetchval(
            "SELECT count(*) FROM production_order o WHERE o.quantity < "
            '(SELECT coalesce(sum(j.quantity_accepted), 0) FROM job j WHERE j."order" = o.id)'
        )
        not_final = await db.fetchval("SELECT count(*) FROM outbox_message WHERE status <> ALL($1)", list(FINAL))
        handed = await db.fetchval("SELECT count(*) FROM outbox_message WHERE provider_sid IS NOT NULL")
        villagers = {phone for phone, _ in ledger.acknowledged["sms"]}
        answers = await db.fetch(
            "SELECT to_phone, count(*) AS n FROM outbox_message WHERE to_phone = ANY($1) AND kind <> ALL($2) "
            "GROUP BY to_phone",
            list(villagers),
            list(ANSWER_KINDS_EXCLUDED),
        )
        answered = {r["to_phone"]: r["n"] for r in answers}
        inbox = await db.fetchval("SELECT count(*) FROM sms_inbox")
    finally:
        await db.close()
    in_hurt = [e for e in ledger.server_errors if any(a <= e[0] <= b for a, b, _ in ledger.hurt)]
    return {
        "acknowledged": {kind: len(v) for kind, v in ledger.acknowledged.items()},
        "lost": {kind: (len(v) if isinstance(v, list) else v) for kind, v in lost.items()},
        "duplicates": doubled,
        "orders_over_allocated": over_allocated,
        "outbox_not_final": not_final,
        "gateway": {
            "name": gateway.name,
            "sends_received": len(gateway.handed()),
            "messages_handed": handed,
            "duplicates": gateway.duplicates(),
            # Twilio takes no key: a worker killed between its send and recording it sends again.
            # Aliyun's OutId and QuerySendDetails settle such an unknown outcome: none allowed.
            "allowed_up_to": worker_kills if gateway.name == "twilio" else 0,
        },
        "inbound_sms": {
            "villagers": len(villagers),
            "stored": inbox,
            "answered_twice": sum(n > 1 for n in answered.values()),
            "unanswered": len(villagers - set(answered)),
        },
        "server_errors": {
            "total": len(ledger.server_errors),
            "outside_kills": len(ledger.server_errors) - len(in_hurt),
        },
        "client": {"requests": ledger.requests, "retries": dict(ledger.retries), "gave_up": len(ledger.gave_up)},
        "kills": Counter(what.rstrip("0123456789") for _, _, what in ledger.hurt),
    }


def _seed(cluster: Cluster, app: int, sms: int) -> dict[str, Any]:
    env = os.environ | {
        "CUNJIANG_DATABASE_URL": cluster.database_url,
        "CUNJIANG_DATA_DIR": str(cluster.folder / "seed"),
    }
    out = subprocess.run(  # noqa: S603 - our own seed
        [sys.executable, "-m", "bench.seed", "chaos", str(app), str(sms)], env=env, capture_output=True, check=True
    )
    seeded: dict[str, Any] = json.loads(out.stdout)
    return seeded


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as folder, local_gateway(args.gateway, Path(folder)) as gateway:
        env = gateway.env | {
            "CUNJIANG_SMS_QUIET_HOURS": "off",
            "CUNJIANG_SMS_DAILY_CAP": "1000",
            "CUNJIANG_SMS_MERGE_MINUTES": "0",
        }
        cluster = Cluster(api=args.api, workers=args.workers, extra_env=env)
        print(f"starting the cluster ({args.api} API, {args.workers} workers)…", file=sys.stderr, flush=True)
        try:
            cluster.start()
            seeded = _seed(cluster, app=30, sms=max(10, int(args.seconds * args.rate)))
            ledger = Ledger()
            stop = asyncio.Event()
            limits = httpx.Limits(max_connections=200, max_keepalive_connections=50)
            async with httpx.AsyncClient(base_url=cluster.url, timeout=30, limits=limits) as http:
                run = Run(
                    Client(http, ledger),
                    ledger,
                    seeded["coordinator"],
                    [tuple(a) for a in seeded["app"]],
                    [tuple(v) for v in seeded["sms"]],
                    cluster.url,
                    rng,
                )
                print(f"load for {args.seconds:.0f} s with kills…", file=sys.stderr, flush=True)
                monkey = asyncio.create_task(chaos_monkey(cluster, ledger, stop, rng, args.restart_postgres))
                await run.load(args.seconds, args.rate)
                stop.set()
                await monkey
            for name in cluster.names("api") + cluster.names("worker"):
                await asyncio.to_thread(cluster.restart, name)  # all up for the drain
            print("draining…", file=sys.stderr, flush=True)
            drained = await drain(cluster.database_url)
            worker_kills = sum(1 for _, _, what in ledger.hurt if what.startswith("worker"))
            report = await check(cluster.database_url, ledger, gateway, worker_kills)
            report["drain_seconds"] = round(drained, 1)
            return report
        finally:
            cluster.stop()


def verdict(report: dict[str, Any]) -> list[str]:
    """What the report says went wrong; empty when nothing did."""
    wrong = [f"lost {kind}: {n}" for kind, n in report["lost"].items() if n]
    wrong += [f"duplicate {kind}: {n}" for kind, n in report["duplicates"].items() if n]
    if report["orders_over_allocated"]:
        wrong.append(f"orders over-allocated: {report['orders_over_allocated']}")
    if report["outbox_not_final"]:
        wrong.append(f"outbox messages not final: {report['outbox_not_final']}")
    sent = report["gateway"]
    if sent["duplicates"] > sent["allowed_up_to"]:
        wrong.append(f"{sent['name']} duplicates {sent['duplicates']} > allowed {sent['allowed_up_to']}")
    if report["inbound_sms"]["answered_twice"] or report["inbound_sms"]["unanswered"]:
        wrong.append(f"inbound SMS: {report['inbound_sms']}")
    if report["server_errors"]["outside_kills"]:
        wrong.append(f"5xx outside kills: {report['server_errors']['outside_kills']}")
    if report["client"]["gave_up"]:
        wrong.append(f"requests given up: {report['client']['gave_up']}")
    return wrong


def main() -> int:
    parser = argparse.ArgumentParser(prog="make chaos", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=180, help="how long the load and the kills last")
    parser.add_argument("--rate", type=float, default=1.0, help="new orders per second")
    parser.add_argument("--api", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--restart-postgres", action="store_true", help="restart PostgreSQL once (-m immediate)")
    parser.add_argument("--seed", type=int, default=7, help="the random choices' seed")
    parser.add_argument("--gateway", choices=NAMES, default="aliyun", help="the local SMS gateway the workers use")
    args = parser.parse_args()
    report = asyncio.run(main_async(args))
    report["wrong"] = verdict(report)
    print(json.dumps(report, ensure_ascii=False, indent=2, default=dict))
    return 1 if report["wrong"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
