"""A database of the operations tests' own, for a server process to break."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from backend.db.session import is_sqlite
from tests.integration.ops.tools import admin


@pytest.fixture
async def empty_database(tmp_path: Path) -> AsyncIterator[str]:
    """The URL of a new, empty database on this lane's engine (never migrated), dropped after."""
    if is_sqlite():
        yield f"sqlite:///{tmp_path / 'ops.sqlite3'}"
        return
    ours = os.environ["CUNJIANG_DATABASE_URL"]  # the run's database: its server makes another
    name = f"cunjiang_ops_{secrets.token_hex(4)}"
    await admin(ours, f'CREATE DATABASE "{name}"')
    try:
        yield ours.rsplit("/", 1)[0] + f"/{name}"
    finally:
        await admin(ours, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
