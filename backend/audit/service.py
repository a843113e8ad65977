"""Append to the audit trail; called inside the transaction of the change it records."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import msgspec

from backend.audit.tables import AuditEvent
from backend.core.types import Channel, Principal
from backend.db.session import insert_many


class Event(msgspec.Struct, frozen=True, kw_only=True):
    """One change to one entity, as the trail records it."""

    entity: str
    entity_id: int
    action: str
    from_status: str = ""
    to_status: str = ""
    on_behalf_of: int | None = None
    detail: dict[str, Any] = msgspec.field(default_factory=dict)


async def record_events(actor: Principal | None, brand_id: int, events: Iterable[Event]) -> None:
    """Append several events by one actor at once (a dispatch of many offers)."""
    rows = [
        AuditEvent(
            brand=brand_id,
            entity=event.entity,
            entity_id=event.entity_id,
            action=event.action,
            from_status=event.from_status,
            to_status=event.to_status,
            actor=actor.member_id if actor else None,
            on_behalf_of=event.on_behalf_of,
            channel=_channel(actor, event).value,
            detail=json.dumps(event.detail, ensure_ascii=False, default=str, sort_keys=True),
        )
        for event in events
    ]
    await insert_many(AuditEvent, rows)


def _channel(actor: Principal | None, event: Event) -> Channel:
    if event.on_behalf_of:
        return Channel.ON_BEHALF
    return actor.channel if actor else Channel.SYSTEM


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
    event = Event(
        entity=entity,
        entity_id=entity_id,
        action=action,
        from_status=from_status,
        to_status=to_status,
        on_behalf_of=on_behalf_of,
        detail=detail,
    )
    await record_events(actor, brand_id, [event])


async def history(entity: str, entity_id: int) -> list[dict[str, Any]]:
    """The events of one entity, oldest first."""
    return await (
        AuditEvent.select()
        .where((AuditEvent.entity == entity) & (AuditEvent.entity_id == entity_id))
        .order_by(AuditEvent.id)
    )
