"""What the operations tests use: statements as the database's operator would run them, and
a reader of what ``/metrics`` says."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import asyncpg
import httpx
from prometheus_client.parser import text_string_to_metric_families

Labels = tuple[tuple[str, str], ...]
ROOT = Path(__file__).resolve().parents[3]


async def admin(url: str, sql: str, *params: object) -> list[asyncpg.Record]:
    """One statement on its own connection (PostgreSQL), as the database's operator would."""
    connection = await asyncpg.connect(url)
    try:
        return list(await connection.fetch(sql, *params))
    finally:
        await connection.close()


def samples(text: str) -> dict[tuple[str, Labels], float]:
    """Every sample of a Prometheus text exposition, by name and labels, read by the
    official client's own parser."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def scrape(client: httpx.AsyncClient) -> dict[tuple[str, Labels], float]:
    answer = await client.get("/metrics")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    return samples(answer.text)


def value(found: dict[tuple[str, Labels], float], name: str, **labels: str) -> float:
    """One sample's value, 0 when the series is absent (a counter not yet counted)."""
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


async def cunjiang(database_url: str, *args: str) -> None:
    """Run the ``cunjiang`` command on that database, as an operator does, to its end."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "backend.cli",
        *args,
        cwd=ROOT,
        env=os.environ | {"CUNJIANG_DATABASE_URL": database_url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    assert process.returncode == 0, output.decode(errors="replace")
