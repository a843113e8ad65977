"""Items of a provider's push that could not be read (Aliyun's replies and reports), set aside."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from backend.db.engine import DB

ID = "2026-12-05T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "sms_dead_letter"

COLUMNS = """
  "provider" VARCHAR(16) NOT NULL,
  "kind" VARCHAR(16) NOT NULL,
  "digest" VARCHAR(64) NOT NULL UNIQUE,
  "item" TEXT NOT NULL,
  "reason" VARCHAR(32) NOT NULL,
  "detail" TEXT NOT NULL DEFAULT '',
  "brand" INTEGER DEFAULT null REFERENCES "brand" ("id"),
  "received_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
"""
KEY = {"sqlite": '"id" INTEGER PRIMARY KEY NOT NULL', "postgres": '"id" SERIAL PRIMARY KEY NOT NULL'}
CREATE = 'CREATE TABLE "sms_dead_letter" ({key}, ' + COLUMNS + ")"
AFTER = ['CREATE INDEX sms_dead_letter_brand ON "sms_dead_letter" ("brand")']
DROP = ['DROP TABLE "sms_dead_letter"']


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="cunjiang", description=DESCRIPTION)

    async def run() -> None:
        await DB.run_ddl(CREATE.replace("{key}", KEY[DB.engine_type]))
        for statement in AFTER:
            await DB.run_ddl(statement)

    async def back() -> None:
        for statement in DROP:
            await DB.run_ddl(statement)

    manager.add_raw(run)
    manager.add_raw_backwards(back)
    return manager
