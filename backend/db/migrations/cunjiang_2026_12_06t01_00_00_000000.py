"""Alliances of brands (``alliance``, ``alliance_brand``), what a person allows to be shown
of her in public (``consent``, all off), and her own quiet hours."""

from backend.db.ddl import statements_migration

ID = "2026-12-06T01:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "alliances, consent, quiet hours"

NO_ACTION = "ON DELETE NO ACTION ON UPDATE NO ACTION"
STATEMENTS = [
    """CREATE TABLE "alliance" ({key},
  "slug" VARCHAR(64) UNIQUE NOT NULL DEFAULT '',
  "name" VARCHAR(200) NOT NULL DEFAULT '',
  "region" VARCHAR(100) NOT NULL DEFAULT '',
  "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)""",
    f"""CREATE TABLE "alliance_brand" ({{key}},
  "alliance" INTEGER NOT NULL REFERENCES "alliance" ("id") {NO_ACTION} DEFAULT null,
  "brand" INTEGER UNIQUE NOT NULL REFERENCES "brand" ("id") {NO_ACTION} DEFAULT null,
  "status" VARCHAR(16) NOT NULL DEFAULT 'invited',
  "invited_by" INTEGER REFERENCES "member" ("id") {NO_ACTION} DEFAULT null,
  "joined_by" INTEGER REFERENCES "member" ("id") {NO_ACTION} DEFAULT null,
  "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
  "joined_at" TIMESTAMPTZ DEFAULT null)""",
    'CREATE INDEX alliance_brand_alliance ON "alliance_brand" ("alliance")',
    f"""CREATE TABLE "consent" ({{key}},
  "person" INTEGER UNIQUE NOT NULL REFERENCES "person" ("id") {NO_ACTION} DEFAULT null,
  "name" BOOLEAN NOT NULL DEFAULT false,
  "display_name" VARCHAR(50) DEFAULT null,
  "photo" BOOLEAN NOT NULL DEFAULT false,
  "village" BOOLEAN NOT NULL DEFAULT false,
  "story" BOOLEAN NOT NULL DEFAULT false,
  "updated_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)""",
]
STATEMENTS.append('ALTER TABLE "person" ADD COLUMN "quiet_hours" VARCHAR(11) NOT NULL DEFAULT \'\'')
UNDO = ['DROP TABLE "consent"', 'DROP TABLE "alliance_brand"', 'DROP TABLE "alliance"']


forwards = statements_migration(ID, DESCRIPTION, STATEMENTS, UNDO)
