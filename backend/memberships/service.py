"""Adding an artisan by phone, and a person leaving a brand."""

from __future__ import annotations

from backend.accounts import rules
from backend.accounts.schemas import ArtisanCreate, InvitationRead, MemberRead
from backend.accounts.service import add_member, add_membership
from backend.accounts.tables import Member
from backend.audit.service import Event, record_events
from backend.core.access import STAFF, acting_in, require_role
from backend.core.errors import OpenWork
from backend.core.phones import normalize_phone
from backend.core.types import Principal, Role, utcnow
from backend.crafts import require_crafts
from backend.db.counters import AUTH_CHANGES, bump
from backend.db.session import write_transaction
from backend.jobs.machine import Action, Status, transition
from backend.jobs.tables import Job
from backend.memberships import invitations

# Work that binds her to a brand until it is settled: accepted, in review, approved, paid
# and not yet confirmed, disputed. Open offers she simply declines by leaving.
UNSETTLED = [
    s.value for s in (Status.ACCEPTED, Status.SUBMITTED, Status.REWORK, Status.APPROVED, Status.PAID, Status.DISPUTED)
]


async def add_artisan(actor: Principal, data: ArtisanCreate) -> MemberRead | InvitationRead:
    """Add an artisan by phone: someone new to Cunjiang (or who works with no brand any more)
    is registered at once; someone who works with another brand is invited. Both are checked alike first, so no answer
    says anything of who the number is."""
    require_role(actor, *STAFF)
    phone = normalize_phone(data.phone)
    rules.clean_locale(data.locale)
    async with write_transaction():
        await rules.check_village(actor.brand_id, data.village_id)
        await require_crafts(actor.brand_id, data.crafts, field="crafts")
        person_id = await invitations.known_person(phone)
        if person_id is not None:
            return await join_or_invite(actor, person_id, data)
        return await add_member(
            actor.brand_id,
            role=Role.ARTISAN,
            phone=phone,
            name=data.name,
            village_id=data.village_id,
            crafts=data.crafts,
            sms_only=data.sms_only,
            takes_calls=data.takes_calls,
            locale=data.locale,
            voice_language=data.voice_language,
            actor=actor,
        )


async def join_or_invite(actor: Principal, person_id: int, data: ArtisanCreate) -> MemberRead | InvitationRead:
    """Someone Cunjiang knows, added by a brand: invited while she works with another brand;
    registered at once when she works with none now and never did with this one. Inside a
    write transaction; the village and crafts checked by the caller."""
    if not await _works_with_no_brand(person_id, actor.brand_id):
        return await invitations.invite(actor, person_id, data)
    return await add_membership(
        actor.brand_id,
        person_id,
        role=Role.ARTISAN,
        name=data.name,
        village_id=data.village_id,
        crafts=data.crafts,
        actor=actor,
    )


async def _works_with_no_brand(person_id: int, brand_id: int) -> bool:
    """Whether someone Cunjiang knows works with no brand now and never worked with this one:
    nobody else sees her any more, so nothing of hers goes to another organisation, and she
    could answer no invitation (she signs in and texts as someone who works with a brand)."""
    hers = Member.person == person_id
    return not await Member.exists().where(hers & ((Member.active == True) | (Member.brand == brand_id)))  # noqa: E712


async def leave(actor: Principal, brand_id: int) -> None:
    """She stops working with a brand (in the app, or by SMS: 退出 and its short name). Work
    in hand is settled first (409 ``open_work``); offers not yet answered are declined. The
    brand keeps its records of her work, but no longer sees her."""
    async with write_transaction():
        actor = acting_in(actor, brand_id)
        require_role(actor, Role.ARTISAN)
        open_work = await Job.count().where((Job.artisan == actor.member_id) & Job.status.is_in(UNSETTLED))
        if open_work:
            raise OpenWork(count=open_work)
        offers = await Job.select(Job.id).where((Job.artisan == actor.member_id) & (Job.status == Status.OFFERED.value))
        for offer in offers:
            await transition(offer["id"], Action.DECLINE, actor, current=Status.OFFERED, reason="left")
        await Member.update({Member.active: False, Member.left_at: utcnow()}).where(Member.id == actor.member_id)
        await record_events(actor, brand_id, [Event(entity="member", entity_id=actor.member_id, action="leave")])
        await bump(AUTH_CHANGES)  # her sessions no longer see the brand
