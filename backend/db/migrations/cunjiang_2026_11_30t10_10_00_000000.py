"""Villages can be deactivated (no longer worked with) without losing their history."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from backend.db.engine import DB

ID = "2026-11-30T10:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "village: active"

STATEMENTS = [
    """ALTER TABLE village ADD COLUMN "active" BOOLEAN NOT NULL DEFAULT true""",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="cunjiang", description=DESCRIPTION)

    async def run() -> None:
        for statement in STATEMENTS:
            await DB.run_ddl(statement)

    manager.add_raw(run)
    return manager
