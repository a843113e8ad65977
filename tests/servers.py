"""Real uvicorn processes serving the app on the test database (each with its worker).

What a server writes (stdout and stderr) goes to its own file, which a test reads as the
operator of a demo reads the server's log (:class:`ServerLog`).
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar

import httpx

ROOT = Path(__file__).resolve().parents[1]
LOG_DIR = Path(tempfile.mkdtemp(prefix="cunjiang-servers-"))
WAIT_SECONDS = 30.0  # generous: the machine may be busy; a line that comes ends the wait at once


class ServerLog:
    """One server's output as it grows; a position in it is a byte offset."""

    _by_url: ClassVar[dict[str, ServerLog]] = {}

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def of(cls, url: str) -> ServerLog:
        """The log of the server behind ``url`` (any address on it, a page's included)."""
        origin = "/".join(url.split("/", 3)[:3])
        return cls._by_url[origin]

    def end(self) -> int:
        """Where the next line will start: take it before the request whose line you want."""
        return self.path.stat().st_size

    def text(self, since: int = 0) -> str:
        with self.path.open("rb") as file:
            file.seek(since)
            return file.read().decode("utf-8", errors="replace")

    async def wait_for(self, pattern: re.Pattern[str], since: int) -> list[re.Match[str]]:
        """Every line after ``since`` that ``pattern`` matches, once there is one. The server
        writes the line when its worker gets to it, so the file is looked at until it does."""
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            found = [match for line in self.text(since).splitlines() if (match := pattern.search(line))]
            if found:
                return found
            if time.monotonic() > deadline:
                raise TimeoutError(f"no line matching {pattern.pattern!r} in {self.path}:\n{self.text(since)[-2000:]}")
            await asyncio.sleep(0.05)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path, deadline: float) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text(errors='replace')[-4000:]}")
        try:
            if httpx.get(url + "/api/docs/openapi.json", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise TimeoutError(url)


def _command(port: int, log_level: str, cli: bool) -> list[str]:
    if cli:  # the operator's command; it migrates first, and here leaves the outbox alone
        return [sys.executable, "-m", "backend.cli", "serve", "--port", str(port), "--no-worker"]
    command = [sys.executable, "-m", "uvicorn", "--factory", "backend.app:create_app", "--port", str(port)]
    return [*command, "--log-level", log_level]


@contextmanager
def running_servers(count: int, *, log_level: str = "warning", cli: bool = False, **env: str) -> Iterator[list[str]]:
    """``count`` server processes (with ``env`` added to their environment); their base URLs
    while the block runs. ``cli`` starts them with ``cunjiang serve`` (which logs at info)."""
    urls, processes = [], []
    for _ in range(count):
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        log = LOG_DIR / f"server-{port}.log"
        with log.open("wb") as output:  # the child keeps its own copy of the descriptor
            processes.append(
                subprocess.Popen(
                    _command(port, log_level, cli),
                    cwd=ROOT,
                    env=os.environ | {"PYTHONUNBUFFERED": "1"} | env,  # each line in the file as it is written
                    stdout=output,
                    stderr=subprocess.STDOUT,
                )
            )
        ServerLog._by_url[url] = ServerLog(log)
        urls.append(url)
    try:
        for url, process in zip(urls, processes, strict=True):
            _wait_until_up(url, process, ServerLog.of(url).path, time.monotonic() + 2 * WAIT_SECONDS)
        yield urls
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=15)
