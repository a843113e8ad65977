"""Transactions for writes, raw statements for the hot paths, a fast path for reads, migrations.

Writes happen inside :func:`write_transaction`. On SQLite that is ``BEGIN IMMEDIATE``
behind a process-wide lock, so concurrent writers wait their turn instead of failing with
"database is locked"; on PostgreSQL it is an ordinary transaction and the rules hold
through conditional updates, row locks in one global order and unique indexes.

Piccolo builds the occasional query; the hot ones (accepting an offer, exactly-once keys,
audit rows, a dispatch's thousands of rows) are SQL text with ``{}`` placeholders run by
:func:`run` and :func:`insert_rows` on the transaction's own connection: building a
Piccolo query costs more than running it. Hot reads (the artisan's job list) go through
:func:`fetch`: the standard ``sqlite3`` module on a read-only connection, or the asyncpg pool.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import re
import sqlite3
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from contextvars import ContextVar
from functools import cache
from typing import Any

from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from backend.core.china_time import OFFSET_HOURS, ZONE_NAME
from backend.core.settings import get_settings
from backend.db.engine import DB
from backend.db.migrating import migration_lock, on_direct_connections
from backend.db.sqlite import KeptConnectionsSQLiteEngine

POOL_CLOSE_SECONDS = 5.0
_reader: sqlite3.Connection | None = None
_tx_state: ContextVar[_TxState | None] = ContextVar("tx_state", default=None)


class _TxState:
    """What the outermost write transaction runs around its commit, and what it has noted."""

    def __init__(self) -> None:
        self.before_commit: dict[str, Callable[[], Awaitable[None]]] = {}
        self.after_commit: list[Callable[[], None]] = []
        self.notes: dict[str, set[int]] = {}


def is_sqlite() -> bool:
    return isinstance(DB, SQLiteEngine)


SQLITE_SHIFT = f"+{OFFSET_HOURS} hours"
# China is UTC+8 all year: a stored moment's calendar day and month there, counted by the
# database on either engine (``moment`` is a column or an expression of our own, never input).


def china_date_sql(moment: str) -> str:
    """The China calendar day of ``moment``, comparable with date columns (SQLite: ISO text)."""
    return f"date({moment}, '{SQLITE_SHIFT}')" if is_sqlite() else f"({moment} AT TIME ZONE '{ZONE_NAME}')::date"


def china_month_sql(moment: str) -> str:
    """The China month of ``moment`` as ``YYYY-MM`` text."""
    if is_sqlite():
        return f"strftime('%Y-%m', {moment}, '{SQLITE_SHIFT}')"
    return f"to_char({moment} AT TIME ZONE '{ZONE_NAME}', 'YYYY-MM')"


@asynccontextmanager
async def write_transaction() -> AsyncIterator[None]:
    """One transaction for a change and everything it causes (audit, outbox, response).

    Nested, it joins the outer transaction (no savepoint: a round trip each way on
    PostgreSQL). An error leaves the block unchanged, and the outermost transaction
    decides: it rolls back on an exception, and an idempotent request (see
    ``backend.idempotency``) rolls back any refusal whose effects must not stay.
    """
    if DB.current_transaction.get() is not None and _tx_state.get() is not None:
        yield
        return
    state = _TxState()
    token = _tx_state.set(state)
    try:
        async with _begin():
            yield
            # Hooks may note more work for one another (each runs once).
            while state.before_commit:
                _name, hook = state.before_commit.popitem()
                await hook()
    finally:
        _tx_state.reset(token)
    for callback in state.after_commit:
        callback()


async def lock_keys(*keys: str) -> None:
    """Serialise the write transactions that name the same key, until they end: a limit that
    counts, then writes, holds under concurrency. PostgreSQL: transaction-scoped advisory
    locks (they work behind PgBouncer in transaction mode), taken in sorted order so that two
    callers never wait on each other in a cycle. SQLite lets one writer in at a time already."""
    if is_sqlite():
        return
    for key in sorted(set(keys)):
        await run("SELECT pg_advisory_xact_lock(hashtextextended({}, 0))", key)


def in_transaction() -> bool:
    return DB.current_transaction.get() is not None


def _begin() -> AbstractAsyncContextManager[Any]:
    if isinstance(DB, SQLiteEngine):
        # BEGIN IMMEDIATE: take the write lock now, not halfway through (no deadlocks
        # between readers that become writers); the engine lets one in at a time.
        return DB.transaction(transaction_type=TransactionType.immediate)
    return DB.transaction()  # type: ignore[no-any-return]


def _current() -> _TxState:
    state = _tx_state.get()
    if state is None:
        raise RuntimeError("outside a write transaction")
    return state


def after_commit(callback: Callable[[], None]) -> None:
    """Run ``callback`` once the outermost write transaction has committed (never on rollback)."""
    _current().after_commit.append(callback)


def note(name: str, ids: Iterable[int], hook: Callable[[], Awaitable[None]]) -> None:
    """Remember ids under ``name`` for this transaction; ``hook`` runs once before it commits."""
    state = _current()
    state.notes.setdefault(name, set()).update(ids)
    state.before_commit.setdefault(name, hook)


def take_noted(name: str) -> list[int]:
    """The ids noted under ``name`` so far, sorted, and forget them."""
    return sorted(_current().notes.pop(name, ()))


async def start() -> None:
    """Open the PostgreSQL pool (on SQLite there is nothing to open)."""
    if isinstance(DB, PostgresEngine):
        size = get_settings().database_pool_max
        await DB.start_connection_pool(min_size=min(2, size), max_size=size, reset=_keep_session)


async def _keep_session(_connection: object) -> None:
    """Skip asyncpg's reset round trip (``RESET ALL``, ``UNLISTEN *``…) on every release.

    asyncpg still rolls back an open transaction itself; nothing here sets session state,
    listens or takes session advisory locks on pooled connections (transaction-scoped ones,
    as uploads take, end with their transaction), so there is nothing else to undo. The same
    holds behind PgBouncer in transaction mode, where the next transaction may be another
    server session: the listener and the migrations' lock use direct connections instead.
    """


async def stop() -> None:
    global _reader
    if isinstance(DB, PostgresEngine) and DB.pool is not None:
        # A connection never given back (a task cancelled at the wrong moment) would make
        # a graceful close wait forever: give it a few seconds, then cut the rest.
        try:
            await asyncio.wait_for(DB.pool.close(), POOL_CLOSE_SECONDS)
        except TimeoutError:
            DB.pool.terminate()
        DB.pool = None
    if isinstance(DB, KeptConnectionsSQLiteEngine):
        await DB.close()
    if _reader is not None:
        _reader.close()
        _reader = None


async def migrate() -> None:
    """Apply every migration not yet applied (both engines), one process at a time per
    database (``backend.db.migrating``): the others wait, then find them applied."""
    # Piccolo reports on stdout; keep stdout for what commands print (ids, tokens).
    async with migration_lock():
        with on_direct_connections(), contextlib.redirect_stdout(sys.stderr):
            result = await run_forwards(app_name="cunjiang")
    if not result.success:
        raise RuntimeError(f"migrations failed: {result.message}")


_PLACEHOLDER = re.compile(r"\{\}")


@cache
def _numbered(sql: str, style: str) -> str:
    """``{}`` placeholders (Piccolo's ``raw`` style) as ``?`` or ``$1, $2…``."""
    if style == "?":
        return sql.replace("{}", "?")
    counter = itertools.count(1)
    return _PLACEHOLDER.sub(lambda _m: f"${next(counter)}", sql)


def sqlite_reader() -> sqlite3.Connection:
    """The read-only connection of the fast path (SQLite only), opened on first use."""
    global _reader
    if _reader is None:
        if not isinstance(DB, SQLiteEngine):
            raise TypeError("the SQLite reader needs the SQLite engine")
        # No detect_types: Piccolo's converters cost a Python call per value (a third of
        # a job-list request); callers parse the few text timestamps they need.
        _reader = sqlite3.connect(DB.path, check_same_thread=False, isolation_level=None)
        _reader.execute("PRAGMA query_only = 1")
    return _reader


async def run(sql: str, *params: Any) -> list[dict[str, Any]]:
    """One statement with ``{}`` placeholders on the ORM's connection, without building a query.

    Inside a write transaction it is part of it (and sees its changes). For the hot write
    path: building a Piccolo query costs more than running it.
    """
    transaction = DB.current_transaction.get()
    if isinstance(DB, KeptConnectionsSQLiteEngine):
        if transaction is not None:
            return transaction.connection.run(_numbered(sql, "?"), params)  # type: ignore[no-any-return]
        return await DB._run_in_new_connection(_numbered(sql, "?"), list(params))
    if not isinstance(DB, PostgresEngine):
        raise TypeError(f"no raw path for {type(DB).__name__}")
    if transaction is not None:
        return [dict(row) for row in await transaction.connection.fetch(_numbered(sql, "$"), *params)]
    return [dict(row) for row in await fetch(sql, params)]


async def fetch(sql: str, params: Sequence[Any] = ()) -> list[Mapping[str, Any]]:
    """Run one read-only statement with ``{}`` placeholders, outside the ORM.

    The same text runs through ``Table.raw`` inside a transaction. Values come back as
    the driver gives them: on SQLite timestamps and dates are ISO text.

    On SQLite this runs on the event loop: a read of a few rows under WAL takes about
    0.1 ms, less than a hop to a thread would. Never call it inside a write transaction:
    it does not see uncommitted changes.
    """
    if isinstance(DB, SQLiteEngine):
        cursor = sqlite_reader().execute(_numbered(sql, "?"), params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    if not isinstance(DB, PostgresEngine):
        raise TypeError(f"no fast read path for {type(DB).__name__}")
    if DB.pool is None:
        connection = await DB.get_new_connection()
        try:
            return list(await connection.fetch(_numbered(sql, "$"), *params))
        finally:
            await connection.close()
    return list(await DB.pool.fetch(_numbered(sql, "$"), *params))


# PostgreSQL takes at most 32,767 parameters in one statement.
MAX_PARAMETERS = 32_000


async def insert_rows(
    table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], *, returning: str = ""
) -> list[dict[str, Any]]:
    """Insert many rows in as few statements as the engines allow, without building a query per row.

    ``table`` and ``columns`` are our own names, never user input. Columns left out take
    their defaults. With ``returning`` (e.g. ``"id"``), the rows it names, in order.
    """
    names = ", ".join(f'"{column}"' for column in columns)
    one = "(" + ", ".join("{}" for _ in columns) + ")"
    tail = f" RETURNING {returning}" if returning else ""
    found: list[dict[str, Any]] = []
    per_statement = max(1, MAX_PARAMETERS // len(columns))
    for start in range(0, len(rows), per_statement):
        batch = rows[start : start + per_statement]
        values = ", ".join(one for _ in batch)
        sql = f'INSERT INTO "{table}" ({names}) VALUES {values}{tail}'  # noqa: S608 - our own names
        found.extend(await run(sql, *(value for row in batch for value in row)))
    return found
