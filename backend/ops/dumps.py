"""The database half of a backup: a consistent copy with its row counts, and putting it back.

PostgreSQL: ``pg_dump`` in its custom format, run in a snapshot exported by a transaction
that reads the row counts and the migration head too, so that the summary and the dump
describe the same moment. Both use the direct connection: PgBouncer in transaction mode
cannot hold a snapshot across statements. SQLite: the online backup API, consistent under
WAL while the server writes; the counts are read from the copy.

Connections here are their own (asyncpg, ``sqlite3``), never the app's pool: a restore
works on a database the app has not opened, and a backup must not take pool connections
from a running deployment.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import sqlite3
from collections.abc import AsyncIterator
from enum import StrEnum
from pathlib import Path
from typing import Any

import asyncpg
import msgspec

from backend.core.errors import DomainError
from backend.core.i18n import N_
from backend.core.settings import Settings
from backend.db.engine import SQLITE_BUSY_TIMEOUT_S, direct_config

APP_NAME = "cunjiang"  # the migrations' app in Piccolo's ``migration`` table
HASH_CHUNK = 1 << 20


class Engine(StrEnum):
    POSTGRESQL = "postgresql"
    SQLITE = "sqlite"


DUMP_FILES = {Engine.POSTGRESQL: "database.dump", Engine.SQLITE: "database.sqlite3"}


class DatabaseCopy(msgspec.Struct, frozen=True, kw_only=True):
    """What ``backup.json`` says of the database: its copy (a file of the backup folder) and
    the rows each table held at the moment of the copy."""

    engine: Engine
    file: str
    size: int
    sha256: str
    migration_head: str | None
    tables: dict[str, int]


class ToolFailed(DomainError):
    """``pg_dump`` or ``pg_restore`` ended with an error (its own words follow)."""

    code = "backup_tool_failed"
    message = N_("{tool} failed: {detail}")


class DatabaseUnreachable(DomainError):
    code = "database_unreachable"
    message = N_("The database {database} cannot be reached: {detail}")


class DatabaseFailed(DomainError):
    code = "database_failed"
    message = N_("The database {database} answered with an error: {detail}")


def engine_of(settings: Settings) -> Engine:
    return Engine.SQLITE if settings.is_sqlite else Engine.POSTGRESQL


def database_name(settings: Settings) -> str:
    """How reports name the configured database: its file, or host, port and name (never a password)."""
    if settings.is_sqlite:
        return str(settings.sqlite_path)
    config = direct_config(settings)
    return f"{config['database']} ({config['user']}@{config['host']}:{config['port']})"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


async def copy_database(settings: Settings, folder: Path) -> DatabaseCopy:
    """Copy the configured database into ``folder``; what was copied, counted in the same moment."""
    engine = engine_of(settings)
    target = folder / DUMP_FILES[engine]
    if engine is Engine.SQLITE:
        await asyncio.to_thread(_sqlite_copy, settings.sqlite_path, target)
        head, tables = await asyncio.to_thread(_sqlite_summary, target)
    else:
        head, tables = await _pg_dump(settings, target)
    return DatabaseCopy(
        engine=engine,
        file=target.name,
        size=target.stat().st_size,
        sha256=await asyncio.to_thread(file_sha256, target),
        migration_head=head,
        tables=tables,
    )


async def row_counts(settings: Settings) -> dict[str, int]:
    """Rows per table of the configured database, now."""
    if engine_of(settings) is Engine.SQLITE:
        _head, tables = await asyncio.to_thread(_sqlite_summary, settings.sqlite_path)
        return tables
    async with _session(settings) as connection:
        _head, tables = await _pg_summary(connection)
    return tables


async def is_empty(settings: Settings) -> bool:
    """No table (nor sequence or view) in the configured database: nothing a restore could overwrite."""
    if engine_of(settings) is Engine.SQLITE:
        path = settings.sqlite_path
        return not path.exists() or not await asyncio.to_thread(_sqlite_tables, path)
    async with _session(settings) as connection:
        found = await connection.fetchval(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%' "
            "AND c.relkind IN ('r', 'p', 'S', 'v', 'm', 'f')"
        )
    return int(found) == 0


async def restore_database(settings: Settings, copy: Path, engine: Engine, *, replace: bool) -> None:
    """Put ``copy`` (a file of a backup of ``engine``) into the configured database, whole or
    not at all. ``replace``: the database's objects of the same names are dropped first."""
    if engine is Engine.SQLITE:
        await asyncio.to_thread(_sqlite_restore, copy, settings.sqlite_path)
        return
    arguments = ["--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"]
    if replace:
        arguments += ["--clean", "--if-exists"]
    await _pg_tool("pg_restore", direct_config(settings), [*arguments, str(copy)])


# PostgreSQL


@contextlib.asynccontextmanager
async def _session(settings: Settings) -> AsyncIterator[asyncpg.Connection]:
    """A connection of its own to the direct URL; the server's errors as :class:`DatabaseFailed`."""
    name = database_name(settings)
    try:
        connection = await asyncpg.connect(**direct_config(settings), timeout=10)
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        raise DatabaseUnreachable(database=name, detail=str(error) or type(error).__name__) from None
    try:
        yield connection
    except asyncpg.PostgresError as error:
        raise DatabaseFailed(database=name, detail=str(error)) from None
    finally:
        await connection.close()


async def _pg_dump(settings: Settings, target: Path) -> tuple[str | None, dict[str, int]]:
    async with _session(settings) as connection, connection.transaction(isolation="repeatable_read", readonly=True):
        snapshot = await connection.fetchval("SELECT pg_export_snapshot()")
        # The snapshot lives as long as this transaction: pg_dump joins it, and the
        # counts read here are of the very rows it dumps.
        dumping = asyncio.create_task(
            _pg_tool("pg_dump", direct_config(settings), ["--format=custom", f"--snapshot={snapshot}"], target)
        )
        try:
            summary = await _pg_summary(connection)
        finally:
            await dumping
    return summary


async def _pg_summary(connection: asyncpg.Connection) -> tuple[str | None, dict[str, int]]:
    names = [
        row["relname"]
        for row in await connection.fetch(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY c.relname"
        )
    ]
    tables = {name: int(await connection.fetchval(_count_sql(f"public.{_quoted(name)}"))) for name in names}
    head = None
    if "migration" in tables:
        head = await connection.fetchval("SELECT max(name) FROM public.migration WHERE app_name = $1", APP_NAME)
    return head, tables


async def _pg_tool(tool: str, config: dict[str, Any], arguments: list[str], output: Path | None = None) -> None:
    """Run ``pg_dump`` or ``pg_restore`` on the database of ``config``. The password goes in
    the environment (``PGPASSWORD``), never on the command line where ``ps`` shows it."""
    command = [
        tool,
        "--host",
        str(config["host"]),
        "--port",
        str(config["port"]),
        "--username",
        str(config["user"]),
        "--dbname",
        str(config["database"]),
        "--no-password",
        *arguments,
    ]
    if output is not None:
        command += ["--file", str(output)]
    environment = os.environ | ({"PGPASSWORD": str(config["password"])} if "password" in config else {})
    try:
        process = await asyncio.create_subprocess_exec(
            *command, env=environment, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
        )
    except FileNotFoundError:
        raise ToolFailed(tool=tool, detail=f"{tool} not found (Debian: apt-get install postgresql-client)") from None
    _out, errors = await process.communicate()
    if process.returncode != 0:
        raise ToolFailed(tool=tool, detail=errors.decode(errors="replace").strip() or f"exit {process.returncode}")


def _count_sql(table: str) -> str:
    return f"SELECT count(*) FROM {table}"  # noqa: S608 - a name read from the schema, quoted


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# SQLite


def _open_existing(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    """A connection to a database file that must exist (a plain ``connect`` would create it)."""
    mode = "ro" if read_only else "rw"
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True, timeout=SQLITE_BUSY_TIMEOUT_S)


def _sqlite_copy(source: Path, target: Path) -> None:
    if not source.exists():
        raise DatabaseUnreachable(database=str(source), detail="no such file")
    reader = _open_existing(source)
    copy = sqlite3.connect(target)
    try:
        reader.backup(copy)  # one step: one read transaction, so one moment, even while the server writes
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        copy.close()
        reader.close()


def _sqlite_tables(path: Path) -> list[str]:
    connection = _open_existing(path, read_only=True)
    try:
        rows = connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
            "ORDER BY name"
        ).fetchall()
    finally:
        connection.close()
    return [row[0] for row in rows]


def _sqlite_summary(path: Path) -> tuple[str | None, dict[str, int]]:
    names = _sqlite_tables(path)
    connection = _open_existing(path, read_only=True)
    try:
        tables = {name: int(connection.execute(_count_sql(_quoted(name))).fetchone()[0]) for name in names}
        head = None
        if "migration" in tables:
            head = connection.execute("SELECT max(name) FROM migration WHERE app_name = ?", (APP_NAME,)).fetchone()[0]
    finally:
        connection.close()
    return head, tables


def _sqlite_restore(copy: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    source = _open_existing(copy, read_only=True)
    database = sqlite3.connect(target, timeout=SQLITE_BUSY_TIMEOUT_S)
    try:
        source.backup(database)  # replaces every page of the target in one transaction
        database.execute("PRAGMA journal_mode=WAL")  # as the server runs it (build_engine)
    finally:
        database.close()
        source.close()
