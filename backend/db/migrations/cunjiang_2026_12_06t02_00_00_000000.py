"""An inbound SMS notes the brand its answer was filed under: a person of several brands'
texts are shown to the brand they were about, not to every brand she works with."""

from backend.db.ddl import statements_migration

ID = "2026-12-06T02:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "sms_inbox.brand"

STATEMENTS = [
    'ALTER TABLE "sms_inbox" ADD COLUMN "brand" INTEGER DEFAULT null',
    'CREATE INDEX sms_inbox_brand ON "sms_inbox" ("brand")',
    # Until now a person had one brand: her texts were hers.
    'UPDATE "sms_inbox" SET "brand" = (SELECT m."brand" FROM "member" m JOIN "person" p ON p."id" = m."person" '
    'WHERE p."phone" = "sms_inbox"."from_phone" ORDER BY m."id" LIMIT 1)',
]
UNDO = ["DROP INDEX sms_inbox_brand", 'ALTER TABLE "sms_inbox" DROP COLUMN "brand"']

forwards = statements_migration(ID, DESCRIPTION, STATEMENTS, UNDO)
