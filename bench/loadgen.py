"""A small HTTP/1.1 keep-alive load generator: fixed connections, warm-up, then a timed window.

Run as ``python -m bench.loadgen`` with a JSON spec on stdin; prints a JSON result. It runs
in its own process so that its CPU is not the server's, and talks raw HTTP over asyncio
protocols (uvloop when installed) because on a two-core machine the client's own cost per
request decides whether we measure the server or ourselves. It reports its CPU use and the
server's (from /proc) over the measured window so the reader can tell which one was busy.

Spec: host, port, mode (``get``, ``get304``, ``accept``), concurrency, warmup and duration
(seconds), server_pid, and for ``get*`` token and expect_jobs, for ``accept`` jobs: a list
of [job_id, token], each accepted once, in order, with a fresh Idempotency-Key; for ``sms``
messages (a list of [phone, body]), auth_token and public_url: each sent once as Twilio
would, signed, with a fresh MessageSid; the result then has ``sent``, the wall-clock time
each MessageSid was sent inside the window (to time the answer on the server's side).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import sys
import time
import uuid
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import msgspec

MAX_SAMPLES = 5
SMS_PATH = "/sms/twilio/inbound"
SID_HEADER = re.compile(rb"X-Bench-Sid: (SM[0-9a-f]+)")


class _Job(msgspec.Struct):
    id: int
    status: str


class _Feed(msgspec.Struct):
    jobs: list[_Job]


_feed = msgspec.json.Decoder(_Feed)
_job = msgspec.json.Decoder(_Job)


class Reply(msgspec.Struct):
    status: int
    etag: bytes | None
    body: bytes
    close: bool


class HttpConnection(asyncio.Protocol):
    """One keep-alive connection, one request at a time; bodies framed by Content-Length."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future[Reply] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError(f"connection lost: {exc}"))

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.waiter is None or self.waiter.done():
            return
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        lines = bytes(self.buffer[:end]).split(b"\r\n")
        status = int(lines[0][9:12])
        length, etag, close = 0, None, False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"etag":
                etag = value.strip()
            elif name == b"connection":
                close = value.strip().lower() == b"close"
            elif name == b"transfer-encoding":
                self.waiter.set_exception(ConnectionError("chunked responses are not supported"))
                return
        if status in (204, 304):
            length = 0
        total = end + 4 + length
        if len(self.buffer) < total:
            return
        body = bytes(self.buffer[end + 4 : total])
        del self.buffer[:total]
        self.waiter.set_result(Reply(status, etag, body, close))

    async def send(self, request: bytes) -> Reply:
        if self.transport is None:
            raise ConnectionError("not connected")
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(request)
        return await self.waiter


async def _connect(host: str, port: int) -> HttpConnection:
    _transport, protocol = await asyncio.get_running_loop().create_connection(HttpConnection, host, port)
    return protocol


def _request(method: str, path: str, host: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def _check_feed(expected: int) -> Callable[[Reply], str | None]:
    def check(reply: Reply) -> str | None:
        if reply.status != 200:
            return f"status {reply.status}"
        jobs = _feed.decode(reply.body).jobs
        return None if len(jobs) == expected else f"{len(jobs)} jobs, expected {expected}"

    return check


def _check_not_modified(reply: Reply) -> str | None:
    return None if reply.status == 304 and not reply.body else f"status {reply.status}"


def _check_accepted(reply: Reply) -> str | None:
    if reply.status != 200:
        return f"status {reply.status}"
    status = _job.decode(reply.body).status
    return None if status == "accepted" else f"job status {status}"


def _check_twiml(reply: Reply) -> str | None:
    return None if reply.status == 200 and b"<Response>" in reply.body else f"status {reply.status}"


def _cpu_ticks(pid: int) -> float | None:
    """User + system CPU seconds of a process, from /proc (Linux); None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _machine_busy() -> tuple[float, float] | None:
    """(busy, total) CPU seconds of the whole machine, from /proc/stat."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except OSError:
        return None
    tick = os.sysconf("SC_CLK_TCK")
    total = sum(values)  # user nice system idle iowait irq softirq steal (guest time is inside user)
    return (total - values[3] - values[4]) / tick, total / tick


@dataclass
class Window:
    """What happened between the end of the warm-up and the end of the run."""

    start: float
    end: float
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    samples: list[str] = field(default_factory=list)
    last_done: float = 0.0
    sent: dict[str, float] = field(default_factory=dict)  # sms: MessageSid → wall-clock time sent

    def record(self, started: float, done: float, problem: str | None, body: bytes) -> None:
        if started < self.start or done > self.end:
            return  # warm-up, or finished after the window closed
        self.last_done = max(self.last_done, done)
        if problem is None:
            self.latencies.append(done - started)
            return
        self.errors[problem] = self.errors.get(problem, 0) + 1
        if len(self.samples) < MAX_SAMPLES:
            self.samples.append(f"{problem}: {body[:300]!r}")


class Plan:
    """The requests to send, and how to judge each answer."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.host = f"{spec['host']}:{spec['port']}"
        self.requests: Iterator[bytes]
        self.check: Callable[[Reply], str | None]

    async def prepare(self) -> None:
        spec, mode = self.spec, self.spec["mode"]
        if mode == "sms":
            self.requests = iter(self._signed_texts())
            self.check = _check_twiml
            return
        if mode == "accept":
            self.requests = (self._accept(job_id, token) for job_id, token in spec["jobs"])
            self.check = _check_accepted
            return
        headers = {"Authorization": f"Bearer {spec.get('token', '')}"}
        if mode == "get304":
            connection = await _connect(spec["host"], spec["port"])
            first = await connection.send(_request("GET", "/api/v1/jobs", self.host, headers))
            connection.transport.close()  # type: ignore[union-attr]
            if first.etag is None:
                raise SystemExit("get304: the server sent no ETag")
            headers["If-None-Match"] = first.etag.decode("latin-1")
            self.check = _check_not_modified
        else:
            self.check = _check_feed(spec["expect_jobs"])
        request = _request("GET", "/api/v1/jobs", self.host, headers)
        self.requests = iter(lambda: request, None)

    def _signed_texts(self) -> list[bytes]:
        """Every webhook ready before the clock starts: signing is Twilio's work, not the server's."""
        from twilio.request_validator import RequestValidator

        validator = RequestValidator(self.spec["auth_token"])
        url = self.spec["public_url"] + SMS_PATH
        requests = []
        for phone, body in self.spec["messages"]:
            sid = f"SM{uuid.uuid4().hex}"
            form = {"MessageSid": sid, "From": phone, "To": "+15005550006", "Body": body}
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": validator.compute_signature(url, form),
                "X-Bench-Sid": sid,
            }
            requests.append(_request("POST", SMS_PATH, self.host, headers, urlencode(form).encode()))
        return requests

    def _accept(self, job_id: int, token: str) -> bytes:
        headers = {
            "Authorization": f"Bearer {token}",
            "Idempotency-Key": uuid.uuid4().hex,
            "Content-Type": "application/json",
        }
        return _request("POST", f"/api/v1/jobs/{job_id}/accept", self.host, headers, b"{}")


async def _worker(plan: Plan, window: Window) -> None:
    connection = await _connect(plan.spec["host"], plan.spec["port"])
    clock = time.perf_counter
    for request in plan.requests:
        started = clock()
        if started >= window.end:
            break
        if window.start <= started and (sid := SID_HEADER.search(request)):
            window.sent[sid.group(1).decode()] = time.time()
        try:
            reply = await connection.send(request)
        except ConnectionError as error:
            window.record(started, clock(), f"connection: {error}", b"")
            connection = await _connect(plan.spec["host"], plan.spec["port"])
            continue
        try:
            problem = plan.check(reply)
        except msgspec.DecodeError as error:
            problem = f"bad body: {error}"
        window.record(started, clock(), problem, reply.body)
        if reply.close:
            connection = await _connect(plan.spec["host"], plan.spec["port"])
    if connection.transport is not None:
        connection.transport.close()


async def _meter(window: Window, pid: int, out: dict[str, Any]) -> None:
    """CPU of this client, of the server and of the machine over the measured window."""
    await asyncio.sleep(max(0.0, window.start - time.perf_counter()))
    before = (time.process_time(), _cpu_ticks(pid), _machine_busy(), time.perf_counter())
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.sleep(max(0.0, window.end - time.perf_counter()))
    after = (time.process_time(), _cpu_ticks(pid), _machine_busy(), time.perf_counter())
    wall = after[3] - before[3]
    out["client_cpu"] = round(100 * (after[0] - before[0]) / wall)
    if before[1] is not None and after[1] is not None:
        out["server_cpu"] = round(100 * (after[1] - before[1]) / wall)
    if before[2] is not None and after[2] is not None:
        busy, total = after[2][0] - before[2][0], after[2][1] - before[2][1]
        out["machine_cpu"] = round(100 * busy / total) if total else None
        out["cores"] = os.cpu_count()


async def run(spec: dict[str, Any]) -> dict[str, Any]:
    plan = Plan(spec)
    await plan.prepare()
    start = time.perf_counter() + spec["warmup"]
    window = Window(start=start, end=start + spec["duration"])
    cpu: dict[str, Any] = {}
    meter = asyncio.create_task(_meter(window, spec["server_pid"], cpu))
    await asyncio.gather(*(_worker(plan, window) for _ in range(spec["concurrency"])))
    exhausted = time.perf_counter() < window.end
    if exhausted:  # ran out of work (accept): the window ends with the last answer
        window.end = max(window.last_done, window.start + 1e-3)
        meter.cancel()
    with contextlib.suppress(asyncio.CancelledError):  # cancelled before the window opened
        await meter
    ok = sorted(window.latencies)
    elapsed = window.end - window.start
    return {
        "ok": len(ok),
        "seconds": round(elapsed, 3),
        "rps": len(ok) / elapsed if elapsed > 0 else 0.0,
        "p50_ms": 1000 * ok[len(ok) // 2] if ok else None,
        "p99_ms": 1000 * ok[min(len(ok) - 1, int(len(ok) * 0.99))] if ok else None,
        "errors": window.errors,
        "samples": window.samples,
        "exhausted": exhausted,
        **({"sent": window.sent} if window.sent else {}),
        **cpu,
    }


def serve(work: Callable[[dict[str, Any]], Coroutine[Any, Any, dict[str, Any]]]) -> None:
    """A load generator's process: its spec on stdin, its result as JSON on stdout, on uvloop
    (the same loop uvicorn picks) when it is installed."""
    spec = json.loads(sys.stdin.read())
    try:
        import uvloop
    except ImportError:
        result = asyncio.run(work(spec))
    else:
        result = uvloop.run(work(spec))
    sys.stdout.write(json.dumps(result))


def main() -> None:
    serve(run)


if __name__ == "__main__":
    main()
