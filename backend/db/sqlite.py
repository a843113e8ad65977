"""SQLite with long-lived connections: one for transactions, one for lone statements.

Piccolo's SQLite engine opens a new connection (and a new aiosqlite thread) for every
transaction and every statement outside one, and re-sends ``PRAGMA foreign_keys`` before
each statement. Here the writer connection is opened once and shared by transactions,
which take turns behind a lock (SQLite has one writer anyway; other processes wait on the
busy timeout), and statements outside transactions share a second connection.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiosqlite
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory


class KeptConnectionsSQLiteEngine(SQLiteEngine):
    def __init__(self, path: str, **connection_kwargs: Any) -> None:
        super().__init__(path=path, **connection_kwargs)
        self.write_lock = asyncio.Lock()
        self._writer: aiosqlite.Connection | None = None
        self._loose: aiosqlite.Connection | None = None

    async def _open(self) -> aiosqlite.Connection:
        connection = await aiosqlite.connect(**self.connection_kwargs)
        connection.row_factory = dict_factory  # type: ignore[assignment]
        await connection.execute("PRAGMA foreign_keys = 1")
        return connection

    async def get_connection(self) -> aiosqlite.Connection:
        """The writer, for transactions (callers hold ``write_lock``)."""
        if self._writer is None:
            self._writer = await self._open()
        return self._writer

    async def _run_in_new_connection(
        self, query: str, args: list[Any] | None = None, query_type: str = "generic", table: Any = None
    ) -> list[dict[str, Any]]:
        if self._loose is None:
            self._loose = await self._open()
        async with self._loose.execute(query, args or []) as cursor:
            return await cursor.fetchall()  # type: ignore[return-value]

    async def _run_in_existing_connection(
        self,
        connection: aiosqlite.Connection,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> list[dict[str, Any]]:
        async with connection.execute(query, args or []) as cursor:
            return await cursor.fetchall()  # type: ignore[return-value]

    def transaction(
        self, transaction_type: TransactionType = TransactionType.deferred, allow_nested: bool = True
    ) -> SQLiteTransaction:
        return _TakingTurnsTransaction(engine=self, transaction_type=transaction_type, allow_nested=allow_nested)

    async def close(self) -> None:
        for connection in (self._writer, self._loose):
            if connection is not None:
                await connection.close()
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
