"""Reference photos of an order (the brand's own pattern, shown with every offer)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from backend.db.engine import DB

ID = "2026-11-30T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "production_order: photo_ids"

STATEMENTS = [
    """ALTER TABLE production_order ADD COLUMN "photo_ids" TEXT NOT NULL DEFAULT '[]'""",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="cunjiang", description=DESCRIPTION)

    async def run() -> None:
        for statement in STATEMENTS:
            await DB.run_ddl(statement)

    manager.add_raw(run)
    return manager
