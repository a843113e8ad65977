"""HTTP routes of villages, artisans and the caller's own account."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from backend.accounts import consent, service, sessions
from backend.accounts.schemas import (
    ArtisanList,
    ArtisanUpdate,
    BrandRead,
    ConsentChoice,
    ConsentRead,
    MemberRead,
    MembershipRead,
    MeRead,
    QuietHours,
    TakesCalls,
    VillageCreate,
    VillageList,
    VillageRead,
)
from backend.core.types import Principal, Role
from backend.http.params import CraftQuery, QueryId
from backend.http.responses import json_with_etag
from backend.jobs import people
from backend.sms import call_requests


async def me_read(principal: Principal) -> MeRead:
    row = await service.get_member(principal.member_id)
    memberships = [
        MembershipRead(
            id=m["id"],
            role=Role(m["role"]),
            village_id=m["village"],
            brand=BrandRead(id=m["brand_id"], slug=m["brand_slug"], name=m["brand_name"]),
        )
        for m in await service.brands_of_person(principal)
    ]
    return MeRead(
        id=row["id"],
        name=row["name"],
        phone=row["phone"],
        role=Role(row["role"]),
        locale=row["locale"],
        village_id=row["village"],
        brand=BrandRead(id=row["brand"], slug=row["brand.slug"], name=row["brand.name"]),
        memberships=memberships,
    )


class AccountController(Controller):
    tags = ("accounts",)

    @get("/me/consent", summary="What she allows to be shown of her in public (all false until she says)")
    async def my_consent(self, principal: NamedDependency[Principal]) -> ConsentRead:
        return await consent.consent_of(principal.person_id)

    @put("/me/consent", summary="Her choice of what may be shown of her in public, all items at once")
    async def set_my_consent(self, principal: NamedDependency[Principal], data: JSONBody[ConsentChoice]) -> ConsentRead:
        return await consent.set_consent(principal, data)

    @get("/me/quiet-hours", summary="Her own quiet hours for SMS (null: the service's)")
    async def my_quiet_hours(self, principal: NamedDependency[Principal]) -> QuietHours:
        return await service.quiet_hours_of(principal)

    @put("/me/quiet-hours", summary="Choose her quiet hours (China time), across all her brands")
    async def set_my_quiet_hours(self, principal: NamedDependency[Principal], data: JSONBody[QuietHours]) -> QuietHours:
        return await service.set_quiet_hours(principal, data)

    @get("/me/calls", summary="Whether she takes calls after an SMS question left unanswered")
    async def my_calls(self, principal: NamedDependency[Principal]) -> TakesCalls:
        return await service.takes_calls_of(principal)

    @put("/me/calls", summary="Ask for calls, or no more, across all her brands")
    async def set_my_calls(self, principal: NamedDependency[Principal], data: JSONBody[TakesCalls]) -> TakesCalls:
        return await call_requests.set_takes_calls(principal, data)

    @get("/me", summary="The signed-in person, role, brand and language; 304 when unchanged")
    async def me(self, request: Request[Any, Any, Any], principal: NamedDependency[Principal]) -> Response[MeRead]:
        return json_with_etag(request, await me_read(principal))

    @post("/villages", summary="Add a village to the brand")
    async def create_village(self, principal: NamedDependency[Principal], data: JSONBody[VillageCreate]) -> VillageRead:
        return await service.create_village(principal, data)

    @get("/villages", summary="The brand's villages")
    async def list_villages(self, principal: NamedDependency[Principal]) -> VillageList:
        return VillageList(villages=await service.list_villages(principal))

    @get("/artisans", summary="The brand's artisans, by village or craft")
    async def list_artisans(
        self,
        principal: NamedDependency[Principal],
        village_id: QueryId = None,
        craft: CraftQuery = None,
    ) -> ArtisanList:
        found = await service.list_artisans(principal, village_id, craft)
        return ArtisanList(artisans=found)

    @patch("/artisans/{artisan_id:int}", summary="Change an artisan (or deactivate: active=false)")
    async def update_artisan(
        self, principal: NamedDependency[Principal], artisan_id: FromPath[int], data: JSONBody[ArtisanUpdate]
    ) -> MemberRead:
        return await people.update_artisan(principal, artisan_id, data)

    @post("/artisans/{artisan_id:int}/sign-out", status_code=204, summary="Sign an artisan out of every device")
    async def sign_out_artisan(self, principal: NamedDependency[Principal], artisan_id: FromPath[int]) -> None:
        await sessions.sign_out_artisan(principal, artisan_id)
