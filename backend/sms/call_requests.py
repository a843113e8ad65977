"""She asks for calls, or no more (电话 / 不要电话 by SMS, the app's switch): the setting, and
the calls it starts or stops, in one transaction.

Asking for calls while the question she was last asked by SMS (what a bare "1" answers: an
offer, a payment) still waits for her answer queues that question's call, due when the usual
delay after the question has passed, now at the earliest; once a question, however often she
asks (``backend.outbox.calls.call_asked``). No more calls cancels her queued calls at once.
The worker's budget (quiet hours, one call a day) holds as for any call.
"""

from __future__ import annotations

import datetime as dt

from backend.accounts import service as accounts
from backend.accounts.schemas import TakesCalls
from backend.accounts.tables import Person
from backend.core.types import Principal, utcnow
from backend.db.session import write_transaction
from backend.messages.asked import recall
from backend.outbox.calls import CALLED_FLOWS, call_asked, stop_calls
from backend.sms.conversation import item_by_id
from backend.sms.flows import flows


async def set_takes_calls(actor: Principal, wanted: TakesCalls, now: dt.datetime | None = None) -> TakesCalls:
    """She asks for calls, or no more, across every brand she works with (audited in each);
    the call of the question she leaves open queued, or her queued calls cancelled."""
    now = now or utcnow()
    async with write_transaction():
        taken = await accounts.set_takes_calls(actor, wanted)
        if wanted.takes_calls:
            await _call_open_question(actor, now)
        else:
            await stop_calls(actor.person_id, now)
    return taken


async def _call_open_question(actor: Principal, now: dt.datetime) -> bool:
    """Queue the call of the offer or payment she was last asked about by SMS, while it waits
    for her answer; whether one was queued (or resumed)."""
    rows = await Person.select(Person.phone).where(Person.id == actor.person_id)
    asked = await recall(rows[0]["phone"]) if rows else None
    if asked is None or asked.flow not in CALLED_FLOWS or asked.asked_at is None:
        return False
    flow = flows().by_id[asked.flow]
    if asked.step and asked.step != flow.entry:
        return False  # a later question of the flow (which one?), not the one a call speaks
    item = await item_by_id(actor, flow.item, asked.item_id)
    if item is None or item.status not in flow.statuses or item.brand_id is None:
        return False
    member = next((m.member_id for m in actor.memberships if m.brand_id == item.brand_id), None)
    question = (rows[0]["phone"], flow.id, item.id, item.code, actor.locale, member, item.brand_id)
    return await call_asked(actor.person_id, question, asked.asked_at, now)
