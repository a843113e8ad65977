"""SMS conversations: what each number was last asked, who opted out, reports of finished pieces."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from backend.db.engine import DB

ID = "2026-11-24T01:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "sms_conversation, sms_opt_out, job.quantity_reported"

CONVERSATION = """
  "phone" VARCHAR(32) NOT NULL UNIQUE,
  "flow" VARCHAR(32) NOT NULL,
  "item_id" INTEGER NOT NULL,
  "code" VARCHAR(12) NOT NULL DEFAULT '',
  "asked_at" TIMESTAMPTZ NOT NULL,
  "expires_at" TIMESTAMPTZ NOT NULL
"""
OPT_OUT = """
  "phone" VARCHAR(32) NOT NULL UNIQUE,
  "source" VARCHAR(64) NOT NULL DEFAULT '',
  "opted_out_at" TIMESTAMPTZ NOT NULL
"""
KEY = {"sqlite": '"id" INTEGER PRIMARY KEY NOT NULL', "postgres": '"id" SERIAL PRIMARY KEY NOT NULL'}
STATEMENTS = [
    'CREATE TABLE "sms_conversation" ({key}, ' + CONVERSATION + ")",
    'CREATE TABLE "sms_opt_out" ({key}, ' + OPT_OUT + ")",
    'ALTER TABLE job ADD COLUMN "quantity_reported" INTEGER NOT NULL DEFAULT 0',
    'ALTER TABLE job ADD COLUMN "reported_at" TIMESTAMPTZ DEFAULT null',
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="cunjiang", description=DESCRIPTION)

    async def run() -> None:
        for statement in STATEMENTS:
            await DB.run_ddl(statement.replace("{key}", KEY[DB.engine_type]))

    manager.add_raw(run)
    return manager
