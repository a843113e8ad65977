"""Constraints Piccolo's table DDL cannot express on both engines, and seed counters."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from backend.db.engine import DB

ID = "2026-11-23T17:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite unique indexes, checks, append-only audit trail"

BOTH = [
    "CREATE UNIQUE INDEX job_artisan_code ON job (artisan, code)",
    "CREATE UNIQUE INDEX idempotency_scope_key ON idempotency_record (scope, key)",
    "CREATE INDEX job_artisan_change_seq ON job (artisan, change_seq)",
    "INSERT INTO counter (name, value) VALUES ('job_changes', 0)",
]

SQLITE = [
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
       BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END""",
    """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
       BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END""",
]

POSTGRES = [
    """ALTER TABLE production_order ADD CONSTRAINT order_accepted_within_quantity
       CHECK (quantity_accepted >= 0 AND quantity_accepted <= quantity)""",
    """ALTER TABLE job ADD CONSTRAINT job_quantities
       CHECK (quantity_accepted <= quantity_offered AND quantity_approved <= quantity_accepted)""",
    """CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'audit_event is append-only'; END $$""",
    """CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
       FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()""",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="cunjiang", description=DESCRIPTION)

    async def run() -> None:
        specific = SQLITE if DB.engine_type == "sqlite" else POSTGRES
        for statement in BOTH + specific:
            await DB.run_ddl(statement)

    manager.add_raw(run)
    return manager
