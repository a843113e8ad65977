"""A brand adds someone who already works with another brand: she is asked first, and only
her yes makes the membership (PIPL art. 23). Until then the brand sees that an invitation was
sent, and nothing else: not whom she works with, nor anything of her work there.
"""

from __future__ import annotations

from typing import Any

from backend.accounts.schemas import (
    ArtisanCreate,
    BrandRead,
    InvitationRead,
    InvitationStatus,
    MyInvitation,
)
from backend.accounts.tables import Invitation, Member, Person
from backend.audit.service import Event, record_events
from backend.core.access import STAFF, require_role
from backend.core.errors import AlreadyAnswered, NotFound, PhoneTaken
from backend.core.i18n import N_, translate
from backend.core.text import filled
from backend.core.types import Membership, Principal, Role, utcnow
from backend.db.counters import AUTH_CHANGES, bump
from backend.db.session import run, write_transaction
from backend.memberships.asking import ask_by_sms

# What a brand sees of a person who works with it: told to her before she says yes.
SEES = (
    N_("your name and phone number"),
    N_("your village and crafts"),
    N_("the work you do for it, and what it pays you"),
    N_("how many pieces you have in hand in all (not for whom)"),
)
ANSWER = """
UPDATE invitation SET status = {}, answered_at = {}, answered_via = {}
WHERE id = {} AND person = {} AND status = {} RETURNING brand, name, village, crafts, invited_by
"""


def invitation_read(row: dict[str, Any]) -> InvitationRead:
    return InvitationRead(
        id=row["id"],
        name=row["name"],
        village_id=row["village"],
        crafts=[c for c in row["crafts"].split(",") if c],
        status=InvitationStatus(row["status"]),
        created_at=row["created_at"],
    )


async def known_person(phone: str) -> int | None:
    """The person with this number (E.164), if Cunjiang knows her."""
    rows = await Person.select(Person.id).where(Person.phone == phone)
    return int(rows[0]["id"]) if rows else None


async def invite(actor: Principal, person_id: int, data: ArtisanCreate) -> InvitationRead:
    """Ask a person who is not yet one of the brand's to work with it (the caller has checked
    the village and crafts): in the app, and by SMS when she needs SMS. Asking again while she
    has not answered changes nothing; after an answer, the brand may ask again. Inside a
    write transaction."""
    if await Member.exists().where((Member.person == person_id) & (Member.brand == actor.brand_id)):
        raise PhoneTaken()  # one of the brand's own already: nothing about other brands
    now = utcnow()
    asked: dict[Any, Any] = {
        Invitation.name: filled(data.name, "name"),
        Invitation.village: data.village_id,
        Invitation.crafts: ",".join(data.crafts),
        Invitation.invited_by: actor.member_id,
        Invitation.status: InvitationStatus.PENDING.value,
        Invitation.created_at: now,
        Invitation.answered_at: None,
        Invitation.answered_via: "",
    }
    mine = (Invitation.brand == actor.brand_id) & (Invitation.person == person_id)
    found = await Invitation.select(Invitation.status).where(mine).first()
    new_question: list[dict[str, Any]] = []  # the row when this call asks her (once per question)
    if found is None:
        # Two staff asking at once make one invitation (a unique index on brand and person).
        new_question = (
            await Invitation.insert(Invitation(brand=actor.brand_id, person=person_id, _data=asked))
            .on_conflict(target=(Invitation.brand, Invitation.person), action="DO NOTHING")
            .returning(Invitation.id)
        )
    elif found["status"] != InvitationStatus.PENDING:
        answered = mine & (Invitation.status != InvitationStatus.PENDING.value)  # not re-asked meanwhile
        new_question = await Invitation.update(asked).where(answered).returning(Invitation.id)
    row = (await Invitation.select().where(mine))[0]
    event = Event(entity="invitation", entity_id=row["id"], action="invite", detail={"village": data.village_id})
    await record_events(actor, actor.brand_id, [event])
    if new_question:
        await ask_by_sms(person_id, row["id"])  # asking again changes nothing, by SMS neither
    return invitation_read(row)


async def brand_invitations(actor: Principal) -> list[InvitationRead]:
    """The brand's invitations, newest first."""
    require_role(actor, *STAFF)
    rows = await Invitation.select().where(Invitation.brand == actor.brand_id).order_by(Invitation.id, ascending=False)
    return [invitation_read(row) for row in rows]


async def my_invitations(actor: Principal) -> list[MyInvitation]:
    """The invitations she has not answered yet, oldest first, in her language."""
    rows = await Invitation.select(
        *Invitation.all_columns(),
        Invitation.brand.slug.as_alias("brand_slug"),
        Invitation.brand.name.as_alias("brand_name"),
        Invitation.village.name.as_alias("village_name"),
    ).where((Invitation.person == actor.person_id) & (Invitation.status == InvitationStatus.PENDING.value))
    return [
        MyInvitation(
            id=row["id"],
            brand=BrandRead(id=row["brand"], slug=row["brand_slug"], name=row["brand_name"]),
            name=row["name"],
            village=row["village_name"],
            crafts=[c for c in row["crafts"].split(",") if c],
            sees=[translate(text, actor.locale) for text in SEES],
            created_at=row["created_at"],
        )
        for row in sorted(rows, key=lambda r: r["id"])
    ]


async def answer(actor: Principal, invitation_id: int, accept: bool) -> None:
    """Her answer, once: a yes makes (or brings back) her membership of the brand."""
    status = InvitationStatus.ACCEPTED if accept else InvitationStatus.DECLINED
    async with write_transaction():
        rows = await run(
            ANSWER,
            status.value,
            utcnow(),
            actor.via.value,
            invitation_id,
            actor.person_id,
            InvitationStatus.PENDING.value,
        )
        if not rows:
            if await Invitation.exists().where(
                (Invitation.id == invitation_id) & (Invitation.person == actor.person_id)
            ):
                raise AlreadyAnswered()
            raise NotFound()
        asked = rows[0]
        if accept:
            member_id = await _join(actor.person_id, asked)
            joined = Membership(member_id, asked["brand"], Role.ARTISAN, asked["village"])
            as_member = Principal.of_person(actor.person_id, actor.locale, [joined], actor.channel)
            event = Event(entity="member", entity_id=member_id, action="join", detail={"invitation": invitation_id})
            await record_events(as_member, asked["brand"], [event])
        else:
            event = Event(entity="invitation", entity_id=invitation_id, action="decline", channel=actor.via)
            await record_events(None, asked["brand"], [event])
        await bump(AUTH_CHANGES)  # her sessions see the new brand at once


async def _join(person_id: int, asked: dict[str, Any]) -> int:
    """Her membership of the inviting brand, as it asked: new, or back after she left."""
    mine = (Member.person == person_id) & (Member.brand == asked["brand"])
    values: dict[Any, Any] = {
        Member.name: asked["name"],
        Member.village: asked["village"],
        Member.crafts: asked["crafts"],
    }
    if await Member.exists().where(mine):
        await Member.update(
            {**values, Member.active: True, Member.left_at: None, Member.role: Role.ARTISAN.value}
        ).where(mine)
    else:
        await Member.insert(Member(brand=asked["brand"], person=person_id, role=Role.ARTISAN.value,
                                   name=asked["name"], village=asked["village"], crafts=asked["crafts"]))  # fmt: skip
    return int((await Member.select(Member.id).where(mine))[0]["id"])
