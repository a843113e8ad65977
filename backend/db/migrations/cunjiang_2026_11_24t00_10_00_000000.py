"""Outbox leases have an owner: only the sender holding a message's lease records its outcome."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from backend.db.engine import DB

ID = "2026-11-24T00:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "outbox_message.lease_owner"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="cunjiang", description=DESCRIPTION)

    async def run() -> None:
        await DB.run_ddl('ALTER TABLE outbox_message ADD COLUMN "lease_owner" VARCHAR(32) DEFAULT null')

    manager.add_raw(run)
    return manager
