"""Hosts of their own on one machine: a network namespace per API host, joined to the root
namespace by a veth pair on a private /30; a TCP relay that lets them reach services that
listen on loopback only (PostgreSQL, the S3 server); nginx in front of them.

Everything made here is named with a per-run token and undone on exit, failure included.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def missing_tools() -> str | None:
    """Why namespaces and nginx cannot be had here, or None."""
    if os.geteuid() != 0:
        return "network namespaces need root"
    if shutil.which("ip") is None:
        return "iproute2's ip is not installed"
    if not Path(NGINX).exists():
        return "nginx is not installed"
    return None


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


@dataclass(frozen=True)
class Host:
    """A namespace and its link: the root side's address and the host's own."""

    namespace: str
    link: str  # the root namespace's end of the veth pair
    outside: str  # the root side's address: where the host reaches the relays
    inside: str  # the host's address: where the root namespace reaches it


@contextlib.contextmanager
def namespaces(count: int) -> Iterator[list[Host]]:
    """``count`` namespaces, each with loopback up and a veth pair on its own /30 of
    10.<200-249>.<run>.0/24 (random per run, so that two runs at once do not meet)."""
    token = secrets.token_hex(3)
    second, third = 200 + secrets.randbelow(50), secrets.randbelow(256)
    hosts = [
        Host(f"cj{token}n{n}", f"cj{token}v{n}", f"10.{second}.{third}.{4 * n + 1}", f"10.{second}.{third}.{4 * n + 2}")
        for n in range(count)
    ]
    try:
        for host in hosts:
            _ip("netns", "add", host.namespace)
            peer = f"{host.link}p"
            _ip("link", "add", host.link, "type", "veth", "peer", "name", peer, "netns", host.namespace)
            _ip("addr", "add", f"{host.outside}/30", "dev", host.link)
            _ip("link", "set", host.link, "up")
            _ip("-n", host.namespace, "addr", "add", f"{host.inside}/30", "dev", peer)
            _ip("-n", host.namespace, "link", "set", peer, "up")
            _ip("-n", host.namespace, "link", "set", "lo", "up")
        yield hosts
    finally:
        for host in hosts:
            # Deleting the namespace takes its end of the pair, and with it the other end.
            subprocess.run(["ip", "netns", "delete", host.namespace], check=False, capture_output=True)
            subprocess.run(["ip", "link", "delete", host.link], check=False, capture_output=True)


class Relay:
    """TCP relays on an event loop of their own thread: a listening address in the root
    namespace (a veth's address) forwarded to a loopback service. A relay in Python rather
    than socat: nothing more to install, and it stops with the test, whatever happens."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="relay", daemon=True)
        self._servers: list[asyncio.Server] = []
        self._tasks: set[asyncio.Task[None]] = set()

    def __enter__(self) -> Relay:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def forward(self, listen_host: str, target: tuple[str, int]) -> int:
        """Listen on ``listen_host`` (a free port) and forward each connection to ``target``; the port."""

        async def start() -> int:
            server = await asyncio.start_server(lambda r, w: self._connect(r, w, target), listen_host, 0)
            self._servers.append(server)
            return int(server.sockets[0].getsockname()[1])

        return asyncio.run_coroutine_threadsafe(start(), self._loop).result(timeout=10)

    async def _connect(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, target: tuple[str, int]
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)  # type: ignore[arg-type]
        try:
            up_reader, up_writer = await asyncio.open_connection(*target)
        except OSError:
            writer.close()
            return
        try:
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        finally:
            for end in (writer, up_writer):
                end.close()
            self._tasks.discard(task)  # type: ignore[arg-type]

    async def _close(self) -> None:
        for server in self._servers:
            server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for server in self._servers:
            await server.wait_closed()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(64 * 1024):
            writer.write(data)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()  # the other way may still have something to say
    except (ConnectionError, OSError):
        writer.close()


NGINX_CONF = """
daemon off;
master_process on;
worker_processes 1;
user root;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    client_max_body_size 16m;
    upstream cunjiang_api {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://cunjiang_api;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            # Which host answered: round robin is seen, not assumed.
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""


@contextlib.contextmanager
def nginx(folder: Path, upstreams: list[str]) -> Iterator[str]:
    """Debian's nginx in the root namespace, round robin over ``upstreams`` (``host:port``),
    on a free loopback port; its base URL once it accepts connections."""
    folder.mkdir(parents=True, exist_ok=True)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    servers = "\n".join(f"        server {upstream};" for upstream in upstreams)
    conf = folder / "nginx.conf"
    conf.write_text(NGINX_CONF.format(dir=folder, servers=servers, port=port))
    process = subprocess.Popen(
        [NGINX, "-c", str(conf), "-p", str(folder), "-e", str(folder / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(("127.0.0.1", port), process, folder / "error.log")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_for_port(address: tuple[str, int], process: subprocess.Popen[bytes], log: Path) -> None:
    """Until the port accepts a connection: nginx says nothing when it listens, so it is
    asked, as ``tests/servers.py`` asks a server (it listens within milliseconds)."""
    for _ in range(200):
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited with {process.returncode}: {log.read_text(errors='replace')}")
        with contextlib.suppress(OSError), socket.create_connection(address, timeout=0.05):
            return
        threading.Event().wait(0.05)
    raise TimeoutError(f"nginx did not listen on {address}: {log.read_text(errors='replace')}")
