"""The audit trail cannot be rewritten."""

from __future__ import annotations

import httpx
import pytest

from backend.audit.tables import AuditEvent
from tests import support


async def test_the_audit_trail_is_append_only(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    work = await support.job_in_state(client, brand, artisan, "accepted")
    event = await AuditEvent.select(AuditEvent.id).where(AuditEvent.entity_id == work.job_id).first()
    assert event is not None
    with pytest.raises(Exception, match="append-only"):
        await AuditEvent.update({AuditEvent.action: "forged"}).where(AuditEvent.id == event["id"])
    with pytest.raises(Exception, match="append-only"):
        await AuditEvent.delete().where(AuditEvent.id == event["id"])
    assert await AuditEvent.count().where(AuditEvent.id == event["id"]) == 1
