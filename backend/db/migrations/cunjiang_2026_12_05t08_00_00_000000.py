"""Security review (issue 22): who typed a simulated SMS, where a payout's confirmation came
from, device tokens that expire when idle."""

from backend.db.ddl import statements_migration

ID = "2026-12-05T08:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "sms_inbox typed_by/typed_brand, payout confirmed_via, device_token last_used_at"

STATEMENTS = [
    'ALTER TABLE sms_inbox ADD COLUMN "typed_by" INTEGER NULL DEFAULT NULL',
    'ALTER TABLE sms_inbox ADD COLUMN "typed_brand" INTEGER NULL DEFAULT NULL',
    'CREATE INDEX sms_inbox_typed_brand ON "sms_inbox" ("typed_brand")',
    """ALTER TABLE payout ADD COLUMN "confirmed_via" VARCHAR(16) NOT NULL DEFAULT ''""",
    # Null until first renewed: a token counts as used when it was made (backend.auth.service).
    'ALTER TABLE device_token ADD COLUMN "last_used_at" TIMESTAMPTZ NULL DEFAULT NULL',
]


forwards = statements_migration(ID, DESCRIPTION, STATEMENTS)
