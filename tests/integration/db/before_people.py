"""Run in a process of its own (``python -m tests.integration.db.before_people STEP``) against
``CUNJIANG_DATABASE_URL``: ``old`` migrates to the schema of 2026-12-05 (one ``member`` per
phone) and fills it as a brand would have; ``new`` migrates to the head and prints what
became of it, as JSON."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys

from piccolo.apps.migrations.commands.forwards import run_forwards

from backend.db import session
from backend.db.session import is_sqlite, run

BEFORE = "2026-12-05T09:00:00:000000"  # the last migration before people and memberships
SEEN = dt.datetime(2026, 12, 1, 8, tzinfo=dt.UTC)
MEMBERS = [
    # id, role, phone, name, village, crafts, sms_only, locale, active, job_seq, last seen
    (1, "coordinator", "+8613900000001", "陈协调", None, "", False, "zh_Hans", True, 0, None),
    (2, "artisan", "+8613900000002", "杨秀英", 1, "embroidery,batik", True, "en", True, 7, SEEN),
    (3, "leader", "+8613900000003", "杨村长", 1, "", False, "zh_Hans", True, 0, None),
    (4, "artisan", "+8613900000004", "潘阿妹", 1, "batik", False, "zh_Hans", False, 2, None),
]


async def old() -> None:
    await run_forwards("cunjiang", migration_id=BEFORE)
    await run("INSERT INTO brand (id, slug, name) VALUES (1, 'wang', '王家手作')")
    await run("INSERT INTO village (id, brand, name, county, province) VALUES (1, 1, '控拜', '雷山县', '贵州省')")
    for row in MEMBERS:
        await run(
            "INSERT INTO member (id, role, phone, name, village, crafts, sms_only, locale, active, job_seq, "
            "last_seen_at, brand) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, 1)",
            *row,
        )
    await run("INSERT INTO device_token (id, member, token_hash) VALUES (1, 2, 'live'), (2, 2, 'other')")
    await run("UPDATE device_token SET revoked_at = {} WHERE id = 2", SEEN)
    await run(
        "INSERT INTO production_order (id, brand, title, craft, quantity, unit_price_fen, due_date, created_by) "
        "VALUES (1, 1, '苗绣围巾', 'embroidery', 20, 4500, {}, 1)",
        SEEN.date(),
    )
    await run(
        'INSERT INTO job (id, "order", brand, artisan, code, quantity_offered, expires_at) '
        "VALUES (1, 1, 1, 2, 'K7', 5, {})",
        SEEN,
    )
    await run(
        'INSERT INTO idempotency_record (scope, "key", request_hash) VALUES '
        "('member:2', 'accept-1', 'h'), ('address:10.0.0.1', 'sign-in', 'h')"
    )
    if not is_sqlite():  # rows made with their ids, as a brand's would have come from the sequences
        for table in ("brand", "village", "member", "device_token", "production_order", "job"):
            await run(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")  # noqa: S608


async def new() -> None:
    await session.migrate()
    report = {
        "person": await run("SELECT id, phone, locale, sms_only, job_seq, last_seen_at FROM person ORDER BY id"),
        "member": await run("SELECT id, person, brand, role, name, village, crafts, active FROM member ORDER BY id"),
        "device_token": await run("SELECT id, person, token_hash, revoked_at FROM device_token ORDER BY id"),
        "job": await run("SELECT id, artisan, code FROM job ORDER BY id"),
        "scopes": await run('SELECT scope FROM idempotency_record ORDER BY "key"'),
    }
    # What comes after: a new person and membership get ids of their own.
    [person] = await run("INSERT INTO person (phone) VALUES ('+8613900000009') RETURNING id")
    await run("INSERT INTO member (brand, person, role, name) VALUES (1, {}, 'artisan', '新人')", person["id"])
    report["next_person"] = person["id"]
    print(json.dumps(report, default=str, ensure_ascii=False))


async def main(step: str) -> None:
    await session.start()
    try:
        await {"old": old, "new": new}[step]()
    finally:
        await session.stop()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
