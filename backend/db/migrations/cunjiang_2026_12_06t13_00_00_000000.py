"""Voice calls (issue 26): whether a person takes calls, the calls that follow unanswered
questions, and the provider's reports about them (inbox-first)."""

from backend.db.ddl import statements_migration

ID = "2026-12-06T13:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "person.takes_calls, voice_call, voice_report"

VOICE_CALL = """CREATE TABLE "voice_call" ({key},
  "brand" INTEGER DEFAULT null REFERENCES "brand" ("id"),
  "member" INTEGER DEFAULT null REFERENCES "member" ("id"),
  "person" INTEGER DEFAULT null REFERENCES "person" ("id"),
  "to_phone" VARCHAR(20) NOT NULL DEFAULT '',
  "flow" VARCHAR(32) NOT NULL DEFAULT '',
  "step" VARCHAR(32) NOT NULL DEFAULT '',
  "item_id" INTEGER NOT NULL DEFAULT 0,
  "code" VARCHAR(16) NOT NULL DEFAULT '',
  "locale" VARCHAR(16) NOT NULL DEFAULT 'zh_Hans',
  "status" VARCHAR(16) NOT NULL DEFAULT 'queued',
  "attempts" INTEGER NOT NULL DEFAULT 0,
  "due_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
  "lease_owner" VARCHAR(32) DEFAULT null,
  "provider" VARCHAR(16) NOT NULL DEFAULT '',
  "provider_call_id" VARCHAR(64) DEFAULT null,
  "key_pressed" VARCHAR(32) NOT NULL DEFAULT '',
  "outcome" TEXT NOT NULL DEFAULT '',
  "duration_s" INTEGER DEFAULT null,
  "cost_fen" INTEGER DEFAULT null,
  "called_at" TIMESTAMPTZ DEFAULT null,
  "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
  "updated_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)"""
VOICE_REPORT = """CREATE TABLE "voice_report" ({key},
  "provider" VARCHAR(16) NOT NULL DEFAULT '',
  "call_id" VARCHAR(64) NOT NULL DEFAULT '',
  "kind" VARCHAR(16) NOT NULL DEFAULT '',
  "out_id" VARCHAR(64) NOT NULL DEFAULT '',
  "item" TEXT NOT NULL DEFAULT '',
  "received_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
  "processed_at" TIMESTAMPTZ DEFAULT null,
  "outcome" TEXT NOT NULL DEFAULT '')"""

STATEMENTS = [
    'ALTER TABLE "person" ADD COLUMN "takes_calls" BOOLEAN NOT NULL DEFAULT false',
    VOICE_CALL,
    *(
        f'CREATE INDEX voice_call_{column} ON "voice_call" ("{column}")'
        for column in ("brand", "member", "person", "to_phone", "status", "due_at", "provider_call_id")
    ),
    'CREATE UNIQUE INDEX voice_call_question ON "voice_call" ("flow", "item_id", "to_phone")',
    VOICE_REPORT,
    'CREATE INDEX voice_report_processed_at ON "voice_report" ("processed_at")',
    'CREATE UNIQUE INDEX voice_report_call_kind ON "voice_report" ("provider", "call_id", "kind")',
]
UNDO = ['DROP TABLE "voice_report"', 'DROP TABLE "voice_call"', 'ALTER TABLE "person" DROP COLUMN "takes_calls"']

forwards = statements_migration(ID, DESCRIPTION, STATEMENTS, UNDO)
