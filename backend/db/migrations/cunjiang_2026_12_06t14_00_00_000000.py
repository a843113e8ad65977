"""Advances (预付款): ``advance``, at most one open request per job (``open_job``), the brand's
``advance_percent``, and a payout's gross and advance deducted beside the net it paid."""

from backend.db.ddl import statements_migration

ID = "2026-12-06T14:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "advance; brand.advance_percent; payout.gross_fen, advance_fen"

NO_ACTION = "ON DELETE NO ACTION ON UPDATE NO ACTION"
STATEMENTS = [
    'ALTER TABLE "brand" ADD COLUMN "advance_percent" INTEGER NOT NULL DEFAULT 30',
    'ALTER TABLE "payout" ADD COLUMN "gross_fen" BIGINT NOT NULL DEFAULT 0',
    'ALTER TABLE "payout" ADD COLUMN "advance_fen" BIGINT NOT NULL DEFAULT 0',
    'UPDATE "payout" SET "gross_fen" = "amount_fen"',
    f"""CREATE TABLE "advance" ({{key}},
  "job" INTEGER NOT NULL REFERENCES "job" ("id") {NO_ACTION} DEFAULT null,
  "brand" INTEGER NOT NULL REFERENCES "brand" ("id") {NO_ACTION} DEFAULT null,
  "artisan" INTEGER NOT NULL REFERENCES "member" ("id") {NO_ACTION} DEFAULT null,
  "amount_fen" BIGINT NOT NULL DEFAULT 0,
  "status" VARCHAR(16) NOT NULL DEFAULT 'requested',
  "open_job" INTEGER UNIQUE DEFAULT null,
  "requested_via" VARCHAR(16) NOT NULL DEFAULT '',
  "reason" TEXT NOT NULL DEFAULT '',
  "method" VARCHAR(16) NOT NULL DEFAULT '',
  "reference" VARCHAR(100) NOT NULL DEFAULT '',
  "decided_by" INTEGER REFERENCES "member" ("id") {NO_ACTION} DEFAULT null,
  "paid_by" INTEGER REFERENCES "member" ("id") {NO_ACTION} DEFAULT null,
  "deducted_in" INTEGER REFERENCES "payout" ("id") {NO_ACTION} DEFAULT null,
  "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
  "decided_at" TIMESTAMPTZ DEFAULT null,
  "paid_at" TIMESTAMPTZ DEFAULT null,
  "confirmed_at" TIMESTAMPTZ DEFAULT null,
  "confirmed_via" VARCHAR(16) NOT NULL DEFAULT '')""",
    'CREATE INDEX advance_job ON "advance" ("job")',
    'CREATE INDEX advance_brand ON "advance" ("brand")',
    'CREATE INDEX advance_artisan ON "advance" ("artisan")',
    'CREATE INDEX advance_status ON "advance" ("status")',
    'CREATE INDEX advance_paid_at ON "advance" ("paid_at")',
]
UNDO = [
    'DROP TABLE "advance"',
    'ALTER TABLE "payout" DROP COLUMN "advance_fen"',
    'ALTER TABLE "payout" DROP COLUMN "gross_fen"',
    'ALTER TABLE "brand" DROP COLUMN "advance_percent"',
]

forwards = statements_migration(ID, DESCRIPTION, STATEMENTS, UNDO)
