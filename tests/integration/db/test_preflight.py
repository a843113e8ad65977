"""Start-up refuses a PostgreSQL configuration that cannot work: pools that could exceed the
server's connections, a direct URL that reaches another database than the pooled one."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import sys

import asyncpg
import msgspec
import pytest

from backend.core.settings import get_settings
from backend.db import capacity
from backend.db.engine import direct_config
from backend.db.preflight import StartupRefused, deployment, preflight
from tests.servers import ROOT

CROWD = {"CUNJIANG_API_PROCESSES": "200", "CUNJIANG_WORKER_PROCESSES": "3", "CUNJIANG_DATABASE_POOL_MAX": "20"}


def _direct_url() -> str:
    return os.environ.get("CUNJIANG_DATABASE_DIRECT_URL") or os.environ["CUNJIANG_DATABASE_URL"]


def _free_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return str(sock.getsockname()[1])


async def _limits() -> capacity.ServerLimits:
    connection = await asyncpg.connect(**direct_config())
    try:
        return await capacity.read_limits(connection)
    finally:
        await connection.close()


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.parametrize("command", [["migrate"], ["worker"], ["serve", "--no-worker", "--port"]])
async def test_start_up_is_refused_naming_the_numbers_when_the_pools_could_exceed_max_connections(
    command: list[str],
) -> None:
    if command[-1] == "--port":
        command = [*command, _free_port()]
    crowded = msgspec.structs.replace(get_settings(), api_processes=200, worker_processes=3, database_pool_max=20)
    expected = capacity.problem(deployment(crowded), await _limits())
    assert expected is not None

    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "backend.cli",
        *command,
        cwd=ROOT,
        env=os.environ | CROWD,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()

    assert process.returncode == 1, (out + err).decode()
    assert f"cunjiang: start-up refused: {expected}" in err.decode()
    assert "Traceback" not in err.decode()


@pytest.mark.postgres
async def test_a_direct_url_to_another_database_is_refused_naming_both() -> None:
    elsewhere = _direct_url().rsplit("/", 1)[0] + "/postgres"
    settings = msgspec.structs.replace(get_settings(), database_direct_url=elsewhere)
    ours = direct_config()["database"]

    with pytest.raises(StartupRefused) as refused:
        await preflight(settings)

    message = str(refused.value)
    assert "CUNJIANG_DATABASE_DIRECT_URL reaches database 'postgres'" in message
    assert f"CUNJIANG_DATABASE_URL reaches database '{ours}'" in message
    assert "must reach the same database on the same server" in message


@pytest.mark.postgres
async def test_a_direct_url_to_the_same_database_passes_and_leaves_the_pools_to_pgbouncer(
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = msgspec.structs.replace(
        get_settings(), database_direct_url=_direct_url(), api_processes=10, database_pool_max=100
    )

    with caplog.at_level(logging.INFO, logger="cunjiang.db"):
        await preflight(settings)  # 1,000 pooled clients: PgBouncer's, not PostgreSQL's

    assert "through PgBouncer: the pools may open 1000 client connections" in caplog.text


@pytest.mark.postgres
async def test_the_default_deployment_fits_the_servers_connections() -> None:
    await preflight(get_settings())


async def test_a_direct_url_beside_sqlite_is_refused() -> None:
    settings = msgspec.structs.replace(
        get_settings(), database_url="sqlite:///var/x.sqlite3", database_direct_url="postgresql://db/cunjiang"
    )

    with pytest.raises(StartupRefused, match="CUNJIANG_DATABASE_DIRECT_URL is for PostgreSQL"):
        await preflight(settings)
