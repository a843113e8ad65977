"""Append to the audit trail; called inside the transaction of the change it records."""

from __future__ import annotations

import json
from typing import Any

from backend.audit.tables import AuditEvent
from backend.core.types import Channel, Principal


async def record_event(
    actor: Principal | None,
    *,
    brand_id: int,
    entity: str,
    entity_id: int,
    action: str,
    from_status: str = "",
    to_status: str = "",
    on_behalf_of: int | None = None,
    **detail: Any,
) -> None:
    channel = Channel.ON_BEHALF if on_behalf_of else (actor.channel if actor else Channel.SYSTEM)
    await AuditEvent.insert(
        AuditEvent(
            brand=brand_id,
            entity=entity,
            entity_id=entity_id,
            action=action,
            from_status=from_status,
            to_status=to_status,
            actor=actor.member_id if actor else None,
            on_behalf_of=on_behalf_of,
            channel=channel.value,
            detail=json.dumps(detail, ensure_ascii=False, default=str, sort_keys=True),
        )
    )


async def history(entity: str, entity_id: int) -> list[dict[str, Any]]:
    """The events of one entity, oldest first."""
    return await (
        AuditEvent.select()
        .where((AuditEvent.entity == entity) & (AuditEvent.entity_id == entity_id))
        .order_by(AuditEvent.id)
    )
