"""Villages can be deactivated (no longer worked with) without losing their history."""

from backend.db.ddl import statements_migration

ID = "2026-11-30T10:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "village: active"

STATEMENTS = [
    """ALTER TABLE village ADD COLUMN "active" BOOLEAN NOT NULL DEFAULT true""",
]


forwards = statements_migration(ID, DESCRIPTION, STATEMENTS)
