"""make bench: the job feed, accepting offers, dispatching and villagers' SMS, against bare
Litestar, on SQLite and PostgreSQL.

Every server is a real uvicorn process (one worker, the same settings for all): the bare
yardstick (``bench/bare_app.py``) and the real app on a fresh SQLite file, then on a fresh
PostgreSQL database. Data is seeded beforehand through the project's services
(``bench/seed.py``) and the load comes from a separate process (``bench/loadgen.py``).
The budgets: GET /jobs reaches at least 40% of the bare endpoint's rate, an accept with an
Idempotency-Key 10%, and one dispatch of 1,400 offers takes under a second. A miss is
printed, not turned into a failing exit status. The SMS row sends Twilio's signed webhooks
(each villager answers "1" to their offer) and times, besides the webhook's answer, the
moment each reply was queued, from the database's clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
HOST = "127.0.0.1"
PG_SERVER = os.environ.get("CUNJIANG_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
CONCURRENCY = 16
WARMUP_S = 1.0
DURATION_S = 5.0
BUDGET = 0.40  # GET /jobs, of bare
ACCEPT_BUDGET = 0.10  # POST /jobs/{id}/accept with an Idempotency-Key, of bare
DISPATCH_BUDGET_S = 1.0  # one order to 1,400 artisans
DISPATCH_OFFERS = 1400
DISPATCH_ROUNDS = 3
DISPATCH_ROW = f"POST /orders/{{id}}/dispatch, {DISPATCH_OFFERS:,} offers"
ORDERS = 50  # the reading artisan gets one job per order: 50 jobs
ACCEPTORS = {"sqlite": 300, "postgres": 200}  # × ORDERS offers for the accept lane, more than it can use
FOREIGN_ENV = (
    "CUNJIANG_STORAGE_URL",
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "TWILIO_FROM",
    "CUNJIANG_SMS_PROVIDER",
)
SMS_VILLAGERS = {"sqlite": 6000, "postgres": 4000}  # each texts "1" once: more than a window uses
SMS_ORDERS = 30
SMS_ROW = "POST /sms/twilio/inbound, signed"
# The webhook lane: Twilio's signature checked against this address; replies to the console gateway.
SMS_ENV = {"TWILIO_AUTH_TOKEN": "bench-auth-token", "CUNJIANG_PUBLIC_URL": "http://bench.local"}


@dataclass
class Row:
    lane: str
    endpoint: str
    result: dict[str, Any]
    budget: float | None = None  # the least share of bare's req/s
    max_ms: float | None = None  # the longest a request may take (dispatch)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _answers(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=1) as connection:
            connection.sendall(b"GET /api/v1/jobs HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
            return connection.recv(16).startswith(b"HTTP/1.1 ")
    except OSError:
        return False


@contextlib.contextmanager
def serve(target: str, env: dict[str, str], log: Path, *, factory: bool = False) -> Iterator[tuple[int, int]]:
    """Run uvicorn on a free port until the block ends; yields (pid, port)."""
    port = _free_port()
    command = [PYTHON, "-m", "uvicorn", *(["--factory"] if factory else []), target]
    command += ["--host", HOST, "--port", str(port), "--log-level", "warning", "--no-access-log"]
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        deadline = time.monotonic() + 30
        while not _answers(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{target} did not start:\n{log.read_text()[-2000:]}")
            time.sleep(0.1)
        yield process.pid, port
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _python(module: str, *args: str, env: dict[str, str] | None = None, stdin: str = "", timeout: float = 300) -> Any:
    """Run ``python -m module`` and decode the JSON it prints."""
    try:
        done = subprocess.run(  # noqa: S603
            [PYTHON, "-m", module, *args],
            input=stdin,
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            check=False,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as error:
        raise RuntimeError(f"{module} still running after {timeout:g} s") from error
    if done.returncode != 0:
        raise RuntimeError(f"{module} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout)


def load(pid: int, port: int, mode: str, **spec: Any) -> dict[str, Any]:
    base = {"host": HOST, "port": port, "server_pid": pid, "mode": mode}
    timing = {"concurrency": CONCURRENCY, "warmup": WARMUP_S, "duration": DURATION_S}
    limit = WARMUP_S + DURATION_S + 60  # a server that stops answering must not hang the run
    return _python("bench.loadgen", stdin=json.dumps(base | timing | spec), timeout=limit)  # type: ignore[no-any-return]


def dispatch(port: int, seeded: dict[str, Any]) -> dict[str, Any]:
    """Time whole dispatches of one order to every seeded SMS-only artisan (one request each)."""
    offers = [{"artisan_id": artisan, "quantity": 1} for artisan in seeded["artisans"]]
    headers = {"Authorization": f"Bearer {seeded['token']}"}
    seconds: list[float] = []
    errors: dict[str, int] = {}
    with httpx.Client(base_url=f"http://{HOST}:{port}", headers=headers, timeout=120) as client:
        for order_id in seeded["orders"]:
            started = time.perf_counter()
            response = client.post(f"/api/v1/orders/{order_id}/dispatch", json={"offers": offers})
            seconds.append(time.perf_counter() - started)
            if response.status_code != 201 or len(response.json()["jobs"]) != len(offers):
                errors[str(response.status_code)] = errors.get(str(response.status_code), 0) + 1
    seconds.sort()
    return {
        "rps": len(seconds) / sum(seconds),
        "p50_ms": seconds[len(seconds) // 2] * 1000,
        "p99_ms": seconds[-1] * 1000,
        "errors": errors,
        "samples": [],
        "exhausted": False,
        "dispatch": True,
    }


def bare(work: Path, label: str) -> Row:
    with serve("bench.bare_app:app", dict(os.environ), work / f"bare-{label}.log") as (pid, port):
        return Row("bare", f"GET /jobs, memory ({label})", load(pid, port, "get", expect_jobs=ORDERS))


def _split_offers(jobs: list[Any]) -> tuple[list[Any], list[Any]]:
    """The accept lane's offers (grouped by order, as dispatches made them) in two sets:
    one spread over half the orders, as artisans accept offers of many orders in a day,
    and one for the other half in order, so that all connections race for one order's pieces."""
    per_order = len(jobs) // ORDERS
    orders = [jobs[n * per_order : (n + 1) * per_order] for n in range(ORDERS)]
    spread = [order[i] for i in range(per_order) for order in orders[: ORDERS // 2]]
    racing = [job for order in orders[ORDERS // 2 :] for job in order]
    return spread, racing


def real_app(lane: str, database_url: str, work: Path) -> list[Row]:
    """Seed, serve the real app, and measure its rows."""
    env = {k: v for k, v in os.environ.items() if k not in FOREIGN_ENV}
    env |= {"CUNJIANG_DATABASE_URL": database_url, "CUNJIANG_DATA_DIR": str(work / lane)} | SMS_ENV
    seeded = _python("bench.seed", "accept", str(ORDERS), str(ACCEPTORS[lane]), env=env)
    to_dispatch = _python("bench.seed", "dispatch", str(DISPATCH_OFFERS), str(DISPATCH_ROUNDS), env=env)
    villagers = _python("bench.seed", "sms", str(SMS_VILLAGERS[lane]), str(SMS_ORDERS), env=env)
    settle(database_url)
    print(
        f"  {lane}: seeded {seeded['reader_jobs']} jobs to read, {len(seeded['accept_jobs'])} offers to accept "
        f"in {seeded['seconds']} s"
    )
    spread, racing = _split_offers(seeded["accept_jobs"])
    with serve("backend.app:create_app", env, work / f"{lane}.log", factory=True) as (pid, port):
        reader = {"token": seeded["reader_token"], "expect_jobs": seeded["reader_jobs"]}
        rows = [
            Row(lane, "GET /jobs", load(pid, port, "get", **reader), budget=BUDGET),
            Row(lane, "GET /jobs If-None-Match → 304", load(pid, port, "get304", **reader)),
            Row(lane, "POST /jobs/{id}/accept", load(pid, port, "accept", jobs=spread), ACCEPT_BUDGET),
            Row(lane, "accept, all racing for one order", load(pid, port, "accept", jobs=racing)),
            Row(lane, DISPATCH_ROW, dispatch(port, to_dispatch), max_ms=DISPATCH_BUDGET_S * 1000),
        ]
        texts = [[phone, "1"] for phone in villagers["phones"]]
        sms = load(
            pid,
            port,
            "sms",
            messages=texts,
            auth_token=SMS_ENV["TWILIO_AUTH_TOKEN"],
            public_url=SMS_ENV["CUNJIANG_PUBLIC_URL"],
        )
        time.sleep(1.0)  # the last answers of the window
    sms["answered"] = answered_after(database_url, sms.pop("sent", {}))
    return [*rows, Row(lane, SMS_ROW, sms)]


def settle(database_url: str) -> None:
    """Let PostgreSQL catch up with the seeding (statistics, visibility map) before the clock
    starts, rather than have autovacuum do it in the middle of a row."""
    if not database_url.startswith("sqlite"):
        asyncio.run(_execute(database_url, "VACUUM ANALYZE"))


async def _execute(database_url: str, sql: str) -> None:
    connection = await asyncpg.connect(database_url, timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def answered_after(database_url: str, sent: dict[str, float]) -> dict[str, Any]:
    """Seconds from each webhook's sending to its answer being queued (the inbox row marked
    processed in the transaction that queues the reply), from the database's own clock."""
    if database_url.startswith("sqlite"):
        import sqlite3

        with contextlib.closing(sqlite3.connect(database_url.removeprefix("sqlite:///"))) as db:
            rows = db.execute("SELECT provider_id, processed_at FROM sms_inbox WHERE provider = 'twilio'").fetchall()
        found = {sid: datetime.fromisoformat(at).timestamp() for sid, at in rows if at}
    else:
        found = asyncio.run(_pg_answers(database_url))
    waits = sorted(found[sid] - at for sid, at in sent.items() if sid in found)
    if not waits:
        return {"sent": len(sent), "answered": 0}
    return {
        "sent": len(sent),
        "answered": len(waits),
        "p50_ms": 1000 * waits[len(waits) // 2],
        "p99_ms": 1000 * waits[min(len(waits) - 1, int(len(waits) * 0.99))],
    }


async def _pg_answers(database_url: str) -> dict[str, float]:
    connection = await asyncpg.connect(database_url, timeout=5)
    try:
        rows = await connection.fetch("SELECT provider_id, processed_at FROM sms_inbox WHERE provider = 'twilio'")
    finally:
        await connection.close()
    return {row["provider_id"]: row["processed_at"].timestamp() for row in rows if row["processed_at"]}


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(PG_SERVER, timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@contextlib.contextmanager
def postgres_database() -> Iterator[str | None]:
    """A fresh database on the local server, dropped afterwards; None when unreachable."""
    name = f"cunjiang_bench_{secrets.token_hex(4)}"
    try:
        asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        print(f"  postgres: not reachable at {PG_SERVER} ({error}); lane skipped")
        yield None
        return
    try:
        yield PG_SERVER.rsplit("/", 1)[0] + f"/{name}"
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _lane(lane: str, database_url: str | None, work: Path) -> list[Row]:
    if database_url is None:
        return []
    try:
        return real_app(lane, database_url, work)
    except RuntimeError as error:  # one broken lane should not hide the other's figures
        print(f"  {lane}: lane failed: {error}")
        return []


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _verdict(row: Row, reference: float) -> tuple[str, str]:
    if row.max_ms is not None:
        longest = row.result["p99_ms"]
        return "", ("PASS" if longest < row.max_ms else "FAIL") + f" (<{row.max_ms / 1000:g} s)"
    if row.lane == "bare" or not reference:
        return "", ""
    ratio = row.result["rps"] / reference
    if row.budget is None:
        return f"{ratio:.0%}", "(no budget)"
    return f"{ratio:.0%}", ("PASS" if ratio >= row.budget else "FAIL") + f" (≥{row.budget:.0%})"


def _cpu(result: dict[str, Any]) -> tuple[str, str]:
    """Server CPU µs per answered request, and CPU use as % of one core: client/server/everything else."""
    client, server, machine = (result.get(k) for k in ("client_cpu", "server_cpu", "machine_cpu"))
    if client is None or server is None or machine is None or not result["rps"]:
        return "?", "?"
    other = max(0, machine * (result.get("cores") or 1) - client - server)
    return f"{server * 10_000 / result['rps']:.0f}", f"{client}/{server}/{other}"


def print_table(rows: list[Row], reference: float) -> None:
    header = (
        "lane",
        "endpoint",
        "req/s",
        "p50 ms",
        "p99 ms",
        "vs bare",
        "budget",
        "errors",
        "srv µs/req",
        "cpu% cli/srv/other",
    )
    lines = [header]
    for row in rows:
        r = row.result
        ratio, verdict = _verdict(row, reference)
        errors = str(sum(r["errors"].values()))
        lines.append(
            (
                row.lane,
                row.endpoint,
                f"{r['rps']:.0f}",
                _ms(r["p50_ms"]),
                _ms(r["p99_ms"]),
                ratio,
                verdict,
                errors,
                *_cpu(r),
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for n, line in enumerate(lines):
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())
        if n == 0:
            print("  ".join("-" * width for width in widths))
    print("\nsrv µs/req: CPU time of the server process per answered request (steadier than req/s when the")
    print("machine is shared). cpu%: % of one core used by the load generator, the server process, and")
    print("everything else on the machine (PostgreSQL's own processes, other work).")


def print_sms(rows: list[Row]) -> None:
    """The SMS lane's second clock: from Twilio's webhook to the villager's answer queued."""
    for row in rows:
        answered = row.result.get("answered")
        if answered is None:
            continue
        if not answered.get("answered"):
            print(f"  {row.lane}: inbound SMS → answer queued: no answers found for {answered['sent']} sent")
            continue
        print(
            f"  {row.lane}: inbound SMS → answer queued: p50 {answered['p50_ms']:.1f} ms, "
            f"p99 {answered['p99_ms']:.1f} ms ({answered['answered']} of {answered['sent']} sent in the window)"
        )


def print_notes(rows: list[Row], bare_rows: list[Row]) -> None:
    print_sms(rows)
    for row in rows:
        r = row.result
        if r["errors"]:
            print(f"  errors in {row.lane} {row.endpoint}: {r['errors']}")
            for sample in r["samples"]:
                print(f"    e.g. {sample}")
        if r["exhausted"]:
            print(f"  {row.lane} {row.endpoint}: ran out of seeded offers after {r['seconds']} s of the window")
    _cost_ratios(rows, bare_rows)
    for row in bare_rows:
        _client_check(row)


def _cost_ratios(rows: list[Row], bare_rows: list[Row]) -> None:
    """The budget rows again, by server CPU per request: what req/s would say on a quiet machine."""
    bare_costs = [float(cost) for cost, _ in map(_cpu, (row.result for row in bare_rows)) if cost != "?"]
    if not bare_costs:
        return
    bare_cost = sum(bare_costs) / len(bare_costs)
    for row in rows:
        cost = _cpu(row.result)[0]
        if row.budget is not None and cost != "?":
            print(f"  {row.lane} {row.endpoint}: by server CPU per request {bare_cost / float(cost):.0%} of bare")


def _client_check(row: Row) -> None:
    """Say whether the bare figure measures the server or this load generator."""
    r = row.result
    client, server, machine = r.get("client_cpu"), r.get("server_cpu"), r.get("machine_cpu")
    if client is None or server is None or machine is None:
        print("  client check: no /proc here, CPU use unknown")
        return
    other = max(0, machine * (r.get("cores") or 1) - client - server)
    said = f"during '{row.endpoint}' the server used {server}% of a core, the load generator {client}%"
    if server >= 85:
        print(f"  client check: {said}: the server is the limit, not the client")
    elif other >= 25:
        print(f"  client check: {said}, other processes {other}%: the machine was shared, figures are noisy")
    else:
        print(f"  client check: WARNING {said}: the client may be the limit, bare figures may be low")


def main() -> None:
    print(
        f"Cunjiang bench: one uvicorn worker per server, {CONCURRENCY} keep-alive connections, "
        f"{WARMUP_S:g} s warm-up + {DURATION_S:g} s measured per row, {os.cpu_count()} CPU cores"
    )
    with tempfile.TemporaryDirectory(prefix="cunjiang-bench-", ignore_cleanup_errors=True) as tmp:
        work = Path(tmp)
        bare_rows = [bare(work, "start")]
        rows = _lane("sqlite", f"sqlite:///{work / 'bench.sqlite3'}", work)
        with postgres_database() as url:
            rows += _lane("postgres", url, work)
        bare_rows.append(bare(work, "end"))
    reference = sum(row.result["rps"] for row in bare_rows) / len(bare_rows)
    print(f"\nbare reference: {reference:.0f} req/s (mean of the start and end runs)\n")
    print_table([bare_rows[0], *rows, bare_rows[1]], reference)
    print()
    print_notes(rows, bare_rows)


if __name__ == "__main__":
    main()
