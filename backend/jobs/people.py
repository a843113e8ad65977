"""What changes to a person mean for their jobs."""

from __future__ import annotations

from msgspec import UNSET

from backend.accounts import service as accounts
from backend.accounts.schemas import ArtisanUpdate, MemberRead
from backend.core.types import Principal
from backend.db.session import run, write_transaction
from backend.jobs.machine import note_changed


async def update_artisan(actor: Principal, artisan_id: int, data: ArtisanUpdate) -> MemberRead:
    """Change an artisan (see ``accounts.service.update_artisan``). A move to another village
    puts their jobs in the feed again, so that both villages' leaders, syncing by cursor,
    see them leave and arrive."""
    async with write_transaction():
        member = await accounts.update_artisan(actor, artisan_id, data)
        if data.village_id is not UNSET:
            note_changed([row["id"] for row in await run("SELECT id FROM job WHERE artisan = {}", artisan_id)])
    return member
