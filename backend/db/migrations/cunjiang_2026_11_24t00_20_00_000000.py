"""Outbound SMS keep their template key's variables and language (for template gateways)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from backend.db.engine import DB

ID = "2026-11-24T00:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "outbox_message.variables and .locale"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="cunjiang", description=DESCRIPTION)

    async def run() -> None:
        await DB.run_ddl("""ALTER TABLE outbox_message ADD COLUMN "variables" TEXT NOT NULL DEFAULT '{}'""")
        await DB.run_ddl("""ALTER TABLE outbox_message ADD COLUMN "locale" VARCHAR(16) NOT NULL DEFAULT 'zh_Hans'""")

    manager.add_raw(run)
    return manager
