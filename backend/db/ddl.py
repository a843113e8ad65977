"""Migrations written as SQL statements: the same few lines each would otherwise repeat."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from backend.db.engine import DB

# A table's own id column, as each engine writes it: ``{key}`` in a statement stands for it.
KEY = {"sqlite": '"id" INTEGER PRIMARY KEY NOT NULL', "postgres": '"id" SERIAL PRIMARY KEY NOT NULL'}


def statements_migration(
    migration_id: str, description: str, statements: Sequence[str], undo: Sequence[str] = ()
) -> Callable[[], Awaitable[MigrationManager]]:
    """A migration's ``forwards``: run ``statements`` in order (and ``undo`` going back);
    ``{key}`` in a statement is the engine's id column (:data:`KEY`)."""

    async def forwards() -> MigrationManager:
        manager = MigrationManager(migration_id=migration_id, app_name="cunjiang", description=description)

        async def run() -> None:
            for statement in statements:
                await DB.run_ddl(statement.replace("{key}", KEY[DB.engine_type]))

        async def back() -> None:
            for statement in undo:
                await DB.run_ddl(statement)

        manager.add_raw(run)
        if undo:
            manager.add_raw_backwards(back)
        return manager

    return forwards
