"""SQLite through the standard library, on the event loop: one writer, one reader connection.

Piccolo's SQLite engine opens a new aiosqlite connection (and thread) for every
transaction and every statement outside one, and each aiosqlite call is a hop to that
thread and back: about thirty hops for one accepted offer. Statements here run at once
on long-lived ``sqlite3`` connections instead (tens of microseconds each under WAL).
Transactions take turns on the writer behind an asyncio lock (SQLite has one writer
anyway), and the only call that may wait for another process, ``BEGIN IMMEDIATE``, is
retried with asyncio sleeps instead of blocking the event loop on the busy timeout.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Sequence
from typing import Any

from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory

BEGIN_RETRY_FIRST_S = 0.001
BEGIN_RETRY_MAX_S = 0.05


class _Connection:
    """The async calls Piccolo's SQLite transaction makes, done at once on a stdlib connection."""

    def __init__(self, raw: sqlite3.Connection, wait_for_lock_s: float) -> None:
        self.raw = raw
        self.wait_for_lock_s = wait_for_lock_s

    def run(self, query: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cursor = self.raw.execute(query, args)
        try:
            return cursor.fetchall()
        finally:
            cursor.close()

    async def execute(self, query: str, args: Sequence[Any] = ()) -> None:
        if query.startswith("BEGIN"):
            await self._begin(query)
        else:
            self.run(query, args)

    async def _begin(self, query: str) -> None:
        """Start a transaction, waiting (without blocking the loop) while another process writes."""
        deadline = time.monotonic() + self.wait_for_lock_s
        pause = BEGIN_RETRY_FIRST_S
        while True:
            try:
                self.raw.execute(query)
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) and "busy" not in str(error):
                    raise
                if time.monotonic() > deadline:
                    raise
            await asyncio.sleep(pause)
            pause = min(pause * 2, BEGIN_RETRY_MAX_S)

    def close(self) -> None:
        self.raw.close()


class KeptConnectionsSQLiteEngine(SQLiteEngine):
    def __init__(self, path: str, **connection_kwargs: Any) -> None:
        super().__init__(path=path, **connection_kwargs)
        self.write_lock = asyncio.Lock()
        self._writer: _Connection | None = None
        self._loose: _Connection | None = None

    def _open(self, busy_timeout_s: float) -> _Connection:
        kwargs = {**self.connection_kwargs, "timeout": busy_timeout_s, "check_same_thread": False}
        raw = sqlite3.connect(**kwargs)
        raw.row_factory = dict_factory
        raw.execute("PRAGMA foreign_keys = 1")
        raw.execute("PRAGMA synchronous = NORMAL")
        return _Connection(raw, wait_for_lock_s=float(self.connection_kwargs.get("timeout", 5.0)))

    async def get_connection(self) -> _Connection:  # type: ignore[override]
        """The writer, for transactions (callers hold ``write_lock``).

        Its busy timeout is zero: ``BEGIN IMMEDIATE`` retries asynchronously, and once it
        holds the write lock no statement of the transaction waits for another writer.
        """
        if self._writer is None:
            self._writer = self._open(busy_timeout_s=0.0)
        return self._writer

    async def _run_in_new_connection(
        self, query: str, args: list[Any] | None = None, query_type: str = "generic", table: Any = None
    ) -> list[dict[str, Any]]:
        """Statements outside a transaction: reads, and migrations' DDL at start-up."""
        if self._loose is None:
            self._loose = self._open(busy_timeout_s=float(self.connection_kwargs.get("timeout", 5.0)))
        return self._loose.run(query, args or [])

    async def _run_in_existing_connection(
        self,
        connection: _Connection,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> list[dict[str, Any]]:
        return connection.run(query, args or [])

    def transaction(
        self, transaction_type: TransactionType = TransactionType.deferred, allow_nested: bool = True
    ) -> SQLiteTransaction:
        return _TakingTurnsTransaction(engine=self, transaction_type=transaction_type, allow_nested=allow_nested)

    async def close(self) -> None:
        for connection in (self._writer, self._loose):
            if connection is not None:
                connection.close()
        self._writer = self._loose = None
        self.write_lock = asyncio.Lock()  # a lock waited on belongs to its event loop: start afresh


class _TakingTurnsTransaction(SQLiteTransaction):
    """A transaction on the engine's writer connection, one at a time, never closing it."""

    engine: KeptConnectionsSQLiteEngine

    async def __aenter__(self) -> SQLiteTransaction:
        if self._parent is not None:
            return self._parent
        await self.engine.write_lock.acquire()
        try:
            return await super().__aenter__()
        except BaseException:
            self.engine.write_lock.release()
            raise

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self._parent is not None:
            return exception is None
        try:
            if exception is None and not (self._committed or self._rolled_back):
                try:
                    await self.commit()  # type: ignore[no-untyped-call]
                except BaseException:
                    await self.rollback()  # type: ignore[no-untyped-call]
                    raise
            elif exception is not None and not self._rolled_back:
                await self.rollback()  # type: ignore[no-untyped-call]
        finally:
            self.engine.current_transaction.reset(self.context)
            self.engine.write_lock.release()
        return exception is None
