"""A person apart from her memberships: one ``person`` per phone number, ``member`` her place
in one brand; an ``invitation`` asks someone who works with one brand to join another.

Each existing member becomes one person with the same id (phones were unique), keeping her
phone, language, channel, code series and last visit; the member keeps its brand, role,
name, village, crafts and status and points at her, and notes when she left the brand. Device
tokens belong to the person. A brand gets a short name for SMS (退出 王家).

SQLite cannot drop a UNIQUE column or change a foreign key in place: ``member`` and
``device_token`` are rebuilt with foreign keys switched off (a dropped parent would cascade
into every job), in one transaction checked with ``foreign_key_check`` before it commits.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from backend.db.engine import DB

ID = "2026-12-06T00:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "person and memberships"

KEY = {"sqlite": '"id" INTEGER PRIMARY KEY NOT NULL', "postgres": '"id" SERIAL PRIMARY KEY NOT NULL'}
PERSON = """CREATE TABLE "person" ({key},
  "phone" VARCHAR(20) UNIQUE NOT NULL DEFAULT '',
  "locale" VARCHAR(16) NOT NULL DEFAULT 'zh_Hans',
  "sms_only" BOOLEAN NOT NULL DEFAULT false,
  "job_seq" {bigint} NOT NULL DEFAULT 0,
  "last_seen_at" TIMESTAMPTZ DEFAULT null,
  "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)"""
COPY_PEOPLE = """INSERT INTO "person" ("id", "phone", "locale", "sms_only", "job_seq", "last_seen_at", "created_at")
SELECT "id", "phone", "locale", "sms_only", "job_seq", "last_seen_at", "created_at" FROM "member" ORDER BY "id\""""
BRAND_SHORT_NAME = 'ALTER TABLE "brand" ADD COLUMN "short_name" VARCHAR(16) NOT NULL DEFAULT \'\''
PERSON_FK = 'REFERENCES "person" ("id") ON DELETE NO ACTION ON UPDATE NO ACTION'
# An Idempotency-Key belongs to its caller: the person now, with the id her membership had.
KEYS = "UPDATE idempotency_record SET scope = 'person:' || substr(scope, 8) WHERE scope LIKE 'member:%'"
NO_ACTION = "ON DELETE NO ACTION ON UPDATE NO ACTION"
INVITATION = f"""CREATE TABLE "invitation" ({{key}},
  "brand" INTEGER NOT NULL REFERENCES "brand" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null,
  "person" INTEGER NOT NULL REFERENCES "person" ("id") {NO_ACTION} DEFAULT null,
  "invited_by" INTEGER REFERENCES "member" ("id") {NO_ACTION} DEFAULT null,
  "name" VARCHAR(100) NOT NULL DEFAULT '',
  "village" INTEGER NOT NULL REFERENCES "village" ("id") {NO_ACTION} DEFAULT null,
  "crafts" TEXT NOT NULL DEFAULT '',
  "status" VARCHAR(16) NOT NULL DEFAULT 'pending',
  "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
  "answered_at" TIMESTAMPTZ DEFAULT null,
  "answered_via" VARCHAR(16) NOT NULL DEFAULT '')"""
INVITATION_INDEXES = [
    'CREATE INDEX invitation_brand ON "invitation" ("brand")',
    'CREATE INDEX invitation_person ON "invitation" ("person")',
    'CREATE UNIQUE INDEX invitation_brand_person ON "invitation" ("brand", "person")',
]
INDEXES = [
    'CREATE INDEX member_person ON "member" ("person")',
    'CREATE UNIQUE INDEX member_person_brand ON "member" ("person", "brand")',
]

POSTGRES = [
    PERSON.format(key=KEY["postgres"], bigint="BIGINT"),
    COPY_PEOPLE,
    "SELECT setval(pg_get_serial_sequence('person', 'id'), "
    'COALESCE((SELECT MAX("id") FROM "person"), 0) + 1, false)',
    f'ALTER TABLE "member" ADD COLUMN "person" INTEGER {PERSON_FK}',
    'UPDATE "member" SET "person" = "id"',
    'ALTER TABLE "member" ALTER COLUMN "person" SET NOT NULL',
    'ALTER TABLE "member" ADD COLUMN "left_at" TIMESTAMPTZ DEFAULT null',
    BRAND_SHORT_NAME,
    'ALTER TABLE "member" DROP COLUMN "phone", DROP COLUMN "locale", DROP COLUMN "sms_only", '
    'DROP COLUMN "job_seq", DROP COLUMN "last_seen_at"',
    *INDEXES,
    'ALTER TABLE "device_token" DROP CONSTRAINT "device_token_member_fkey"',
    'ALTER TABLE "device_token" RENAME COLUMN "member" TO "person"',
    'ALTER INDEX "device_token_member" RENAME TO "device_token_person"',
    'ALTER TABLE "device_token" ADD CONSTRAINT "device_token_person_fkey" FOREIGN KEY ("person") '
    'REFERENCES "person" ("id") ON DELETE CASCADE ON UPDATE CASCADE',
    KEYS,
    INVITATION.format(key=KEY["postgres"]),
    *INVITATION_INDEXES,
]

SQLITE_MEMBER = f"""CREATE TABLE "member_new" ("id" INTEGER PRIMARY KEY NOT NULL,
  "brand" INTEGER NOT NULL REFERENCES "brand" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null,
  "person" INTEGER NOT NULL {PERSON_FK} DEFAULT null,
  "role" VARCHAR(16) NOT NULL DEFAULT '',
  "name" VARCHAR(100) NOT NULL DEFAULT '',
  "village" INTEGER REFERENCES "village" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null,
  "crafts" TEXT NOT NULL DEFAULT '',
  "active" BOOLEAN NOT NULL DEFAULT true,
  "left_at" TIMESTAMPTZ DEFAULT null,
  "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)"""
SQLITE_TOKENS = """CREATE TABLE "device_token_new" ("id" INTEGER PRIMARY KEY NOT NULL,
  "person" INTEGER NOT NULL REFERENCES "person" ("id") ON DELETE CASCADE ON UPDATE CASCADE DEFAULT null,
  "token_hash" VARCHAR(64) UNIQUE NOT NULL DEFAULT '',
  "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
  "revoked_at" TIMESTAMPTZ DEFAULT null,
  "last_used_at" TIMESTAMPTZ NULL DEFAULT NULL)"""
SQLITE = [
    BRAND_SHORT_NAME,
    PERSON.format(key=KEY["sqlite"], bigint="INTEGER"),
    COPY_PEOPLE,
    SQLITE_MEMBER,
    'INSERT INTO "member_new" ("id", "brand", "person", "role", "name", "village", "crafts", "active", "created_at") '
    'SELECT "id", "brand", "id", "role", "name", "village", "crafts", "active", "created_at" FROM "member"',
    'DROP TABLE "member"',
    'ALTER TABLE "member_new" RENAME TO "member"',
    'CREATE INDEX member_brand ON "member" ("brand")',
    'CREATE INDEX member_village ON "member" ("village")',
    *INDEXES,
    SQLITE_TOKENS,
    'INSERT INTO "device_token_new" ("id", "person", "token_hash", "created_at", "revoked_at", "last_used_at") '
    'SELECT "id", "member", "token_hash", "created_at", "revoked_at", "last_used_at" FROM "device_token"',
    'DROP TABLE "device_token"',
    'ALTER TABLE "device_token_new" RENAME TO "device_token"',
    'CREATE INDEX device_token_person ON "device_token" ("person")',
    KEYS,
    INVITATION.format(key=KEY["sqlite"]),
    *INVITATION_INDEXES,
]


async def _sqlite() -> None:
    """The rebuild, outside Piccolo's transaction: ``foreign_keys`` cannot change inside one."""
    await DB.run_ddl("PRAGMA foreign_keys = OFF")
    try:
        await DB.run_ddl("BEGIN IMMEDIATE")
        try:
            for statement in SQLITE:
                await DB.run_ddl(statement)
            broken = await DB.run_ddl("PRAGMA foreign_key_check")
            if broken:
                raise RuntimeError(f"the rebuilt tables break foreign keys: {broken[:5]}")
            await DB.run_ddl("COMMIT")
        except BaseException:
            await DB.run_ddl("ROLLBACK")
            raise
    finally:
        await DB.run_ddl("PRAGMA foreign_keys = ON")


async def forwards() -> MigrationManager:
    sqlite = DB.engine_type == "sqlite"
    manager = MigrationManager(
        migration_id=ID, app_name="cunjiang", description=DESCRIPTION, wrap_in_transaction=not sqlite
    )

    async def run() -> None:
        if sqlite:
            await _sqlite()
            return
        for statement in POSTGRES:
            await DB.run_ddl(statement)

    manager.add_raw(run)
    return manager
