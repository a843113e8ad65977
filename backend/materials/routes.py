"""HTTP routes of material kits."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from backend.core.types import Principal
from backend.http.params import QueryId
from backend.http.responses import json_with_etag
from backend.materials import reads, service
from backend.materials.schemas import KitCreate, KitDecide, KitList, KitOutList, KitRead, ShortRequest


class KitController(Controller):
    tags = ("kits",)

    @post("/jobs/{job_id:int}/kits", summary="Record materials handed out for a job (coordinator)")
    async def hand_out(
        self, principal: NamedDependency[Principal], job_id: FromPath[int], data: JSONBody[KitCreate]
    ) -> KitRead:
        return await service.hand_out_kit(principal, job_id, data)

    @get("/orders/{order_id:int}/kits", summary="The kits of an order's jobs (coordinator)")
    async def of_order(self, principal: NamedDependency[Principal], order_id: FromPath[int]) -> KitList:
        return KitList(kits=await reads.order_kits(principal, order_id))

    @get("/kits", summary="Materials out per village, material, unit and lot, and what is not accounted for")
    async def out(self, principal: NamedDependency[Principal], village_id: QueryId = None) -> KitOutList:
        return KitOutList(out=await reads.kits_out(principal, village_id))

    @get("/me/kits", summary="Her kits, newest first; 304 when unchanged")
    async def mine(self, request: Request[Any, Any, Any], principal: NamedDependency[Principal]) -> Response[KitList]:
        return json_with_etag(request, KitList(kits=await reads.my_kits(principal)))

    @post("/kits/{kit_id:int}/receive", status_code=200, summary="She received everything in the kit")
    async def receive(self, principal: NamedDependency[Principal], kit_id: FromPath[int]) -> KitRead:
        return await service.receive_kit(principal, kit_id)

    @post("/kits/{kit_id:int}/short", status_code=200, summary="She says something is missing, with a note")
    async def short(
        self, principal: NamedDependency[Principal], kit_id: FromPath[int], data: JSONBody[ShortRequest | None] = None
    ) -> KitRead:
        return await service.report_short(principal, kit_id, (data or ShortRequest()).note)

    @post("/kits/{kit_id:int}/decide", status_code=200, summary="Decide a shortage: adjust or deduct, with a reason")
    async def decide(
        self, principal: NamedDependency[Principal], kit_id: FromPath[int], data: JSONBody[KitDecide]
    ) -> KitRead:
        return await service.decide_kit(principal, kit_id, data)
