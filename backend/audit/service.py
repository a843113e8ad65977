"""Append to the audit trail; called inside the transaction of the change it records."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import msgspec

from backend.audit.tables import AuditEvent
from backend.core.types import Channel, Principal, utcnow
from backend.db.session import insert_rows


class Event(msgspec.Struct, frozen=True, kw_only=True):
    """One change to one entity, as the trail records it."""

    entity: str
    entity_id: int
    action: str
    from_status: str = ""
    to_status: str = ""
    on_behalf_of: int | None = None
    detail: dict[str, Any] = msgspec.field(default_factory=dict)


COLUMNS = (
    "brand",
    "entity",
    "entity_id",
    "action",
    "from_status",
    "to_status",
    "actor",
    "on_behalf_of",
    "channel",
    "detail",
    "created_at",
)


async def record_events(actor: Principal | None, brand_id: int, events: Sequence[Event]) -> None:
    """Append events by one actor in as few statements as the engines allow (a dispatch of many offers)."""
    now = utcnow()
    member = actor.member_id if actor else None
    rows = [
        (
            brand_id,
            event.entity,
            event.entity_id,
            event.action,
            event.from_status,
            event.to_status,
            member,
            event.on_behalf_of,
            _channel(actor, event).value,
            json.dumps(event.detail, ensure_ascii=False, default=str, sort_keys=True),
            now,
        )
        for event in events
    ]
    await insert_rows("audit_event", COLUMNS, rows)


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
