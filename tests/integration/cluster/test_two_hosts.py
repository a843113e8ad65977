"""Any API host serves any request: two ``cunjiang serve`` processes, each in a network
namespace of its own with an empty data folder, one PostgreSQL and one S3 server reached over
their veth links, nginx in front. An upload begun on one host is continued on the other,
resumed on the first, and becomes a photo that both hosts and nginx serve.

Needs root, iproute2 and nginx (skipped without them, required with ``CI=true``) and runs in
the PostgreSQL lane."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from PIL import Image

from tests import support
from tests.integration.cluster import network
from tests.integration.photos import s3 as s3_server
from tests.integration.photos.tus import TUS, URL, metadata
from tests.servers import ServerLog

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
PORT = 8000  # each host has its own addresses: the same port on both
CUNJIANG = Path(sys.executable).with_name("cunjiang")
UP = re.compile(r"Uvicorn running on")


@dataclass(frozen=True)
class Cluster:
    hosts: list[str]  # each host's own base URL
    nginx: str
    data_dirs: list[Path]


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    if reason := network.missing_tools():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the two-host lane is required in CI, but {reason}")
        pytest.skip(reason)
    with contextlib.ExitStack() as stack:
        _moto, endpoint = stack.enter_context(s3_server.moto_server())
        storage = stack.enter_context(s3_server.storage_in(endpoint, prefix="two-hosts"))
        hosts = stack.enter_context(network.namespaces(2))
        relay = stack.enter_context(network.Relay())
        data_dirs = [tmp_path / f"host{n}" for n in range(len(hosts))]
        logs = []
        for host, data_dir in zip(hosts, data_dirs, strict=True):
            data_dir.mkdir()
            env = _host_env(host, relay, endpoint, storage, data_dir)
            logs.append(stack.enter_context(_serving(host, env, data_dir / "server.log")))
        asyncio.run(_all_up(logs))  # started together: each takes seconds to import and migrate
        urls = [f"http://{host.inside}:{PORT}" for host in hosts]
        proxy = stack.enter_context(network.nginx(tmp_path / "nginx", [f"{host.inside}:{PORT}" for host in hosts]))
        yield Cluster(urls, proxy, data_dirs)


def _host_env(host: network.Host, relay: network.Relay, endpoint: str, storage: str, data_dir: Path) -> dict[str, str]:
    """The test's environment, but the database and the S3 server through this host's link."""
    database = urlsplit(os.environ["CUNJIANG_DATABASE_URL"])
    assert database.hostname is not None
    assert database.port is not None
    db_port = relay.forward(host.outside, (database.hostname, database.port))
    user = f"{database.username}@" if database.username else ""
    s3 = urlsplit(endpoint)
    assert s3.hostname is not None
    assert s3.port is not None
    s3_port = relay.forward(host.outside, (s3.hostname, s3.port))
    return os.environ | {
        "CUNJIANG_DATABASE_URL": f"postgresql://{user}{host.outside}:{db_port}{database.path}",
        "CUNJIANG_DATA_DIR": str(data_dir / "var"),
        "CUNJIANG_STORAGE_URL": storage,
        "AWS_ENDPOINT_URL": f"http://{host.outside}:{s3_port}",
        "PYTHONUNBUFFERED": "1",
    }


@contextlib.contextmanager
def _serving(host: network.Host, env: dict[str, str], log: Path) -> Iterator[ServerLog]:
    """``cunjiang serve`` inside the host's namespace, on its own address; its log."""
    command = [str(CUNJIANG), "serve", "--host", host.inside, "--port", str(PORT), "--no-worker"]
    with log.open("wb") as output:
        process = subprocess.Popen(
            ["ip", "netns", "exec", host.namespace, *command], env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        yield ServerLog(log)
    finally:
        process.terminate()
        process.wait(timeout=15)


async def _all_up(logs: list[ServerLog]) -> None:
    """Until every host's log says it listens (uvicorn writes it once the app has started)."""
    await asyncio.gather(*(log.wait_for(UP, 0) for log in logs))


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise((640, 480), 60).convert("RGB").save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


async def test_an_upload_begun_on_one_host_is_finished_on_the_other_and_its_photo_served_by_both_and_nginx(
    cluster: Cluster,
) -> None:
    started = time.monotonic()
    artisan = await support.artisan(await support.brand())
    photo = _photo()
    third = len(photo) // 3
    one, two = cluster.hosts
    tus = artisan.auth | TUS
    part = tus | {"Content-Type": "application/offset+octet-stream"}

    async with httpx.AsyncClient(timeout=20) as http:
        created = await http.post(
            f"{one}{URL}",
            content=photo[:third],
            headers=part | {"Upload-Length": str(len(photo)), "Upload-Metadata": metadata(filename="w.jpg")},
        )
        assert created.status_code == 201, created.text
        path = created.headers["location"]
        continued = await http.patch(f"{two}{path}", content=photo[third : 2 * third], headers=part | _at(third))
        resumed = await http.head(f"{one}{path}", headers=tus)
        both = await asyncio.gather(  # the same offset on both hosts at once: one wins
            http.patch(f"{one}{path}", content=photo[2 * third :], headers=part | _at(2 * third)),
            http.patch(f"{two}{path}", content=photo[2 * third :], headers=part | _at(2 * third)),
        )
        made = await http.post(f"{two}/api/v1/photos", json={"upload_id": path.rsplit("/", 1)[1]}, headers=artisan.auth)
        assert made.status_code == 201, made.text
        review = made.json()["urls"]["review"]
        from_one = await http.get(f"{one}{review}", headers=artisan.auth)
        from_nginx = [await http.get(f"{cluster.nginx}{review}", headers=artisan.auth) for _ in range(2)]

    assert continued.status_code == 204, continued.text
    assert resumed.headers["upload-offset"] == str(2 * third)
    assert sorted(answer.status_code for answer in both) == [204, 409]
    assert from_one.status_code == 200
    assert [answer.status_code for answer in from_nginx] == [200, 200]
    assert all(answer.content == from_one.content for answer in from_nginx)
    served_by = {answer.headers["x-upstream"] for answer in from_nginx}
    assert served_by == {url.removeprefix("http://") for url in cluster.hosts}  # round robin: both
    for data_dir in cluster.data_dirs:  # nothing the upload needed was on a host's disk
        assert not (data_dir / "var" / "uploads").exists()
    print(f"two hosts: the upload's round trip took {time.monotonic() - started:.2f} s")


def _at(offset: int) -> dict[str, str]:
    return {"Upload-Offset": str(offset)}
