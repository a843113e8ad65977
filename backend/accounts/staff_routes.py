"""HTTP routes of what admins manage (people, brand settings) and of village edits."""

from __future__ import annotations

from litestar import Controller, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from backend.accounts import sessions, staff
from backend.accounts.schemas import (
    BrandSettings,
    BrandUpdate,
    MemberCreate,
    MemberList,
    MemberRead,
    StaffRole,
    StaffUpdate,
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

    @patch(
        "/members/{member_id:int}",
        summary="Change, deactivate or give another role to an admin, coordinator or leader (admin)",
    )
    async def update_member(
        self, principal: NamedDependency[Principal], member_id: FromPath[int], data: JSONBody[StaffUpdate]
    ) -> MemberRead:
        return await staff.update_member(principal, member_id, data)

    @post("/members/{member_id:int}/sign-out", status_code=204, summary="Sign a person out of every device (admin)")
    async def sign_out_member(self, principal: NamedDependency[Principal], member_id: FromPath[int]) -> None:
        await sessions.sign_out_member(principal, member_id)

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
