"""Material kits (发料): ``kit``, ``kit_line``, ``kit_decision`` (one per kit); a payout's kit
deduction beside its advance; the lots a submission was made with."""

from backend.db.ddl import statements_migration

ID = "2026-12-07T01:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "kit, kit_line, kit_decision; payout.kit_fen; submission.lots"

NO_ACTION = "ON DELETE NO ACTION ON UPDATE NO ACTION"
STATEMENTS = [
    'ALTER TABLE "payout" ADD COLUMN "kit_fen" BIGINT NOT NULL DEFAULT 0',
    """ALTER TABLE "submission" ADD COLUMN "lots" TEXT NOT NULL DEFAULT '[]'""",
    f"""CREATE TABLE "kit" ({{key}},
  "job" INTEGER NOT NULL REFERENCES "job" ("id") {NO_ACTION} DEFAULT null,
  "brand" INTEGER NOT NULL REFERENCES "brand" ("id") {NO_ACTION} DEFAULT null,
  "artisan" INTEGER NOT NULL REFERENCES "member" ("id") {NO_ACTION} DEFAULT null,
  "status" VARCHAR(16) NOT NULL DEFAULT 'handed_out',
  "note" TEXT NOT NULL DEFAULT '',
  "handed_by" INTEGER REFERENCES "member" ("id") {NO_ACTION} DEFAULT null,
  "handed_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
  "confirmed_at" TIMESTAMPTZ DEFAULT null,
  "confirmed_via" VARCHAR(16) NOT NULL DEFAULT '')""",
    'CREATE INDEX kit_job ON "kit" ("job")',
    'CREATE INDEX kit_brand ON "kit" ("brand")',
    'CREATE INDEX kit_artisan ON "kit" ("artisan")',
    'CREATE INDEX kit_status ON "kit" ("status")',
    f"""CREATE TABLE "kit_line" ({{key}},
  "kit" INTEGER NOT NULL REFERENCES "kit" ("id") {NO_ACTION} DEFAULT null,
  "brand" INTEGER NOT NULL REFERENCES "brand" ("id") {NO_ACTION} DEFAULT null,
  "job" INTEGER NOT NULL REFERENCES "job" ("id") {NO_ACTION} DEFAULT null,
  "material" VARCHAR(60) NOT NULL DEFAULT '',
  "quantity_milli" BIGINT NOT NULL DEFAULT 0,
  "unit" VARCHAR(16) NOT NULL DEFAULT '',
  "lot" VARCHAR(60) NOT NULL DEFAULT '',
  "received_milli" BIGINT DEFAULT null)""",
    'CREATE INDEX kit_line_kit ON "kit_line" ("kit")',
    'CREATE INDEX kit_line_job ON "kit_line" ("job")',
    f"""CREATE TABLE "kit_decision" ({{key}},
  "kit" INTEGER NOT NULL UNIQUE REFERENCES "kit" ("id") {NO_ACTION} DEFAULT null,
  "brand" INTEGER NOT NULL REFERENCES "brand" ("id") {NO_ACTION} DEFAULT null,
  "job" INTEGER NOT NULL REFERENCES "job" ("id") {NO_ACTION} DEFAULT null,
  "decision" VARCHAR(16) NOT NULL DEFAULT '',
  "amount_fen" BIGINT NOT NULL DEFAULT 0,
  "reason" TEXT NOT NULL DEFAULT '',
  "decided_by" INTEGER REFERENCES "member" ("id") {NO_ACTION} DEFAULT null,
  "decided_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
  "deducted_in" INTEGER DEFAULT null)""",
    'CREATE INDEX kit_decision_brand ON "kit_decision" ("brand")',
    'CREATE INDEX kit_decision_job ON "kit_decision" ("job")',
]
UNDO = [
    'DROP TABLE "kit_decision"',
    'DROP TABLE "kit_line"',
    'DROP TABLE "kit"',
    'ALTER TABLE "submission" DROP COLUMN "lots"',
    'ALTER TABLE "payout" DROP COLUMN "kit_fen"',
]

forwards = statements_migration(ID, DESCRIPTION, STATEMENTS, UNDO)
