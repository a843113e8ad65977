"""Crafts become each brand's own list; one photo per owner and content."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from backend.db.engine import DB

ID = "2026-11-24T00:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "craft table seeded from the old fixed list; unique photo per owner and content hash"

CRAFT_COLUMNS = """
  "brand" INTEGER NOT NULL REFERENCES "brand" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
  "code" VARCHAR(32) NOT NULL DEFAULT '',
  "names" TEXT NOT NULL DEFAULT '{}',
  "active" BOOLEAN NOT NULL DEFAULT true,
  "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
"""
CREATE = {
    "sqlite": f'CREATE TABLE "craft" ("id" INTEGER PRIMARY KEY NOT NULL, {CRAFT_COLUMNS})',
    "postgres": f'CREATE TABLE "craft" ("id" SERIAL PRIMARY KEY NOT NULL, {CRAFT_COLUMNS})',
}
# The values the fixed list allowed until now, so that every stored order and artisan
# keeps a craft that exists.
OLD_CRAFTS = {
    "embroidery": '{"zh_Hans": "刺绣", "en": "Embroidery"}',
    "batik": '{"zh_Hans": "蜡染", "en": "Batik"}',
    "weaving": '{"zh_Hans": "织锦", "en": "Weaving"}',
    "silverwork": '{"zh_Hans": "银饰", "en": "Silverwork"}',
    "other": '{"zh_Hans": "其他", "en": "Other"}',
}
AFTER = [
    'CREATE INDEX craft_brand ON "craft" ("brand")',
    'CREATE UNIQUE INDEX craft_brand_code ON "craft" ("brand", "code")',
    *(
        f"INSERT INTO craft (brand, code, names) SELECT id, '{code}', '{names}' FROM brand"  # noqa: S608
        for code, names in OLD_CRAFTS.items()
    ),
    "CREATE UNIQUE INDEX photo_owner_content ON photo (owner, content_hash)",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="cunjiang", description=DESCRIPTION)

    async def run() -> None:
        await DB.run_ddl(CREATE[DB.engine_type])
        for statement in AFTER:
            await DB.run_ddl(statement)

    manager.add_raw(run)
    return manager
