"""Piece passports (``passport``, one per approved submission), their scans per China day
(``passport_scan``) and each brand's Ed25519 signing keys (``brand_key``)."""

from backend.db.ddl import statements_migration

ID = "2026-12-06T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "passports, passport scans, brand keys"

NO_ACTION = "ON DELETE NO ACTION ON UPDATE NO ACTION"
STATEMENTS = [
    f"""CREATE TABLE "passport" (
  "id" VARCHAR(32) PRIMARY KEY NOT NULL,
  "brand" INTEGER NOT NULL REFERENCES "brand" ("id") {NO_ACTION} DEFAULT null,
  "submission" INTEGER UNIQUE NOT NULL REFERENCES "submission" ("id") {NO_ACTION} DEFAULT null,
  "job" INTEGER NOT NULL REFERENCES "job" ("id") {NO_ACTION} DEFAULT null,
  "order" INTEGER NOT NULL REFERENCES "production_order" ("id") {NO_ACTION} DEFAULT null,
  "member" INTEGER NOT NULL REFERENCES "member" ("id") {NO_ACTION} DEFAULT null,
  "person" INTEGER NOT NULL REFERENCES "person" ("id") {NO_ACTION} DEFAULT null,
  "approved_at" TIMESTAMPTZ NOT NULL,
  "withdrawn_at" TIMESTAMPTZ DEFAULT null,
  "withdrawn_reason" TEXT NOT NULL DEFAULT '',
  "withdrawn_by" INTEGER REFERENCES "member" ("id") {NO_ACTION} DEFAULT null,
  "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)""",
    'CREATE INDEX passport_brand ON "passport" ("brand")',
    'CREATE INDEX passport_order ON "passport" ("order")',
    f"""CREATE TABLE "passport_scan" ({{key}},
  "passport" VARCHAR(32) NOT NULL REFERENCES "passport" ("id") {NO_ACTION} DEFAULT null,
  "day" DATE NOT NULL,
  "scans" INTEGER NOT NULL DEFAULT 0)""",
    'CREATE UNIQUE INDEX passport_scan_passport_day ON "passport_scan" ("passport", "day")',
    f"""CREATE TABLE "brand_key" ({{key}},
  "brand" INTEGER NOT NULL REFERENCES "brand" ("id") {NO_ACTION} DEFAULT null,
  "kid" VARCHAR(32) UNIQUE NOT NULL DEFAULT '',
  "public_key" VARCHAR(64) NOT NULL DEFAULT '',
  "private_key" VARCHAR(64) NOT NULL DEFAULT '',
  "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)""",
    'CREATE INDEX brand_key_brand ON "brand_key" ("brand")',
]
UNDO = ['DROP TABLE "brand_key"', 'DROP TABLE "passport_scan"', 'DROP TABLE "passport"']

forwards = statements_migration(ID, DESCRIPTION, STATEMENTS, UNDO)
