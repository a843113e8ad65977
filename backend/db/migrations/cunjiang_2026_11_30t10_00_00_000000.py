"""Reference photos of an order (the brand's own pattern, shown with every offer)."""

from backend.db.ddl import statements_migration

ID = "2026-11-30T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "production_order: photo_ids"

STATEMENTS = [
    """ALTER TABLE production_order ADD COLUMN "photo_ids" TEXT NOT NULL DEFAULT '[]'""",
]


forwards = statements_migration(ID, DESCRIPTION, STATEMENTS)
