"""The monthly income summaries sent by SMS (``statement_sms``): one per person and month,
whichever worker gets there first."""

from backend.db.ddl import statements_migration

ID = "2026-12-06T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "statement_sms"

NO_ACTION = "ON DELETE NO ACTION ON UPDATE NO ACTION"
STATEMENTS = [
    f"""CREATE TABLE "statement_sms" ({{key}},
  "person" INTEGER NOT NULL REFERENCES "person" ("id") {NO_ACTION} DEFAULT null,
  "month" VARCHAR(7) NOT NULL DEFAULT '',
  "message" INTEGER DEFAULT null,
  "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)""",
    'CREATE UNIQUE INDEX statement_sms_person_month ON "statement_sms" ("person", "month")',
]
UNDO = ['DROP TABLE "statement_sms"']

forwards = statements_migration(ID, DESCRIPTION, STATEMENTS, UNDO)
