"""The SMS inbox: villagers' messages stored as they arrive, once per provider id."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from backend.db.engine import DB

ID = "2026-11-24T00:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "sms_inbox"

COLUMNS = """
  "provider" VARCHAR(16) NOT NULL DEFAULT '',
  "provider_id" VARCHAR(64) NOT NULL DEFAULT '',
  "from_phone" VARCHAR(32) NOT NULL DEFAULT '',
  "to_phone" VARCHAR(32) NOT NULL DEFAULT '',
  "body" TEXT NOT NULL DEFAULT '',
  "received_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
  "processed_at" TIMESTAMPTZ DEFAULT null,
  "outcome" TEXT NOT NULL DEFAULT ''
"""
CREATE = {
    "sqlite": f'CREATE TABLE "sms_inbox" ("id" INTEGER PRIMARY KEY NOT NULL, {COLUMNS})',
    "postgres": f'CREATE TABLE "sms_inbox" ("id" SERIAL PRIMARY KEY NOT NULL, {COLUMNS})',
}
AFTER = [
    'CREATE UNIQUE INDEX sms_inbox_provider_id ON "sms_inbox" ("provider", "provider_id")',
    'CREATE INDEX sms_inbox_from_phone ON "sms_inbox" ("from_phone")',
    'CREATE INDEX sms_inbox_processed_at ON "sms_inbox" ("processed_at")',
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="cunjiang", description=DESCRIPTION)

    async def run() -> None:
        await DB.run_ddl(CREATE[DB.engine_type])
        for statement in AFTER:
            await DB.run_ddl(statement)

    manager.add_raw(run)
    return manager
