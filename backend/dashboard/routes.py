"""HTTP routes of the coordinators' dashboard: chart data, brand by brand."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromQuery

from backend.core.types import Principal
from backend.dashboard import service
from backend.dashboard.schemas import OrdersBoard, VillagesBoard
from backend.http.params import Days, Months
from backend.orders.schemas import OrderStatus
from backend.outbox import queries
from backend.outbox.schemas import CallUsage, SmsDailyUsage


class DashboardController(Controller):
    tags = ("dashboard",)

    @get("/dashboard/orders", summary="The newest 50 orders in a status, pieces at every stage, late or not")
    async def orders(
        self, principal: NamedDependency[Principal], status: FromQuery[OrderStatus] = OrderStatus.OPEN
    ) -> OrdersBoard:
        return await service.orders_board(principal, status)

    @get("/dashboard/villages", summary="Each village month by month: on-time rate, jobs, pieces, earnings")
    async def villages(self, principal: NamedDependency[Principal], months: Months = 6) -> VillagesBoard:
        return await service.villages_board(principal, months)

    @get("/dashboard/sms", summary="SMS per day: sent and their segments (the cost), and by status")
    async def sms(self, principal: NamedDependency[Principal], days: Days = 30) -> SmsDailyUsage:
        return await queries.daily_usage(principal, days)

    @get("/dashboard/calls", summary="Voice calls per month: placed, answered, keys pressed, their cost")
    async def calls(self, principal: NamedDependency[Principal], months: Months = 6) -> CallUsage:
        return await queries.call_usage(principal, months)
