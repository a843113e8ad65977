"""HTTP routes of invitations and of the brands a person works with."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from backend.accounts import service as accounts
from backend.accounts.routes import me_read
from backend.accounts.schemas import InvitationAnswer, InvitationList, MeRead, MyInvitationList
from backend.core.types import Principal
from backend.memberships import invitations, service


async def _me_now(principal: Principal) -> MeRead:
    """She, with her memberships as they are after a change."""
    return await me_read(await accounts.principal_of_person(principal.person_id) or principal)


class MembershipController(Controller):
    tags = ("memberships",)

    @get("/invitations", summary="The brand's invitations to people who work with another brand, newest first")
    async def list_invitations(self, principal: NamedDependency[Principal]) -> InvitationList:
        return InvitationList(invitations=await invitations.brand_invitations(principal))

    @get("/me/invitations", summary="The invitations from brands she has not answered yet")
    async def my_invitations(self, principal: NamedDependency[Principal]) -> MyInvitationList:
        return MyInvitationList(invitations=await invitations.my_invitations(principal))

    @post("/me/invitations/{invitation_id:int}/answer", status_code=200, summary="Say yes or no to an invitation")
    async def answer_invitation(
        self, principal: NamedDependency[Principal], invitation_id: FromPath[int], data: JSONBody[InvitationAnswer]
    ) -> MeRead:
        await invitations.answer(principal, invitation_id, data.accept)
        return await _me_now(principal)

    @post(
        "/me/brands/{brand_id:int}/leave",
        status_code=200,
        summary="Stop working with a brand (work in hand settled first: 409 open_work)",
    )
    async def leave_brand(self, principal: NamedDependency[Principal], brand_id: FromPath[int]) -> MeRead:
        await service.leave(principal, brand_id)
        return await _me_now(principal)
