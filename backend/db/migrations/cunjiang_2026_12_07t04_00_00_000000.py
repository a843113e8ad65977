"""Recorded prompts (issue 26): the language calls speak to a person when text-to-speech cannot
(``person.voice_language``), and each brand's recordings of the prompts in such a language."""

from backend.db.ddl import statements_migration

ID = "2026-12-07T04:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "person.voice_language, voice_recording"

NO_ACTION = "ON DELETE NO ACTION ON UPDATE NO ACTION"
STATEMENTS = [
    'ALTER TABLE "person" ADD COLUMN "voice_language" VARCHAR(16) DEFAULT null',
    f"""CREATE TABLE "voice_recording" ({{key}},
  "brand" INTEGER NOT NULL REFERENCES "brand" ("id") {NO_ACTION} DEFAULT null,
  "language" VARCHAR(16) NOT NULL DEFAULT '',
  "prompt" VARCHAR(64) NOT NULL DEFAULT '',
  "aliyun_code" VARCHAR(64) NOT NULL DEFAULT '',
  "audio_key" VARCHAR(200) NOT NULL DEFAULT '',
  "audio_type" VARCHAR(32) NOT NULL DEFAULT '',
  "audio_token" VARCHAR(64) UNIQUE DEFAULT null,
  "audio_bytes" INTEGER NOT NULL DEFAULT 0,
  "updated_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)""",
    'CREATE INDEX voice_recording_brand ON "voice_recording" ("brand")',
    'CREATE UNIQUE INDEX voice_recording_prompt ON "voice_recording" ("brand", "language", "prompt")',
]
UNDO = ['DROP TABLE "voice_recording"', 'ALTER TABLE "person" DROP COLUMN "voice_language"']

forwards = statements_migration(ID, DESCRIPTION, STATEMENTS, UNDO)
