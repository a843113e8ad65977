"""A brand's invitation asked by SMS (the ``invitation`` flow's question), when she needs SMS."""

from __future__ import annotations

from backend.accounts.tables import Person
from backend.core.types import utcnow
from backend.jobs.messages import needs_sms
from backend.memberships.queries import invitations_of_person
from backend.outbox.questions import Question, ask


async def ask_by_sms(person_id: int, invitation_id: int) -> bool:
    """Ask her by SMS whether she will work with the inviting brand, if she is SMS-only or has
    not opened the app for a day (else she sees it in the app); whether she was asked. The
    question names that brand only, and what it will see. Inside the inviting transaction."""
    person = (
        await Person.select(Person.phone, Person.locale, Person.sms_only, Person.last_seen_at)
        .where(Person.id == person_id)
        .first()
    )
    if person is None or not needs_sms(person, utcnow()):
        return False
    [item] = [item for item in await invitations_of_person(person_id) if item.id == invitation_id]
    question = Question(
        flow="invitation",
        phone=person["phone"],
        locale=person["locale"],
        member_id=None,  # not the brand's member (yet): her memberships elsewhere are not its business
        brand_id=item.brand_id,
        item_id=item.id,
        code=item.code,
        values={"code": item.code, "brand": item.brand},
    )
    await ask([question])
    return True
