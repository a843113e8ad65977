"""A disputed advance is resolved like a payout: ``advance.resolution_note``, how the brand closed it."""

from backend.db.ddl import statements_migration

ID = "2026-12-07T03:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "advance.resolution_note"

STATEMENTS = ['ALTER TABLE "advance" ADD COLUMN "resolution_note" TEXT NOT NULL DEFAULT \'\'']
UNDO = ['ALTER TABLE "advance" DROP COLUMN "resolution_note"']

forwards = statements_migration(ID, DESCRIPTION, STATEMENTS, UNDO)
