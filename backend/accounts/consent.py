"""What a person allows to be shown of her in public (PIPL art. 25): her name (or a name she
gives), her photo, her village, her own words. All off until she says otherwise; a change
takes effect everywhere at once and is audited in every brand she works with."""

from __future__ import annotations

from typing import Any

import msgspec

from backend.accounts.schemas import ConsentRead
from backend.accounts.tables import Consent
from backend.audit.service import Event, record_events
from backend.core.text import filled
from backend.core.types import Principal, utcnow
from backend.db.session import write_transaction

ITEMS = ("name", "display_name", "photo", "village", "story")


def _read(row: dict[str, Any] | None) -> ConsentRead:
    return ConsentRead() if row is None else ConsentRead(**{item: row[item] for item in ITEMS})


async def consent_of(person_id: int) -> ConsentRead:
    return _read(await Consent.select().where(Consent.person == person_id).first())


async def set_consent(actor: Principal, wanted: ConsentRead) -> ConsentRead:
    """Her choice, all items at once (PUT); what changed is audited."""
    display = filled(wanted.display_name, "display_name") if wanted.display_name is not None else None
    wanted = msgspec.structs.replace(wanted, display_name=display)
    values = {getattr(Consent, item): getattr(wanted, item) for item in ITEMS} | {Consent.updated_at: utcnow()}
    async with write_transaction():
        before = await consent_of(actor.person_id)
        if await Consent.exists().where(Consent.person == actor.person_id):
            await Consent.update(values).where(Consent.person == actor.person_id)
        else:
            await Consent.insert(Consent(person=actor.person_id, _data=values))
        changed = {
            item: [getattr(before, item), getattr(wanted, item)]
            for item in ITEMS
            if getattr(before, item) != getattr(wanted, item)
        }
        if changed:
            event = Event(entity="consent", entity_id=actor.person_id, action="change", detail=changed)
            for brand_id in dict.fromkeys(m.brand_id for m in actor.memberships or ()):
                await record_events(actor, brand_id, [event])
    return wanted
