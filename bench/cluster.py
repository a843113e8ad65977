"""``make cluster``: Cunjiang as several hosts run it, on this machine, as real processes.

N API processes (``cunjiang serve --no-worker``, each with its own empty data folder, as if
each were a host of its own) and M workers (``cunjiang worker``) on one PostgreSQL database
made for the run, photos in S3 (moto's server, a process of its own), behind Debian's nginx
(round-robin). Prints the address and the processes, and stops everything cleanly on Ctrl-C
(SIGTERM first: a worker finishes its round). ``make chaos`` and the load tests drive it
through :class:`Cluster`, which can also kill and restart any process.

    python -m bench.cluster [--api 2] [--workers 2] [--port 8080] [--keep-database]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
ADMIN_URL = os.environ.get("CUNJIANG_CLUSTER_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")
BUCKET = "cunjiang-cluster"
START_SECONDS = 60.0
STOP_SECONDS = 40.0  # longer than a worker's round (backend.worker.STOP_WAIT_SECONDS)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Process:
    """One process of the cluster: started, stopped, killed and restarted by name."""

    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    ready_url: str | None = None
    popen: subprocess.Popen[bytes] | None = None
    starts: int = 0

    def start(self) -> None:
        with self.log.open("ab") as output:  # the child keeps its own copy of the descriptor
            self.popen = subprocess.Popen(  # noqa: S603 - our own command line
                self.command, cwd=ROOT, env=self.env, stdout=output, stderr=subprocess.STDOUT
            )
        self.starts += 1

    @property
    def pid(self) -> int | None:
        return self.popen.pid if self.popen else None

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def wait_ready(self, deadline: float) -> None:
        """Until ``ready_url`` answers 200 (or, without one, the process is up)."""
        while time.monotonic() < deadline:
            if not self.running():
                tail = self.log.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{self.name} exited before it was ready:\n{tail}")
            if self.ready_url is None:
                return
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(self.ready_url, timeout=1).status_code == 200:
                    return
            time.sleep(0.1)
        raise TimeoutError(f"{self.name} not ready at {self.ready_url}")

    def stop(self) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        self.popen.send_signal(signal.SIGTERM)
        try:
            self.popen.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()

    def kill9(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait()


@dataclass
class Cluster:
    api: int = 2
    workers: int = 2
    port: int = 0
    keep_database: bool = False
    extra_env: dict[str, str] = field(default_factory=dict)
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="cunjiang-cluster-")))
    database_url: str = ""
    url: str = ""
    processes: dict[str, Process] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- the parts ---------------------------------------------------------------------------

    def _env(self, data_dir: Path) -> dict[str, str]:
        return os.environ | {
            "PYTHONUNBUFFERED": "1",
            "CUNJIANG_DATABASE_URL": self.database_url,
            "CUNJIANG_DATA_DIR": str(data_dir),
            "CUNJIANG_PUBLIC_URL": self.url,
            "CUNJIANG_STORAGE_URL": f"s3://{BUCKET}/photos",
            "AWS_ENDPOINT_URL": self.s3_url,
            "AWS_ACCESS_KEY_ID": "cluster",
            "AWS_SECRET_ACCESS_KEY": "cluster",
            "AWS_REGION": "us-east-1",
            "CUNJIANG_API_PROCESSES": str(self.api),
            "CUNJIANG_WORKER_PROCESSES": str(self.workers),
            **self.extra_env,
        }

    def _database(self) -> None:
        if self.database_url:  # a database made beforehand (a seeded one): kept
            self.keep_database = True
            return
        name = f"cunjiang_cluster_{secrets.token_hex(4)}"
        _psql(ADMIN_URL, f'CREATE DATABASE "{name}"')
        self.database_url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"

    def _s3(self) -> None:
        port = free_port()
        self.s3_url = f"http://127.0.0.1:{port}"
        moto = Process(
            "s3",
            [str(VENV_BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
            os.environ.copy(),
            self.folder / "s3.log",
            ready_url=f"{self.s3_url}/moto-api/",
        )
        self.processes["s3"] = moto
        moto.start()
        moto.wait_ready(time.monotonic() + START_SECONDS)
        httpx.put(f"{self.s3_url}/{BUCKET}", timeout=10).raise_for_status()  # create the bucket

    def _nginx(self, api_ports: list[int]) -> None:
        conf = self.folder / "nginx.conf"
        servers = "\n".join(f"        server 127.0.0.1:{port} max_fails=0;" for port in api_ports)
        conf.write_text(
            NGINX_CONF.format(
                folder=self.folder, port=self.port, servers=servers, user="user root;" if os.geteuid() == 0 else ""
            ),
            encoding="utf-8",
        )
        (self.folder / "nginx-tmp").mkdir(exist_ok=True)
        nginx = Process(
            "nginx",
            [_nginx_binary(), "-p", str(self.folder), "-c", str(conf), "-g", "daemon off;"],
            os.environ.copy(),
            self.folder / "nginx.log",
            ready_url=f"{self.url}/healthz",
        )
        self.processes["nginx"] = nginx
        nginx.start()

    def start(self) -> Cluster:
        self.port = self.port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._database()
        self._s3()
        cunjiang = [sys.executable, "-m", "backend.cli"]
        migrate = subprocess.run(  # noqa: S603 - our own command line
            [*cunjiang, "migrate"], cwd=ROOT, env=self._env(self.folder / "migrate"), capture_output=True, check=False
        )
        if migrate.returncode != 0:
            raise RuntimeError(f"cunjiang migrate failed:\n{migrate.stdout.decode()}{migrate.stderr.decode()}")
        api_ports = [free_port() for _ in range(self.api)]
        for i, port in enumerate(api_ports, start=1):
            self.processes[f"api{i}"] = Process(
                f"api{i}",
                [*cunjiang, "serve", "--host", "127.0.0.1", "--port", str(port), "--no-worker"],
                self._env(self.folder / f"api{i}"),
                self.folder / f"api{i}.log",
                ready_url=f"http://127.0.0.1:{port}/readyz",
            )
        for i in range(1, self.workers + 1):
            metrics = free_port()
            self.processes[f"worker{i}"] = Process(
                f"worker{i}",
                [*cunjiang, "worker", "--metrics-port", str(metrics)],
                self._env(self.folder / f"worker{i}"),
                self.folder / f"worker{i}.log",
                ready_url=f"http://127.0.0.1:{metrics}/metrics",
            )
        ours = [p for name, p in self.processes.items() if name.startswith(("api", "worker"))]
        for process in ours:
            process.start()
        deadline = time.monotonic() + START_SECONDS
        for process in ours:
            process.wait_ready(deadline)
        self._nginx(api_ports)
        self.processes["nginx"].wait_ready(deadline)
        return self

    # -- chaos -------------------------------------------------------------------------------

    def names(self, prefix: str) -> list[str]:
        return [name for name in self.processes if name.startswith(prefix)]

    def kill9(self, name: str) -> None:
        with self._lock:
            self.processes[name].kill9()

    def restart(self, name: str) -> None:
        """Start a killed process again and wait until it is ready."""
        with self._lock:
            process = self.processes[name]
            if not process.running():
                process.start()
        process.wait_ready(time.monotonic() + START_SECONDS)

    # -- the end -----------------------------------------------------------------------------

    def stop(self) -> None:
        order = ["nginx", *self.names("api"), *self.names("worker"), "s3"]
        for name in order:
            if name in self.processes:
                self.processes[name].stop()
        if self.database_url and not self.keep_database:
            name = self.database_url.rsplit("/", 1)[1]
            _psql(ADMIN_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def describe(self) -> str:
        lines = [f"Cunjiang cluster at {self.url} (nginx, round-robin over {self.api} API processes)"]
        for name, process in self.processes.items():
            lines.append(f"  {name:<8} pid {process.pid:<7} {process.ready_url or ''}  log {process.log}")
        lines.append(f"  database {self.database_url}")
        return "\n".join(lines)


@contextlib.contextmanager
def running(**options: object) -> Iterator[Cluster]:
    cluster = Cluster(**options)  # type: ignore[arg-type]
    try:
        yield cluster.start()
    finally:
        cluster.stop()


def _psql(url: str, sql: str) -> None:
    psql = shutil.which("psql") or "psql"
    subprocess.run([psql, url, "--quiet", "--command", sql], check=True, capture_output=True)  # noqa: S603


def _nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found is None:
        raise SystemExit("nginx is not installed (apt-get install nginx)")
    return found


NGINX_CONF = """\
# Written by bench/cluster.py for one run; the production site is deploy/nginx.conf.
{user}
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {folder}/nginx-tmp/body;
    proxy_temp_path {folder}/nginx-tmp/proxy;
    fastcgi_temp_path {folder}/nginx-tmp/fastcgi;
    uwsgi_temp_path {folder}/nginx-tmp/uwsgi;
    scgi_temp_path {folder}/nginx-tmp/scgi;
    client_max_body_size 16m;
    upstream cunjiang_api {{
{servers}
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        location = /metrics {{ deny all; }}
        location = /readyz {{ deny all; }}
        location / {{
            proxy_pass http://cunjiang_api;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Request-Id $request_id;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_next_upstream error timeout http_502;
            proxy_read_timeout 60s;
        }}
    }}
}}
"""


def main() -> int:
    parser = argparse.ArgumentParser(prog="make cluster", description=__doc__.splitlines()[0])
    parser.add_argument("--api", type=int, default=2, help="API processes")
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument("--port", type=int, default=8080, help="nginx's port")
    parser.add_argument("--keep-database", action="store_true", help="leave the run's database behind")
    args = parser.parse_args()
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    print(f"starting {args.api} API processes and {args.workers} workers…", flush=True)
    with running(api=args.api, workers=args.workers, port=args.port, keep_database=args.keep_database) as cluster:
        print(cluster.describe(), flush=True)
        print("Ctrl-C stops it.", flush=True)
        stop.wait()
        print("stopping…", flush=True)
    print("stopped.", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
