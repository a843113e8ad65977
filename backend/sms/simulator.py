"""The SMS simulator: a coordinator types as a villager and reads what Cunjiang answers.

The message takes the path of a real one (stored in the inbox under the provider
``console``, answered by the same engine on the same services, the answer queued in the
outbox), so trying the SMS loop in a browser proves what villagers will get. Only with the
console gateway (reading included): with a real one, the answers would reach real phones,
and a real villager's messages are not the simulator's to show.

What is done there is the coordinator's act, never the villager's: the audit trail names
the coordinator on channel ``simulator``, on behalf of the villager, and a payout confirmed
there says so. A simulation is its brand's own: another brand never sees it. A sign-in code
sent to the number shows only as "a code was sent" (``backend.outbox.rows``).
"""

from __future__ import annotations

import uuid
from typing import Any

from backend.accounts.tables import Member
from backend.core.access import STAFF, require_role
from backend.core.errors import Conflict, NotFound
from backend.core.i18n import N_
from backend.core.phones import normalize_phone
from backend.core.settings import get_settings
from backend.core.types import Principal, as_datetime
from backend.db.session import run
from backend.sms import engine, inbox
from backend.sms.schemas import ConversationLine, Direction, SimulatedSms, SmsConversation

SHOWN = 200  # the latest messages of a conversation
# The number's real messages about this brand (for one of its own people), and what this brand typed.
INBOUND = """
SELECT body, received_at AS at, outcome AS kind, processed_at FROM sms_inbox
WHERE from_phone = {} AND ((provider != 'console' AND {} AND brand = {}) OR typed_brand = {}) ORDER BY id DESC LIMIT {}
"""
OUTBOUND = """
SELECT body, created_at AS at, kind, status FROM outbox_message
WHERE to_phone = {} AND brand = {} ORDER BY id DESC LIMIT {}
"""


class SimulatorOff(Conflict):
    code = "simulator_off"
    message = N_("The SMS simulator works with the console SMS gateway only; a real gateway would text real phones.")


async def simulate(actor: Principal, data: SimulatedSms) -> SmsConversation:
    """Receive ``data.body`` as if ``data.phone`` had texted it; the conversation after the answer."""
    require_simulator(actor)
    phone = normalize_phone(data.phone)
    await is_ours(actor, phone)
    # Ids are the typist's own: another coordinator's id never swallows this message.
    message_id = f"{actor.member_id}:{data.id or uuid.uuid4().hex}"
    typist = inbox.Typist(member_id=actor.member_id, brand_id=actor.brand_id)
    received = await inbox.receive("console", message_id, phone, "simulator", data.body, typed_by=typist)
    if received.inbox_id is not None:
        await engine.process(received.inbox_id)
    return await conversation(actor, phone)


async def conversation(actor: Principal, raw_phone: str) -> SmsConversation:
    """What a number sent and was sent, oldest first: for a person of the brand, her messages
    and what the brand's staff typed as her; for a number the brand does not know, only what
    the brand's staff typed."""
    require_simulator(actor)
    phone = normalize_phone(raw_phone)
    ours = await is_ours(actor, phone)
    inbound = await run(INBOUND, phone, ours, actor.brand_id, actor.brand_id, SHOWN)
    outbound = await run(OUTBOUND, phone, actor.brand_id, SHOWN)
    messages = [_inbound(row) for row in inbound] + [_outbound(row) for row in outbound]
    messages.sort(key=lambda message: message.at)
    return SmsConversation(phone=phone, messages=messages[-SHOWN:])


def require_simulator(actor: Principal) -> None:
    require_role(actor, *STAFF)
    if get_settings().sms_provider != "console":
        raise SimulatorOff()


async def is_ours(actor: Principal, phone: str) -> bool:
    """Whether the number is a person of the caller's brand; another brand's people do not
    exist here (no typing as them, no reading their messages), unknown numbers may be tried."""
    rows = await Member.select(Member.brand).where(Member.person.phone == phone)
    if rows and all(row["brand"] != actor.brand_id for row in rows):
        raise NotFound()
    return bool(rows)


def _inbound(row: dict[str, Any]) -> ConversationLine:
    answered = row["processed_at"] is not None
    return ConversationLine(
        direction=Direction.IN,
        body=row["body"],
        at=as_datetime(row["at"]),
        kind=row["kind"],
        status="answered" if answered else "waiting",
    )


def _outbound(row: dict[str, Any]) -> ConversationLine:
    return ConversationLine(
        direction=Direction.OUT, body=row["body"], at=as_datetime(row["at"]), kind=row["kind"], status=row["status"]
    )
