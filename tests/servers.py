"""Real uvicorn processes serving the app on the test database (each with its worker)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes], deadline: float) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if httpx.get(url + "/api/docs/openapi.json", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise TimeoutError(url)


@contextmanager
def running_servers(count: int, **env: str) -> Iterator[list[str]]:
    """``count`` server processes (with ``env`` added to their environment); their base URLs
    while the block runs."""
    urls, processes = [], []
    for _ in range(count):
        port = _free_port()
        command = [sys.executable, "-m", "uvicorn", "--factory", "backend.app:create_app", "--port", str(port)]
        command += ["--log-level", "warning"]
        processes.append(subprocess.Popen(command, cwd=ROOT, env=os.environ | env))
        urls.append(f"http://127.0.0.1:{port}")
    try:
        for url, process in zip(urls, processes, strict=True):
            _wait_until_up(url, process, time.monotonic() + 30)
        yield urls
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=15)
