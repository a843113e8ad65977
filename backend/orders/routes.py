"""HTTP routes of the coordinator's orders and offers."""

from __future__ import annotations

from litestar import Controller, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from backend.core.types import Principal
from backend.http.params import ArtisanIds, CraftCodes, PageCursor, QuantityQuery, VillageIds
from backend.jobs import dispatch, order_work, price_feedback, suggestion
from backend.jobs.schemas import (
    DispatchRequest,
    JobList,
    JobRead,
    PriceFeedbackSummary,
    Suggestion,
    SuggestionFilter,
)
from backend.orders import service
from backend.orders.schemas import OrderCreate, OrderList, OrderRead, OrderStatus, OrderUpdate


class OrderController(Controller):
    tags = ("orders",)

    @post("/orders", summary="Create an order")
    async def create_order(self, principal: NamedDependency[Principal], data: JSONBody[OrderCreate]) -> OrderRead:
        return await service.create_order(principal, data)

    @get("/orders", summary="The brand's orders, newest first, by pages")
    async def list_orders(
        self,
        principal: NamedDependency[Principal],
        status: FromQuery[OrderStatus | None] = None,
        cursor: PageCursor = None,
    ) -> OrderList:
        orders, next_cursor = await service.list_orders(principal, status, cursor, order_work)
        return OrderList(orders=orders, cursor=next_cursor)

    @get("/orders/{order_id:int}", summary="An order with its progress")
    async def get_order(self, principal: NamedDependency[Principal], order_id: FromPath[int]) -> OrderRead:
        return await service.get_order(principal, order_id, order_work)

    @patch("/orders/{order_id:int}", summary="Change an order before its first offer goes out")
    async def edit_order(
        self, principal: NamedDependency[Principal], order_id: FromPath[int], data: JSONBody[OrderUpdate]
    ) -> OrderRead:
        return await service.edit_order(principal, order_id, data, order_work)

    @get("/orders/{order_id:int}/jobs", summary="The order's jobs")
    async def jobs(self, principal: NamedDependency[Principal], order_id: FromPath[int]) -> JobList:
        return JobList(jobs=await dispatch.order_jobs(principal, order_id))

    @get("/orders/{order_id:int}/price-feedback", summary="What artisans said of the order's piece rate (价低)")
    async def price_feedback(
        self, principal: NamedDependency[Principal], order_id: FromPath[int]
    ) -> PriceFeedbackSummary:
        return await price_feedback.order_price_feedback(principal, order_id)

    @get("/orders/{order_id:int}/suggestion", summary="Whom to offer the order's work to, and how many pieces each")
    async def suggestion(
        self,
        principal: NamedDependency[Principal],
        order_id: FromPath[int],
        village_id: VillageIds = None,
        craft: CraftCodes = None,
        artisan_id: ArtisanIds = None,
        quantity: QuantityQuery = None,
    ) -> Suggestion:
        wanted = SuggestionFilter(village_ids=village_id, crafts=craft, artisan_ids=artisan_id, quantity=quantity)
        return await suggestion.suggest(principal, order_id, wanted)

    @post("/orders/{order_id:int}/dispatch", summary="Offer work to artisans")
    async def dispatch(
        self, principal: NamedDependency[Principal], order_id: FromPath[int], data: JSONBody[DispatchRequest]
    ) -> JobList:
        return JobList(jobs=await dispatch.dispatch(principal, order_id, data))

    @post(
        "/orders/{order_id:int}/cancel",
        status_code=200,
        summary="Cancel an order: open offers withdrawn, work reported done approved",
    )
    async def cancel(self, principal: NamedDependency[Principal], order_id: FromPath[int]) -> OrderRead:
        return await service.cancel_order(principal, order_id, order_work)

    @post("/jobs/{job_id:int}/withdraw", status_code=200, summary="Withdraw an offer not yet accepted")
    async def withdraw(self, principal: NamedDependency[Principal], job_id: FromPath[int]) -> JobRead:
        return await dispatch.withdraw_job(principal, job_id)
