"""``/metrics``: requests counted by route, never by id; the outbox and the inbox as the
database has them at the scrape; sends, provider latency and the worker's rounds counted
where they happen; the photo store's failures. Each read with prometheus-client's parser."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import socket
import sys
import time
from pathlib import Path

import httpx
import pytest

from backend import worker
from backend.core.types import utcnow
from backend.db.session import is_sqlite, run, write_transaction
from backend.gateways import ConsoleGateway
from backend.outbox import enqueue
from backend.photos.storage import LocalPhotoStore
from backend.sms import inbox
from backend.sms.engine import process_pending
from tests import support
from tests.integration.ops.tools import ROOT, cunjiang, samples, scrape, value
from tests.servers import WAIT_SECONDS

ACCEPT = "/api/v1/jobs/{job_id}/accept"  # the route's template, without the converter


async def test_requests_are_counted_by_route_template_never_by_id(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    before = await scrape(client)

    work = await support.job_in_state(client, brand, artisan, "accepted")

    after = await scrape(client)
    labels = {"app_name": "cunjiang", "method": "POST", "path": ACCEPT, "status_code": "200"}
    assert value(after, "litestar_requests_total", **labels) == value(before, "litestar_requests_total", **labels) + 1
    assert value(after, "litestar_request_duration_seconds_count", **labels) >= 1
    paths = {dict(labels)["path"] for (_name, labels) in after if "path" in dict(labels)}
    assert f"/api/v1/jobs/{work.job_id}/accept" not in paths
    assert [path for path in paths if re.search(r"/\d+(/|$)", path)] == []  # no id in any path


async def _queue(count: int) -> list[int]:
    """``count`` messages to numbers of their own (the budget lets each through)."""
    async with write_transaction():
        return [await enqueue(support.new_phone(), support.sms(f"ops test {n}")) for n in range(count)]


async def test_the_outbox_is_counted_by_status_and_its_oldest_due_message_by_age(client: httpx.AsyncClient) -> None:
    await support.drain(ConsoleGateway())  # what other tests left due
    before = await scrape(client)

    ids = await _queue(3)
    queued = await scrape(client)
    # One of them has waited ten minutes for a sender.
    async with write_transaction():
        await run(
            "UPDATE outbox_message SET next_attempt_at = {} WHERE id = {}", utcnow() - dt.timedelta(minutes=10), ids[0]
        )
    waited = await scrape(client)
    await support.drain(ConsoleGateway())
    sent = await scrape(client)

    def messages(found: dict, status: str) -> float:  # type: ignore[type-arg]
        return value(found, "cunjiang_outbox_messages", status=status)

    assert messages(queued, "pending") == messages(before, "pending") + 3
    assert value(waited, "cunjiang_outbox_oldest_due_seconds") >= 600
    assert messages(sent, "pending") == messages(before, "pending")
    assert messages(sent, "sent") == messages(before, "sent") + 3
    assert value(sent, "cunjiang_outbox_oldest_due_seconds") == 0
    assert value(sent, "cunjiang_scrape_database_ok") == 1
    for status in ("failed", "merged", "suppressed", "unconfirmed"):  # every status shows, 0 or not
        assert ("cunjiang_outbox_messages", (("status", status),)) in sent


async def test_a_worker_round_counts_its_sends_their_latency_and_its_time(client: httpx.AsyncClient) -> None:
    await support.drain(ConsoleGateway())
    before = await scrape(client)
    started = time.time()

    await _queue(3)
    await worker.run_once(ConsoleGateway(), housekeeping=False)

    after = await scrape(client)
    sends = {"provider": "console", "outcome": "sent"}
    latency = {"provider": "console", "call": "send"}
    assert (
        value(after, "cunjiang_outbox_sends_total", **sends)
        == value(before, "cunjiang_outbox_sends_total", **sends) + 3
    )
    count = "cunjiang_outbox_provider_seconds_count"
    assert value(after, count, **latency) == value(before, count, **latency) + 3
    assert value(after, "cunjiang_worker_last_round_timestamp_seconds") >= started
    readiness = (await client.get("/readyz")).json()
    assert readiness["worker_last_round"] >= started


async def test_the_inbox_backlog_counts_messages_not_yet_answered(client: httpx.AsyncClient) -> None:
    await process_pending()  # what other tests left

    await inbox.receive("twilio", f"SM{time.time_ns()}", support.new_phone(), "+15005550006", "1")
    waiting = await scrape(client)
    await process_pending()
    answered = await scrape(client)

    assert value(waiting, "cunjiang_sms_inbox_backlog") == 1
    assert value(answered, "cunjiang_sms_inbox_backlog") == 0


async def test_a_failing_photo_store_is_counted(client: httpx.AsyncClient, tmp_path: Path) -> None:
    not_a_folder = tmp_path / "photos"
    not_a_folder.write_bytes(b"a file where the store's folder should be")
    before = await scrape(client)

    with pytest.raises(OSError, match="photos"):
        await LocalPhotoStore(not_a_folder).put("ab/cd/list.jpg", b"jpeg", "image/jpeg")

    after = await scrape(client)
    errors = {"store": "local", "operation": "put"}
    name = "cunjiang_photo_store_errors_total"
    assert value(after, name, **errors) == value(before, name, **errors) + 1


async def test_the_pool_and_the_listener_show_on_postgresql_only(client: httpx.AsyncClient) -> None:
    found = await scrape(client)

    shown = {labels for (name, labels) in found if name == "cunjiang_db_pool_connections"}
    if is_sqlite():
        assert shown == set()  # no pool, no listener
        assert ("cunjiang_change_listener_up", ()) not in found
    else:
        assert shown == {(("state", "in_use"),), (("state", "idle"),)}
        assert value(found, "cunjiang_db_pool_connections", state="in_use") >= 0
        assert value(found, "cunjiang_change_listener_up") == 1


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _text(log: Path) -> str:
    return log.read_text(errors="replace")


async def _last_round(url: str, process: asyncio.subprocess.Process, log: Path) -> float:
    """The worker's last round as its /metrics shows it, once it shows one (its port opens
    before its first round ends)."""
    deadline = time.monotonic() + WAIT_SECONDS
    name = "cunjiang_worker_last_round_timestamp_seconds"
    async with httpx.AsyncClient(timeout=1) as http:
        while time.monotonic() < deadline:
            assert process.returncode is None, _text(log)
            try:
                found = samples((await http.get(url)).text)
            except httpx.TransportError:
                found = {}
            if (name, ()) in found:
                return found[name, ()]
            await asyncio.sleep(0.05)
    raise TimeoutError(f"no worker round shown at {url}:\n{_text(log)}")


@pytest.mark.slow
async def test_a_worker_process_serves_its_own_metrics(empty_database: str, tmp_path: Path) -> None:
    await cunjiang(empty_database, "migrate")
    port = _free_port()
    started = time.time()
    log = tmp_path / "worker.log"
    with log.open("wb") as output:  # the child keeps its own copy of the descriptor
        process = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "backend.cli", "worker", "--metrics-port", str(port)),
            cwd=ROOT,
            env=os.environ | {"CUNJIANG_DATABASE_URL": empty_database},
            stdout=output,
            stderr=asyncio.subprocess.STDOUT,
        )
    try:
        last_round = await _last_round(f"http://127.0.0.1:{port}/metrics", process, log)
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 30)

    assert last_round >= started
    assert process.returncode == 0, _text(log)  # it finished its round and left on SIGTERM
