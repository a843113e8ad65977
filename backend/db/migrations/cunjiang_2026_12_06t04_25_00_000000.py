"""An upload's row says what its store holds at its offset (with S3 storage, the multipart
upload, its parts and the chunks pending) and numbers its PATCHes: any host continues any
upload, and two at one offset cannot overwrite each other's bytes."""

from backend.db.ddl import statements_migration

ID = "2026-12-06T04:25:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "upload.parts, upload.attempts"

STATEMENTS = [
    """ALTER TABLE "upload" ADD COLUMN "parts" TEXT NOT NULL DEFAULT '{}'""",
    'ALTER TABLE "upload" ADD COLUMN "attempts" INTEGER NOT NULL DEFAULT 0',
]
UNDO = ['ALTER TABLE "upload" DROP COLUMN "attempts"', 'ALTER TABLE "upload" DROP COLUMN "parts"']

forwards = statements_migration(ID, DESCRIPTION, STATEMENTS, UNDO)
