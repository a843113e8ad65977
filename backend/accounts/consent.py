"""What a person allows to be shown of her in public (PIPL art. 25): her name (or a name she
gives), her photo, her village, her own words. All off until she says otherwise; a change
takes effect everywhere at once and is audited in every brand she works with. Her own words
themselves (proposed by a coordinator, approved by her) are ``backend.accounts.story``'s."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backend.accounts.schemas import ConsentChoice, ConsentRead
from backend.accounts.tables import Consent
from backend.audit.service import Event, record_events
from backend.core.text import filled
from backend.core.types import Principal, utcnow
from backend.db.session import run, write_transaction

ITEMS = ("name", "display_name", "photo", "village", "story")
SWITCHES = ("name", "photo", "village", "story")


def _read(row: dict[str, Any] | None) -> ConsentRead:
    if row is None:
        return ConsentRead()
    waiting = row["story_proposed"]
    return ConsentRead(
        **{item: row[item] for item in ITEMS},
        story_text=row["story_text"],
        story_proposed=waiting,
        story_proposal=row["story_proposal"] if waiting is not None else None,
    )


async def consent_of(person_id: int) -> ConsentRead:
    """Her choice as it stands now (read afresh each time: a revocation holds at once)."""
    return _read(await Consent.select().where(Consent.person == person_id).first())


async def public_story(person_id: int) -> str | None:
    """Her own words as she approved them, if she lets them be shown; else None."""
    consent = await consent_of(person_id)
    return consent.story_text if consent.story else None


async def ensure_row(person_id: int) -> None:
    """Her row, all off, unless she has one (two at once make one: the key on ``person``)."""
    await run("INSERT INTO consent (person) VALUES ({}) ON CONFLICT (person) DO NOTHING", person_id)


async def set_consent(actor: Principal, wanted: ConsentChoice) -> ConsentRead:
    """Her choice, all items at once (the app's PUT)."""
    return await change_consent(actor, {item: getattr(wanted, item) for item in ITEMS})


async def change_consent(actor: Principal, changes: Mapping[str, Any]) -> ConsentRead:
    """Her choice of the items named (the app names all, an SMS answer one, 不公开 the four
    switches); what changed is audited, on her channel, in every brand she works with."""
    changes = dict(changes)
    if changes.get("display_name") is not None:
        changes["display_name"] = filled(changes["display_name"], "display_name")
    async with write_transaction():
        before = await consent_of(actor.person_id)
        await ensure_row(actor.person_id)
        values = {getattr(Consent, item): value for item, value in changes.items()} | {Consent.updated_at: utcnow()}
        await Consent.update(values).where(Consent.person == actor.person_id)
        changed = {
            item: [getattr(before, item), value] for item, value in changes.items() if getattr(before, item) != value
        }
        if changed:
            await audit(actor, "change", changed)
        return await consent_of(actor.person_id)


async def audit(actor: Principal, action: str, detail: dict[str, Any]) -> None:
    """Her own act about what is shown of her, in the trail of every brand she works with."""
    event = Event(entity="consent", entity_id=actor.person_id, action=action, detail=detail)
    for brand_id in dict.fromkeys(m.brand_id for m in actor.memberships or ()):
        await record_events(actor, brand_id, [event])
