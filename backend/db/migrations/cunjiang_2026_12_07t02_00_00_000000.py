"""A say on price: an order's estimated hours per piece (``production_order.hours_tenths``) and
the artisans' word that a piece rate is too low (``price_feedback``, one per job)."""

from backend.db.ddl import statements_migration

ID = "2026-12-07T02:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "production_order.hours_tenths; price_feedback"

NO_ACTION = "ON DELETE NO ACTION ON UPDATE NO ACTION"
STATEMENTS = [
    'ALTER TABLE "production_order" ADD COLUMN "hours_tenths" INTEGER DEFAULT null',
    f"""CREATE TABLE "price_feedback" ({{key}},
  "job" INTEGER NOT NULL UNIQUE REFERENCES "job" ("id") {NO_ACTION} DEFAULT null,
  "brand" INTEGER NOT NULL REFERENCES "brand" ("id") {NO_ACTION} DEFAULT null,
  "order" INTEGER NOT NULL REFERENCES "production_order" ("id") {NO_ACTION} DEFAULT null,
  "artisan" INTEGER NOT NULL REFERENCES "member" ("id") {NO_ACTION} DEFAULT null,
  "price_fen" BIGINT DEFAULT null,
  "channel" VARCHAR(16) NOT NULL DEFAULT '',
  "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
  "updated_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)""",
    'CREATE INDEX price_feedback_brand ON "price_feedback" ("brand")',
    'CREATE INDEX price_feedback_order ON "price_feedback" ("order")',
]
UNDO = [
    'DROP TABLE "price_feedback"',
    'ALTER TABLE "production_order" DROP COLUMN "hours_tenths"',
]

forwards = statements_migration(ID, DESCRIPTION, STATEMENTS, UNDO)
