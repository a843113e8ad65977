"""A call's cost, estimated when the provider reports none (``cost_estimated``), and the
provider's id of the last attempt whose cost was counted (``costed_call_id``: each attempt's
cost counts once, however often its end is applied)."""

from backend.db.ddl import statements_migration

ID = "2026-12-07T05:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "voice_call.cost_estimated, costed_call_id"

STATEMENTS = [
    'ALTER TABLE "voice_call" ADD COLUMN "cost_estimated" BOOLEAN NOT NULL DEFAULT false',
    'ALTER TABLE "voice_call" ADD COLUMN "costed_call_id" VARCHAR(64) DEFAULT null',
]
UNDO = [
    'ALTER TABLE "voice_call" DROP COLUMN "costed_call_id"',
    'ALTER TABLE "voice_call" DROP COLUMN "cost_estimated"',
]

forwards = statements_migration(ID, DESCRIPTION, STATEMENTS, UNDO)
