"""The message budget and template gateways: holds, merges, batch references, segments."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from backend.db.engine import DB

ID = "2026-11-24T02:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "outbox_message: reference, held_reason, merged_into, segments, answers, error_code"

STATEMENTS = [
    """ALTER TABLE outbox_message ADD COLUMN "reference" VARCHAR(64) NOT NULL DEFAULT ''""",
    """ALTER TABLE outbox_message ADD COLUMN "held_reason" VARCHAR(32) NOT NULL DEFAULT ''""",
    """ALTER TABLE outbox_message ADD COLUMN "merged_into" INTEGER DEFAULT null""",
    """ALTER TABLE outbox_message ADD COLUMN "segments" INTEGER NOT NULL DEFAULT 1""",
    """ALTER TABLE outbox_message ADD COLUMN "answers" BOOLEAN NOT NULL DEFAULT false""",
    """ALTER TABLE outbox_message ADD COLUMN "error_code" VARCHAR(32) NOT NULL DEFAULT ''""",
    'CREATE INDEX outbox_message_brand_created ON "outbox_message" ("brand", "created_at")',
    'CREATE INDEX outbox_message_reference ON "outbox_message" ("reference")',
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="cunjiang", description=DESCRIPTION)

    async def run() -> None:
        for statement in STATEMENTS:
            await DB.run_ddl(statement)

    manager.add_raw(run)
    return manager
