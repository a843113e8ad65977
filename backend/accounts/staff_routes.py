"""HTTP routes of what admins manage (people, brand settings) and of village edits."""

from __future__ import annotations

from litestar import Controller, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from backend.accounts import staff
from backend.accounts.schemas import (
    BrandSettings,
    BrandUpdate,
    MemberCreate,
    MemberList,
    MemberRead,
    MemberUpdate,
    StaffRole,
    VillageRead,
    VillageUpdate,
)
from backend.core.types import Principal


class StaffController(Controller):
    tags = ("brand",)

    @get("/members", summary="The brand's admins, coordinators and village leaders (admin)")
    async def list_members(
        self, principal: NamedDependency[Principal], role: FromQuery[StaffRole | None] = None
    ) -> MemberList:
        return MemberList(members=await staff.list_members(principal, role))

    @post("/members", summary="Add an admin, coordinator or village leader (admin)")
    async def add_member(self, principal: NamedDependency[Principal], data: JSONBody[MemberCreate]) -> MemberRead:
        return await staff.add_staff(principal, data)

    @patch("/members/{member_id:int}", summary="Change or deactivate an admin, coordinator or leader (admin)")
    async def update_member(
        self, principal: NamedDependency[Principal], member_id: FromPath[int], data: JSONBody[MemberUpdate]
    ) -> MemberRead:
        return await staff.update_member(principal, member_id, data)

    @get("/brand", summary="The brand's settings")
    async def brand(self, principal: NamedDependency[Principal]) -> BrandSettings:
        return await staff.brand_settings(principal)

    @patch("/brand", summary="Change the brand's settings (admin)")
    async def update_brand(self, principal: NamedDependency[Principal], data: JSONBody[BrandUpdate]) -> BrandSettings:
        return await staff.update_brand(principal, data)

    @patch("/villages/{village_id:int}", summary="Rename or deactivate a village")
    async def update_village(
        self, principal: NamedDependency[Principal], village_id: FromPath[int], data: JSONBody[VillageUpdate]
    ) -> VillageRead:
        return await staff.update_village(principal, village_id, data)
