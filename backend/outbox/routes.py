"""HTTP routes of the outbox for coordinators: what was sent, held or merged, and the cost."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromQuery, QueryParameter

from backend.core.types import Principal
from backend.http.params import Months, PageCursor
from backend.outbox import queries
from backend.outbox.schemas import MessageStatus, SmsMessageList, SmsUsage

PhoneFilter = Annotated[str | None, QueryParameter(min_length=3, max_length=32, description="A phone number.")]


class OutboxController(Controller):
    tags = ("sms",)

    @get("/sms/messages", summary="The brand's SMS, newest first: sent, held back (and why), merged")
    async def messages(
        self,
        principal: NamedDependency[Principal],
        phone: PhoneFilter = None,
        status: FromQuery[MessageStatus | None] = None,
        cursor: PageCursor = None,
    ) -> SmsMessageList:
        return await queries.list_messages(principal, phone=phone, status=status, cursor=cursor)

    @get("/sms/usage", summary="SMS sent and their segments per month (China time)")
    async def usage(self, principal: NamedDependency[Principal], months: Months = 12) -> SmsUsage:
        return await queries.usage(principal, months)
