"""A counting HTTP/1.1 proxy for the browser bench: every byte between the browser and the
server passes through it, split into requests and responses as they were on the wire.

The browser talks to the proxy's address instead of the server's, so its page, its service
worker, the service worker's own script and update checks are all counted the same way, with
no trust in what the browser reports about itself. Sizes are HTTP sizes (status line, headers
and body as sent, compressed, chunk framing included), without TCP/IP or TLS overhead.

It can also be a slow link (``emulate``): one uplink and one downlink shared by every
connection, bytes leaving one after another at the link's rate and arriving half a round trip
later, and a round trip for each new connection's handshake. Unlike Chrome's own emulation,
which throttles each page and each service worker on its own, the page and its service
worker then compete for the same 2G link, as they do on a phone.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

HOST = "127.0.0.1"
HEAD_END = b"\r\n\r\n"


@dataclass
class Transfer:
    """One request and its response, as counted on the wire."""

    method: str
    path: str
    dest: str  # Sec-Fetch-Dest: document, script, style, image, manifest, serviceworker, empty (fetch)
    accept_encoding: str
    sent: int  # request bytes, browser to server
    status: int = 0
    headers: int = 0  # response status line and headers
    body: int = 0  # response body as sent: compressed, chunk framing included
    encoding: str = ""
    content_type: str = ""

    @property
    def received(self) -> int:
        return self.headers + self.body


@dataclass
class _Head:
    size: int
    first_line: str
    fields: dict[str, str]


def _parse_head(raw: bytes) -> _Head:
    lines = raw.decode("latin-1").split("\r\n")
    fields: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        fields[name.strip().lower()] = value.strip()
    return _Head(len(raw) + len(HEAD_END), lines[0], fields)


class _Messages:
    """Splits one direction of a connection into HTTP/1.1 messages: each head, and the body's
    size by Content-Length, chunked framing, or until the connection closes."""

    def __init__(self, *, responses: bool) -> None:
        self.responses = responses
        self.buffer = bytearray()
        self.head: _Head | None = None
        self.mode = ""  # "length", "chunk-size", "chunk-data", "trailer", "close"
        self.remaining = 0
        self.body = 0

    def feed(self, data: bytes, body_expected: Callable[[_Head], bool]) -> list[tuple[_Head, int]]:
        """Add bytes; the messages completed by them, as (head, body bytes)."""
        self.buffer += data
        done: list[tuple[_Head, int]] = []
        while True:
            if self.head is None:
                end = self.buffer.find(HEAD_END)
                if end < 0:
                    return done
                self.head = _parse_head(bytes(self.buffer[:end]))
                del self.buffer[: end + len(HEAD_END)]
                self.body = 0
                self.mode = self._body_mode(self.head, body_expected(self.head))
                if not self.mode:
                    done.append(self._finish())
                    continue
            if not self._consume_body():
                return done
            done.append(self._finish())

    def close(self) -> list[tuple[_Head, int]]:
        """The connection ended: a body read until close is complete now."""
        if self.head is not None and self.mode == "close":
            self.body += len(self.buffer)
            self.buffer.clear()
            return [self._finish()]
        return []

    def _body_mode(self, head: _Head, expected: bool) -> str:
        if not expected:
            return ""
        if "chunked" in head.fields.get("transfer-encoding", "").lower():
            return "chunk-size"
        if "content-length" in head.fields:
            self.remaining = int(head.fields["content-length"])
            return "length" if self.remaining else ""
        return "close" if self.responses else ""  # a request without a length has no body

    def _consume_body(self) -> bool:
        """Take what the buffer holds of the body; True when the body is complete."""
        while True:
            if self.mode == "close":
                self.body += len(self.buffer)
                self.buffer.clear()
                return False
            if self.mode in ("length", "chunk-data"):
                taken = min(self.remaining, len(self.buffer))
                del self.buffer[:taken]
                self.body += taken
                self.remaining -= taken
                if self.remaining:
                    return False
                if self.mode == "length":
                    return True
                self.mode = "chunk-size"
                continue
            end = self.buffer.find(b"\r\n")
            if end < 0:
                return False
            line = bytes(self.buffer[:end])
            del self.buffer[: end + 2]
            self.body += end + 2
            if self.mode == "trailer":
                if not line:
                    return True
                continue
            size = int(line.split(b";", 1)[0], 16)
            if size == 0:
                self.mode = "trailer"
            else:
                self.mode, self.remaining = "chunk-data", size + 2  # the data and its CRLF

    def _finish(self) -> tuple[_Head, int]:
        assert self.head is not None
        finished = (self.head, self.body)
        self.head, self.mode, self.body = None, "", 0
        return finished


@dataclass
class _Connection:
    tap: WireTap
    requests: _Messages = field(default_factory=lambda: _Messages(responses=False))
    responses: _Messages = field(default_factory=lambda: _Messages(responses=True))
    waiting: deque[Transfer] = field(default_factory=deque)

    def from_browser(self, data: bytes) -> None:
        for head, body in self.requests.feed(data, lambda _head: True):
            method, _, rest = head.first_line.partition(" ")
            transfer = Transfer(
                method=method,
                path=rest.rsplit(" ", 1)[0],
                dest=head.fields.get("sec-fetch-dest", "")
                or ("serviceworker" if "service-worker" in head.fields else ""),
                accept_encoding=head.fields.get("accept-encoding", ""),
                sent=head.size + body,
            )
            self.waiting.append(transfer)
            self.tap.in_flight += 1
        self.tap.touched = time.monotonic()

    def from_server(self, data: bytes) -> None:
        self._answered(self.responses.feed(data, self._has_body))
        self.tap.touched = time.monotonic()

    def closed(self) -> None:
        self._answered(self.responses.close())
        self.tap.in_flight -= len(self.waiting)  # never answered
        self.waiting.clear()

    def _has_body(self, head: _Head) -> bool:
        status = int(head.first_line.split(" ")[1])
        interim = 100 <= status < 200
        head_request = bool(self.waiting) and self.waiting[0].method == "HEAD"
        return not (interim or status in (204, 304) or head_request)

    def _answered(self, responses: list[tuple[_Head, int]]) -> None:
        for head, body in responses:
            status = int(head.first_line.split(" ")[1])
            if 100 <= status < 200 or not self.waiting:
                continue
            transfer = self.waiting.popleft()
            transfer.status, transfer.headers, transfer.body = status, head.size, body
            transfer.encoding = head.fields.get("content-encoding", "")
            transfer.content_type = head.fields.get("content-type", "").split(";")[0]
            self.tap.transfers.append(transfer)
            self.tap.in_flight -= 1


@dataclass
class Link:
    """One direction of a slow link, shared by every connection."""

    bytes_per_s: float
    delay_s: float  # one way: half the round trip
    free_at: float = 0.0

    def arrival(self, size: int) -> float:
        """When ``size`` bytes sent now arrive: after what is already on the link, at its rate."""
        start = max(time.monotonic(), self.free_at)
        self.free_at = start + size / self.bytes_per_s
        return self.free_at + self.delay_s


class WireTap:
    """The proxy: ``url`` for the browser; ``take()`` the transfers completed since the last take."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.transfers: list[Transfer] = []
        self.in_flight = 0
        self.touched = time.monotonic()
        self.url = ""
        self.up: Link | None = None
        self.down: Link | None = None

    def emulate(self, down_kbps: float, up_kbps: float, round_trip_ms: float) -> None:
        """From now on, a slow link (new and open connections alike)."""
        self.down = Link(down_kbps * 1000 / 8, round_trip_ms / 2000)
        self.up = Link(up_kbps * 1000 / 8, round_trip_ms / 2000)

    def fast(self) -> None:
        self.up = self.down = None

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[WireTap]:
        server = await asyncio.start_server(self._serve, HOST, 0)
        port = server.sockets[0].getsockname()[1]
        self.url = f"http://{HOST}:{port}"
        try:
            yield self
        finally:
            server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 2)

    def take(self) -> list[Transfer]:
        taken, self.transfers = self.transfers, []
        return taken

    async def seen(self, path: str, seconds: float) -> bool:
        """Wait until a request for ``path`` is among the transfers not yet taken (at most ``seconds``)."""
        deadline = time.monotonic() + seconds
        while not any(transfer.path == path for transfer in self.transfers):
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.05)
        return True

    async def quiet(self, seconds: float) -> None:
        """Wait until no request is open and nothing moved for ``seconds`` (at most a minute)."""
        deadline = time.monotonic() + 60
        while self.in_flight > 0 or time.monotonic() - self.touched < seconds:
            if time.monotonic() > deadline:
                raise TimeoutError(f"the network did not settle ({self.in_flight} requests open)")
            await asyncio.sleep(0.05)

    async def _serve(self, browser_reader: asyncio.StreamReader, browser_writer: asyncio.StreamWriter) -> None:
        try:
            server_reader, server_writer = await asyncio.open_connection(HOST, self.target_port)
        except OSError:
            browser_writer.close()
            return
        if self.up is not None:  # the handshake: a round trip before the first request leaves
            await asyncio.sleep(2 * self.up.delay_s)
        connection = _Connection(self)
        await asyncio.gather(
            _pump(browser_reader, server_writer, connection.from_browser, lambda: self.up),
            _pump(server_reader, browser_writer, connection.from_server, lambda: self.down),
            return_exceptions=True,
        )
        connection.closed()


async def _pump(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    seen: Callable[[bytes], None],
    link: Callable[[], Link | None],
) -> None:
    """Copy one direction; over a slow link, each piece arrives when the link delivers it
    (and is counted then, as the other side sees it)."""
    queue: asyncio.Queue[tuple[float, bytes] | None] = asyncio.Queue()

    async def deliver() -> None:
        while (piece := await queue.get()) is not None:
            arrival, data = piece
            await asyncio.sleep(max(0.0, arrival - time.monotonic()))
            seen(data)
            writer.write(data)
            await writer.drain()

    delivering = asyncio.ensure_future(deliver())
    try:
        while data := await reader.read(65536):
            shaping = link()
            queue.put_nowait((shaping.arrival(len(data)) if shaping else 0.0, data))
    finally:
        queue.put_nowait(None)
        with contextlib.suppress(OSError, RuntimeError):
            await delivering
            if writer.can_write_eof():
                writer.write_eof()
        if reader.at_eof():
            writer.close()
