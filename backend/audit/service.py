"""Append to the audit trail; called inside the transaction of the change it records."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from functools import cache
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
    # How an act came that no member of the brand made (her no to its invitation, by SMS):
    # the trail names no actor, and says the channel all the same.
    channel: Channel | None = None


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


# PostgreSQL types of the columns after ``brand``, for parameters in ``INSERT … SELECT``.
_TYPES = ("text", "integer", "text", "text", "text", "integer", "integer", "text", "text", "timestamptz")


def event_values(actor: Principal | None, event: Event, now: dt.datetime) -> tuple[Any, ...]:
    """An event's columns after ``brand``, in ``COLUMNS`` order.

    Typed in the SMS simulator, the actor is the staff member at the keyboard, on behalf of
    the villager whose phone was simulated, on channel ``simulator``: never her, by SMS."""
    who: int | None
    on_behalf_of: int | None
    if actor is not None and actor.typed_by is not None:
        who, on_behalf_of = actor.typed_by, actor.member_id
    else:
        who, on_behalf_of = (actor.member_id if actor else None), event.on_behalf_of
    return (
        event.entity,
        event.entity_id,
        event.action,
        event.from_status,
        event.to_status,
        who,
        on_behalf_of,
        _channel(actor, event).value,
        json.dumps(event.detail, ensure_ascii=False, default=str, sort_keys=True),
        now,
    )


async def record_events(actor: Principal | None, brand_id: int, events: Sequence[Event]) -> None:
    """Append events by one actor in as few statements as the engines allow (a dispatch of many offers)."""
    now = utcnow()
    await insert_rows("audit_event", COLUMNS, [(brand_id, *event_values(actor, event, now)) for event in events])


@cache
def audited(change: str) -> str:
    """PostgreSQL: a change (an ``UPDATE … RETURNING brand``) and its audit row in one statement.

    Its parameters are the change's, then :func:`event_values`; it returns the brand when
    the change matched a row, nothing (and writes no audit row) when it did not.
    """
    names = ", ".join(f'"{column}"' for column in COLUMNS)
    values = ", ".join(f"{{}}::{kind}" for kind in _TYPES)
    return (
        f"WITH changed AS ({change}) "  # noqa: S608 - our own statements and names
        f"INSERT INTO audit_event ({names}) SELECT changed.brand, {values} FROM changed RETURNING brand"
    )


def _channel(actor: Principal | None, event: Event) -> Channel:
    if actor is not None and actor.typed_by is not None:
        return actor.via
    if event.on_behalf_of:
        return Channel.ON_BEHALF
    return actor.channel if actor else (event.channel or Channel.SYSTEM)


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
