"""Her own words: a coordinator of a brand she works with writes down what she dictated; she
approves or rejects it (in the app, by SMS when it fits one message, or, read out to her, a
coordinator records her answer on her behalf). Only an approved text can ever be shown, and
only while her ``story`` switch is on (``backend.accounts.consent.public_story``). A new
proposal replaces one still waiting; each proposal is numbered, so that an answer given to
an older one never approves words she has not seen."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from backend.accounts import consent
from backend.accounts.schemas import ConsentRead, StoryDecision, StoryDecisionWord, StoryProposal, StoryProposed
from backend.audit.service import Event, record_events
from backend.core.access import STAFF, require_role
from backend.core.errors import Invalid, NotFound, StoryChanged, StoryNotPending
from backend.core.i18n import N_
from backend.core.types import Channel, Principal, utcnow
from backend.db.session import run, write_transaction
from backend.jobs.messages import needs_sms
from backend.messages.templates import TEMPLATE_VALUE_MAX, render, segment_problem
from backend.outbox.questions import Question, ask

STORY_MAX_CHARS = 200
STORY_QUESTION = "story_proposed"  # the ``story`` flow's question (sms_flows/story.toml)
# Seven digits or more, whatever lies between them (138 0013 8000, 138-0013-8000).
PHONE = re.compile(r"(?:\d[\s\-.()/]*){7,}")
LINK = re.compile(
    r"(?:[a-z][a-z0-9+.-]*://|www\.|@|\b[a-z0-9-]+\.(?:com|cn|net|org|top|xyz|info|io|me|cc|vip|shop|site|link)\b)",
    re.IGNORECASE,
)
MEMBER = """
SELECT m.id, m.person, p.phone, p.locale, p.sms_only, p.last_seen_at
FROM member m JOIN person p ON p.id = m.person
WHERE m.id = {} AND m.brand = {} AND m.left_at IS NULL
"""


def clean_story(text: str) -> str:
    """The words as they will be shown: spaces and line breaks folded into single spaces;
    refused (422) when empty, too long, or carrying a phone number or a link."""
    cleaned = " ".join(text.split())
    if not cleaned:
        raise Invalid(N_("Please fill this in."), fields={"text": "blank"})
    if len(cleaned) > STORY_MAX_CHARS:
        raise Invalid(
            N_("A story can have at most {limit} characters; this one has {count}."),
            fields={"text": "too_long"},
            limit=STORY_MAX_CHARS,
            count=len(cleaned),
        )
    folded = unicodedata.normalize("NFKC", cleaned)  # full-width digits are digits
    if PHONE.search(folded):
        raise Invalid(N_("A story must not contain a phone number."), fields={"text": "phone_number"})
    if LINK.search(folded):
        raise Invalid(N_("A story must not contain a link or an online address."), fields={"text": "link"})
    return cleaned


def fits_one_sms(text: str, locale: str) -> bool:
    """Whether the words can go in one template variable and the question with them takes one
    SMS segment in her language."""
    if len(text) > TEMPLATE_VALUE_MAX:
        return False
    return segment_problem(render(STORY_QUESTION, locale, story=text).body) is None


async def _member(actor: Principal, member_id: int) -> dict[str, Any]:
    """A person of the caller's brand (one who left it, or another brand's, does not exist)."""
    require_role(actor, *STAFF)
    rows = await run(MEMBER, member_id, actor.brand_id)
    if not rows:
        raise NotFound()
    return rows[0]


async def member_consent(actor: Principal, member_id: int) -> ConsentRead:
    """What she allows to be shown, as her brand's staff may read it (never change it)."""
    return await consent.consent_of((await _member(actor, member_id))["person"])


async def propose_story(actor: Principal, member_id: int, data: StoryProposal) -> StoryProposed:
    """A coordinator writes down her words for her approval; it replaces a proposal still
    waiting. She is asked by SMS when she needs SMS and the question fits one message."""
    text = clean_story(data.text)
    async with write_transaction():
        member = await _member(actor, member_id)
        person = member["person"]
        await consent.ensure_row(person)
        [row] = await run(
            "UPDATE consent SET story_proposed = {}, story_proposal = story_proposal + 1, story_proposed_at = {} "
            "WHERE person = {} RETURNING story_proposal",
            text,
            utcnow(),
            person,
        )
        proposal = int(row["story_proposal"])
        detail = {"proposal": proposal, "text": text}
        event = Event(entity="consent", entity_id=person, action="story_proposed", detail=detail)
        await record_events(actor, actor.brand_id, [event])
        by_sms = needs_sms(member, utcnow()) and fits_one_sms(text, member["locale"])
        if by_sms:
            await ask([_question(actor.brand_id, member, proposal, text)])
    return StoryProposed(proposal=proposal, text=text, asked_by_sms=by_sms)


def _question(brand_id: int, member: dict[str, Any], proposal: int, text: str) -> Question:
    return Question(
        flow="story",
        phone=member["phone"],
        locale=member["locale"],
        member_id=member["id"],
        brand_id=brand_id,
        item_id=proposal,
        code="",
        values={"story": text},
    )


async def decide_story(actor: Principal, data: StoryDecision) -> ConsentRead:
    """Her yes or no to the proposal waiting (the one numbered ``data.proposal``, when given):
    a yes makes it her approved words, replacing the ones before; either way it waits no
    more. 409 when none waits, or another one does. Audited in every brand she works with."""
    async with write_transaction():
        proposal, text = await _take(actor.person_id, data)
        await consent.audit(actor, f"story_{data.decision.value}d", {"proposal": proposal, "text": text})
        return await consent.consent_of(actor.person_id)


async def decide_story_for(actor: Principal, member_id: int, data: StoryDecision) -> ConsentRead:
    """Her answer, recorded by a coordinator who read the words out to her (too long for one
    SMS, or no app): channel ``on-behalf``, in the coordinator's brand's trail."""
    async with write_transaction():
        member = await _member(actor, member_id)
        proposal, text = await _take(member["person"], data)
        event = Event(
            entity="consent",
            entity_id=member["person"],
            action=f"story_{data.decision.value}d",
            on_behalf_of=member_id,
            channel=Channel.ON_BEHALF,
            detail={"proposal": proposal, "text": text},
        )
        await record_events(actor, actor.brand_id, [event])
        return await consent.consent_of(member["person"])


async def _take(person_id: int, data: StoryDecision) -> tuple[int, str]:
    """Settle the waiting proposal (conditionally: two answers at once settle it once)."""
    found = await consent.consent_of(person_id)
    if found.story_proposed is None or found.story_proposal is None:
        raise StoryNotPending()
    if data.proposal is not None and data.proposal != found.story_proposal:
        raise StoryChanged()
    approved = "story_text = story_proposed, " if data.decision == StoryDecisionWord.APPROVE else ""
    settled = await run(
        f"UPDATE consent SET {approved}story_proposed = NULL, updated_at = {{}} "  # noqa: S608 (a fixed fragment)
        "WHERE person = {} AND story_proposal = {} AND story_proposed IS NOT NULL RETURNING id",
        utcnow(),
        person_id,
        found.story_proposal,
    )
    if not settled:
        raise StoryNotPending()
    return found.story_proposal, found.story_proposed
