"""Resumable uploads (tus): each upload's owner, length, offset and expiry."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from backend.db.engine import DB

ID = "2026-11-24T03:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "upload"

CREATE = """
CREATE TABLE "upload" (
  "id" VARCHAR(32) PRIMARY KEY NOT NULL,
  "brand" INTEGER NOT NULL REFERENCES "brand" ("id"),
  "owner" INTEGER NOT NULL REFERENCES "member" ("id"),
  "length" BIGINT NOT NULL,
  "offset" BIGINT NOT NULL DEFAULT 0,
  "metadata" TEXT NOT NULL DEFAULT '{}',
  "created_at" TIMESTAMPTZ NOT NULL,
  "expires_at" TIMESTAMPTZ NOT NULL,
  "finished_at" TIMESTAMPTZ DEFAULT null
)
"""
AFTER = [
    'CREATE INDEX upload_owner ON "upload" ("owner")',
    'CREATE INDEX upload_expires_at ON "upload" ("expires_at")',
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="cunjiang", description=DESCRIPTION)

    async def run() -> None:
        await DB.run_ddl(CREATE)
        for statement in AFTER:
            await DB.run_ddl(statement)

    manager.add_raw(run)
    return manager
