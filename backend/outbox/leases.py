"""Leases, shared by every queue a worker sends from (SMS messages, voice calls): many workers
take due rows without taking the same one (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; on
SQLite one writer at a time), and only the worker that still holds a row's lease records its
outcome."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any, TypeVar

from piccolo.query import Select

from backend.db.session import is_sqlite, run
from backend.outbox.status import sql_list

Query = TypeVar("Query", bound=Select[Any])


def skip_locked(query: Query) -> Query:
    """``query`` locking the rows it takes, skipping those another worker took (PostgreSQL)."""
    if is_sqlite():
        return query
    return query.lock_rows(skip_locked=True, of=(query.table,))


async def settle(
    table: str, ids: Sequence[int], owner: str, values: dict[str, Any], leased: Sequence[StrEnum]
) -> list[int]:
    """Write ``values`` on the rows of ``table`` that ``owner`` still holds (in one of the
    ``leased`` states), its lease given back; the ids written. Inside a transaction."""
    if not ids:
        return []
    columns = {**values, "lease_owner": None}
    sets = ", ".join(f"{name} = {{}}" for name in columns)  # our own column names
    marks = ", ".join("{}" for _ in ids)
    sql = (
        f"UPDATE {table} SET {sets} WHERE id IN ({marks}) AND lease_owner = {{}} "  # noqa: S608
        f"AND status IN ({sql_list(leased)}) RETURNING id"
    )
    return [row["id"] for row in await run(sql, *columns.values(), *ids, owner)]
