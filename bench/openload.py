"""An open-model load generator: requests at a fixed arrival rate, each timed from the moment
it was due, so that a slow server shows as latency and dropped requests rather than as a
politely slower client (the "coordinated omission" of closed loops, as wrk2 avoids it).

Run as ``python -m bench.openload`` with a JSON spec on stdin; prints a JSON result. Like
bench/loadgen.py, whose raw keep-alive connections it uses, it runs in its own process.

Spec: host, port, rate (requests per second), duration (seconds), connections (at most this
many open at once), give_up (a request still waiting for a connection this many seconds
after it was due is dropped, not sent), server_pids (for their CPU), and requests: a list of
``[method, path, headers, body, ok_statuses, tag]`` sent in turn, from the start again when
the list is shorter than the run. ``tag`` (or null) names the request in ``due``: the
wall-clock time it was due, for timing what the server does after answering (an SMS's reply).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bench.loadgen import HttpConnection, _connect, _cpu_ticks, _machine_busy, _request, serve


@dataclass
class Outcome:
    latencies: dict[str, list[float]] = field(default_factory=dict)  # by path group
    statuses: Counter[str] = field(default_factory=Counter)
    dropped: int = 0
    due: dict[str, float] = field(default_factory=dict)
    samples: list[str] = field(default_factory=list)


def _group(path: str) -> str:
    """/api/v1/orders/12/suggestion → /api/v1/orders/{id}/suggestion"""
    return "/".join("{id}" if part.isdigit() else part for part in path.split("?")[0].split("/"))


class Pool:
    """Idle keep-alive connections, and a cap on how many exist at once."""

    def __init__(self, host: str, port: int, size: int) -> None:
        self.host, self.port = host, port
        self.slots = asyncio.Semaphore(size)
        self.idle: list[HttpConnection] = []

    async def take(self) -> HttpConnection:
        while self.idle:
            connection = self.idle.pop()
            if connection.transport is not None:
                return connection
        return await _connect(self.host, self.port)

    def give_back(self, connection: HttpConnection, close: bool) -> None:
        if close or connection.transport is None:
            if connection.transport is not None:
                connection.transport.close()
            return
        self.idle.append(connection)


async def _one(pool: Pool, item: list[Any], request: bytes, due: float, give_up: float, out: Outcome) -> None:
    _method, path, _headers, _body, ok, _tag = item
    clock = time.perf_counter
    async with pool.slots:
        if clock() - due > give_up:
            out.dropped += 1
            return
        try:
            connection = await pool.take()
            reply = await connection.send(request)
        except OSError as error:  # refused, reset, lost: ConnectionError is one
            out.statuses[f"connection: {error}"[:60]] += 1
            return
        done = clock()
        pool.give_back(connection, reply.close)
    out.statuses[str(reply.status)] += 1
    if reply.status in ok:
        out.latencies.setdefault(_group(path), []).append(done - due)
    elif len(out.samples) < 5:
        out.samples.append(f"{reply.status} {path}: {reply.body[:200]!r}")


def _percentiles(values: list[float]) -> dict[str, float | int]:
    ordered = sorted(values)
    if not ordered:
        return {"n": 0}

    def at(q: float) -> float:
        return round(1000 * ordered[min(len(ordered) - 1, int(len(ordered) * q))], 1)

    return {"n": len(ordered), "p50_ms": at(0.5), "p90_ms": at(0.9), "p95_ms": at(0.95), "p99_ms": at(0.99),
            "max_ms": round(1000 * ordered[-1], 1)}  # fmt: skip


async def run(spec: dict[str, Any]) -> dict[str, Any]:
    host = f"{spec['host']}:{spec['port']}"
    items = spec["requests"]
    prepared = [_request(m, p, host, h, b.encode()) for m, p, h, b, _ok, _tag in items]
    for item in items:
        item[4] = set(item[4])
    pool = Pool(spec["host"], spec["port"], spec["connections"])
    out = Outcome()
    total = int(spec["rate"] * spec["duration"])
    pids = spec.get("server_pids", [])
    before = (time.process_time(), [_cpu_ticks(pid) for pid in pids], _machine_busy())
    start, wall = time.perf_counter() + 0.2, time.time() + 0.2
    tasks = []
    for n in range(total):
        due = start + n / spec["rate"]
        late = due - time.perf_counter()
        if late > 0:
            await asyncio.sleep(late)
        item = items[n % len(items)]
        if item[5]:
            out.due[item[5]] = wall + (due - start)
        tasks.append(asyncio.create_task(_one(pool, item, prepared[n % len(items)], due, spec["give_up"], out)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    after = (time.process_time(), [_cpu_ticks(pid) for pid in pids], _machine_busy())
    server = sum((b or 0) - (a or 0) for a, b in zip(before[1], after[1], strict=True))
    machine = None
    if before[2] and after[2] and after[2][1] > before[2][1]:
        machine = round(100 * (after[2][0] - before[2][0]) / (after[2][1] - before[2][1]))
    everything = [value for values in out.latencies.values() for value in values]
    return {
        "rate": spec["rate"],
        "due": total,
        "ok": len(everything),
        "dropped": out.dropped,
        "statuses": dict(out.statuses),
        "seconds": round(elapsed, 2),
        "ok_per_s": round(len(everything) / elapsed, 1),
        "latency": _percentiles(everything),
        "by_path": {path: _percentiles(values) for path, values in out.latencies.items()},
        "client_cpu": round(100 * (after[0] - before[0]) / elapsed),
        "server_cpu": round(100 * server / elapsed),
        "machine_cpu": machine,
        "samples": out.samples,
        "tagged": out.due,
    }


def main() -> None:
    serve(run)


if __name__ == "__main__":
    main()
