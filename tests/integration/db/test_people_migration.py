"""The migration to people and memberships, from a copy of the schema before it with a
brand's data in it, on the lane's engine: nobody is lost, nothing is attached to someone else."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from backend.db.session import is_sqlite
from tests.integration.db.before_people import MEMBERS

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A database of its own: a SQLite file, or a new PostgreSQL database beside the lane's."""
    if is_sqlite():
        yield f"sqlite:///{tmp_path / 'before.sqlite3'}"
        return
    lane = os.environ["CUNJIANG_DATABASE_URL"]
    server, name = lane.rsplit("/", 1)[0], f"people_{secrets.token_hex(4)}"

    async def admin(sql: str) -> None:
        connection = await asyncpg.connect(lane)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    yield f"{server}/{name}"
    asyncio.run(admin(f'DROP DATABASE "{name}" WITH (FORCE)'))


def step(name: str, url: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "tests.integration.db.before_people", name],
        cwd=ROOT,
        env=os.environ | {"CUNJIANG_DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_each_member_becomes_a_person_with_her_membership_and_keeps_her_devices_work_and_keys(
    database_url: str,
) -> None:
    step("old", database_url)

    found = json.loads(step("new", database_url).strip().splitlines()[-1])

    people = {row["id"]: row for row in found["person"]}
    assert [(p["id"], p["phone"], p["locale"], bool(p["sms_only"]), p["job_seq"]) for p in people.values()] == [
        (m[0], m[2], m[7], m[6], m[9]) for m in MEMBERS
    ]
    assert people[2]["last_seen_at"] is not None
    assert [
        (m["id"], m["person"], m["role"], m["name"], m["village"], m["crafts"], bool(m["active"]))
        for m in found["member"]
    ] == [(m[0], m[0], m[1], m[3], m[4], m[5], m[8]) for m in MEMBERS]
    assert [(t["id"], t["person"], t["revoked_at"] is None) for t in found["device_token"]] == [
        (1, 2, True),
        (2, 2, False),
    ]
    assert found["job"] == [{"id": 1, "artisan": 2, "code": "K7"}]
    assert [row["scope"] for row in found["scopes"]] == ["person:2", "address:10.0.0.1"]
    assert found["next_person"] > len(MEMBERS)  # the sequence goes on after the copied ids
