"""The auth_changes counter: cached sign-ins hold while it stays the same."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from backend.db.engine import DB

ID = "2026-11-23T18:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "auth_changes counter"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="cunjiang", description=DESCRIPTION)

    async def run() -> None:
        await DB.run_ddl("INSERT INTO counter (name, value) VALUES ('auth_changes', 0)")

    manager.add_raw(run)
    return manager
