"""Twilio's webhooks (villagers' messages, stored inbox-first; delivery status callbacks), the
SMS simulator's API, and the pushed items that could not be read."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency
from litestar.params import JSONBody, URLEncodedBody

from backend.core.types import Principal
from backend.gateways import twilio
from backend.http.params import PageCursor, PhoneQuery
from backend.outbox import record_status
from backend.sms import dead_letters, engine, inbox, simulator
from backend.sms.schemas import DeadLetterList, SimulatedSms, SmsConversation

STATUS_PATH = "/sms/twilio/status"
INBOUND_PATH = "/sms/twilio/inbound"


# A provider's webhook is once per its own id (MessageSid): an Idempotency-Key a proxy adds
# changes nothing, and the conversation after it runs outside the key's transaction.
@post(INBOUND_PATH, status_code=200, include_in_schema=False, opt={"exactly_once": "by_content"})
async def twilio_inbound(request: Request[Any, Any, Any], data: URLEncodedBody[dict[str, str]]) -> Response[bytes]:
    """A villager's SMS: stored once per MessageSid and answered with TwiML at once; the
    conversation answers it just after (and the worker, should this process stop first)."""
    twilio.verify_signature(INBOUND_PATH, data, request.headers.get("x-twilio-signature"))
    sms = twilio.inbound(data)
    received = await inbox.receive(twilio.TwilioGateway.name, sms.sid, sms.from_phone, sms.to_phone, sms.body)
    return Response(
        content=received.answer.body,
        status_code=received.answer.status,
        media_type="text/xml",
        background=BackgroundTask(engine.process, received.inbox_id) if received.inbox_id else None,
    )


@post(STATUS_PATH, status_code=204, include_in_schema=False, opt={"exactly_once": "by_content"})
async def twilio_status(
    request: Request[Any, Any, Any],
    data: URLEncodedBody[dict[str, str]],
) -> None:
    """Twilio reports a message's delivery (queued, sent, delivered, undelivered, failed)."""
    twilio.verify_signature(STATUS_PATH, data, request.headers.get("x-twilio-signature"))
    report = twilio.status_report(data)
    if report is not None:
        await record_status(report.sid, report.status, error_code=report.error_code)


class SimulatorController(Controller):
    tags = ("sms",)

    @post(
        "/sms/simulator",
        status_code=201,
        summary="Text Cunjiang as a villager (console SMS gateway only); the conversation after its answer",
        # One message per id (the inbox's own exactly-once), answered outside the request's
        # transaction: the conversation's refusals need transactions of their own.
        opt={"exactly_once": "by_content"},
    )
    async def simulate(self, principal: NamedDependency[Principal], data: JSONBody[SimulatedSms]) -> SmsConversation:
        return await simulator.simulate(principal, data)

    @get("/sms/simulator", summary="What a number sent and was sent, oldest first")
    async def conversation(self, principal: NamedDependency[Principal], phone: PhoneQuery) -> SmsConversation:
        return await simulator.conversation(principal, phone)


class DeadLetterController(Controller):
    tags = ("sms",)

    @get(
        "/sms/dead-letters",
        summary="Items of the SMS provider's pushes that could not be read (the rest was kept), newest first",
        description=(
            "The brand's own: an item naming one of its people's numbers, or a report naming one of its "
            "messages. Each has its reason (a stable code, its words in the reader's language, a few English "
            "words) and the item as it came, with numbers of six digits or more masked unless they are the "
            "phone of one of the brand's people. Items that name no brand are never shown to a brand (they "
            "may hold another brand's villager's number): `unattributed` counts them, and an operator lists "
            "them with `cunjiang sms dead-letters`."
        ),
    )
    async def list_dead_letters(
        self, principal: NamedDependency[Principal], cursor: PageCursor = None
    ) -> DeadLetterList:
        return await dead_letters.list_for(principal, cursor)
