"""HTTP routes of payouts."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from backend.core.types import Principal
from backend.http.responses import json_with_etag
from backend.payouts import advances, due, export, service, statement
from backend.payouts.schemas import (
    AdvanceCreate,
    AdvanceList,
    AdvancePay,
    AdvanceRead,
    AdvanceStatus,
    DisputeRequest,
    PayoutCreate,
    PayoutDueList,
    PayoutList,
    PayoutRead,
    PayoutStatus,
    RefuseRequest,
    ResolveRequest,
    Statement,
    StatementMonths,
)

DAY = "A calendar day in China, YYYY-MM-DD"
FromDay = Annotated[str, QueryParameter(name="from", max_length=10, description=f"{DAY}: the first (included).")]
ToDay = Annotated[str, QueryParameter(name="to", max_length=10, description=f"{DAY}: the last (included).")]
Month = Annotated[
    str | None,
    QueryParameter(
        name="month",
        pattern=statement.MONTH.pattern,
        max_length=7,
        description="A calendar month in China, YYYY-MM; default: this month.",
    ),
]
SheetFormat = Annotated[export.Format, QueryParameter(name="format", description="csv (UTF-8 with BOM) or xlsx.")]


class PayoutController(Controller):
    tags = ("payouts",)

    @post("/jobs/{job_id:int}/payout", summary="Record the payout of an approved job")
    async def record(
        self, principal: NamedDependency[Principal], job_id: FromPath[int], data: JSONBody[PayoutCreate]
    ) -> PayoutRead:
        return await service.record_payout(principal, job_id, data)

    @get("/payouts", summary="Own payouts (artisan) or the brand's (coordinator); 304 when unchanged")
    async def list_payouts(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        status: FromQuery[PayoutStatus | None] = None,
    ) -> Response[PayoutList]:
        return json_with_etag(request, PayoutList(payouts=await service.list_payouts(principal, status)))

    @get("/payouts/due", summary="Approved work waiting for its payout (coordinator)")
    async def waiting(self, principal: NamedDependency[Principal]) -> PayoutDueList:
        return PayoutDueList(due=await due.payouts_due(principal))

    @post("/payouts/{payout_id:int}/confirm", status_code=200, summary="Confirm the money arrived")
    async def confirm(self, principal: NamedDependency[Principal], payout_id: FromPath[int]) -> PayoutRead:
        return await service.confirm_payout(principal, payout_id)

    @post("/payouts/{payout_id:int}/dispute", status_code=200, summary="Say the money did not arrive")
    async def dispute(
        self, principal: NamedDependency[Principal], payout_id: FromPath[int], data: JSONBody[DisputeRequest]
    ) -> PayoutRead:
        return await service.dispute_payout(principal, payout_id, data.reason)

    @post("/payouts/{payout_id:int}/resolve", status_code=200, summary="Close a dispute")
    async def resolve(
        self, principal: NamedDependency[Principal], payout_id: FromPath[int], data: JSONBody[ResolveRequest]
    ) -> PayoutRead:
        return await service.resolve_dispute(principal, payout_id, data.resolution, data.note)

    @get("/payouts/export", summary="The brand's payouts recorded in a period, as a CSV or XLSX file")
    async def export(
        self,
        principal: NamedDependency[Principal],
        first: FromDay,
        last: ToDay,
        kind: SheetFormat = "csv",
    ) -> Response[bytes]:
        sheet = await export.export_payouts(principal, first, last, kind)
        headers = {
            "content-disposition": f'attachment; filename="{sheet.filename}"',
            "cache-control": "private, no-store",  # names, phones and money: never kept by a cache on the way
        }
        return Response(sheet.data, media_type=sheet.media_type, headers=headers)


class AdvanceController(Controller):
    tags = ("advances",)

    @post("/jobs/{job_id:int}/advance", summary="Ask for an advance on an accepted job (artisan); default the most")
    async def request(
        self, principal: NamedDependency[Principal], job_id: FromPath[int], data: JSONBody[AdvanceCreate | None] = None
    ) -> AdvanceRead:
        return await advances.request_advance(principal, job_id, data or AdvanceCreate())

    @get("/advances", summary="Own advances (artisan) or the brand's (coordinator); 304 when unchanged")
    async def list_advances(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        status: FromQuery[AdvanceStatus | None] = None,
    ) -> Response[AdvanceList]:
        return json_with_etag(request, AdvanceList(advances=await advances.list_advances(principal, status)))

    @post("/advances/{advance_id:int}/approve", status_code=200, summary="Approve a request (coordinator)")
    async def approve(self, principal: NamedDependency[Principal], advance_id: FromPath[int]) -> AdvanceRead:
        return await advances.approve_advance(principal, advance_id)

    @post("/advances/{advance_id:int}/refuse", status_code=200, summary="Refuse a request, with a reason")
    async def refuse(
        self, principal: NamedDependency[Principal], advance_id: FromPath[int], data: JSONBody[RefuseRequest]
    ) -> AdvanceRead:
        return await advances.refuse_advance(principal, advance_id, data.reason)

    @post("/advances/{advance_id:int}/pay", status_code=200, summary="Record an approved advance paid")
    async def pay(
        self, principal: NamedDependency[Principal], advance_id: FromPath[int], data: JSONBody[AdvancePay]
    ) -> AdvanceRead:
        return await advances.pay_advance(principal, advance_id, data)

    @post("/advances/{advance_id:int}/confirm", status_code=200, summary="Confirm the advance arrived")
    async def confirm(self, principal: NamedDependency[Principal], advance_id: FromPath[int]) -> AdvanceRead:
        return await advances.confirm_advance(principal, advance_id)

    @post("/advances/{advance_id:int}/dispute", status_code=200, summary="Say the advance did not arrive")
    async def dispute(
        self, principal: NamedDependency[Principal], advance_id: FromPath[int], data: JSONBody[DisputeRequest]
    ) -> AdvanceRead:
        return await advances.dispute_advance(principal, advance_id, data.reason)

    @post("/advances/{advance_id:int}/resolve", status_code=200, summary="Close a disputed advance, with a note")
    async def resolve(
        self, principal: NamedDependency[Principal], advance_id: FromPath[int], data: JSONBody[ResolveRequest]
    ) -> AdvanceRead:
        return await advances.resolve_advance(principal, advance_id, data.resolution, data.note)


class StatementController(Controller):
    tags = ("payouts",)

    @get(
        "/me/statement",
        summary="Her income statement (收入明细) for a month, every brand, grouped by brand; 304 when unchanged",
    )
    async def mine(
        self, request: Request[Any, Any, Any], principal: NamedDependency[Principal], month: Month = None
    ) -> Response[Statement]:
        return json_with_etag(request, await statement.my_statement(principal, month))

    @get("/me/statement/months", summary="The months in which she earned or was paid, newest first; 304 when unchanged")
    async def my_months(
        self, request: Request[Any, Any, Any], principal: NamedDependency[Principal]
    ) -> Response[StatementMonths]:
        return json_with_etag(request, await statement.my_months(principal))

    @get("/members/{member_id:int}/statement", summary="A person's statement, this brand's part only (staff)")
    async def of_member(
        self, principal: NamedDependency[Principal], member_id: FromPath[int], month: Month = None
    ) -> Statement:
        return await statement.member_statement(principal, member_id, month)
