"""HTTP routes of invitations and of the brands a person works with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, JSONBody, QueryParameter

from backend.accounts import imports
from backend.accounts import service as accounts
from backend.accounts.routes import me_read
from backend.accounts.schemas import (
    ArtisanCreate,
    ConsentRead,
    ImportResult,
    InvitationAnswer,
    InvitationList,
    InvitationSent,
    MemberRead,
    MeRead,
    MyInvitationList,
    StoryDecision,
    StoryProposal,
    StoryProposed,
)
from backend.core.types import Principal
from backend.memberships import invitations, service, story


async def _me_now(principal: Principal) -> MeRead:
    """She, with her memberships as they are after a change."""
    return await me_read(await accounts.principal_of_person(principal.person_id) or principal)


@dataclass
class ArtisanFile:
    file: UploadFile  # CSV (UTF-8 or GB18030) or XLSX


DryRun = Annotated[bool, QueryParameter(description="Check the file only: nothing is written (200).")]


class MembershipController(Controller):
    """How a person comes to work with a brand (added, invited, imported), answers, and leaves."""

    tags = ("memberships",)

    @post(
        "/artisans",
        summary="Add an artisan (201); someone who works with another brand is asked first (202, invitation sent)",
    )
    async def create_artisan(
        self, principal: NamedDependency[Principal], data: JSONBody[ArtisanCreate]
    ) -> Response[MemberRead | InvitationSent]:
        added = await service.add_artisan(principal, data)
        if isinstance(added, MemberRead):
            return Response(added, status_code=201)
        return Response(InvitationSent(invitation=added), status_code=202)

    @post(
        "/artisans/import",
        request_max_body_size=imports.MAX_BYTES + 2**20,  # a little over, so that our own 413 explains the limit
        summary="Add the artisans of a CSV or XLSX file: all of them, or none (422 with each row's problems)",
    )
    async def import_artisans(
        self,
        principal: NamedDependency[Principal],
        data: Annotated[ArtisanFile, Body(media_type=RequestEncodingType.MULTI_PART)],
        dry_run: DryRun = False,
    ) -> Response[ImportResult]:
        result = await imports.import_artisans(
            principal, await data.file.read(), service.join_or_invite, dry_run=dry_run
        )
        return Response(result, status_code=200 if dry_run else 201)

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


class StoryController(Controller):
    """Her own words: proposed by her brand's staff, approved or rejected by her alone (or, read
    out to her, recorded on her behalf)."""

    tags = ("consent",)

    @get("/members/{member_id:int}/consent", summary="What she allows to be shown of her in public (staff, read-only)")
    async def member_consent(self, principal: NamedDependency[Principal], member_id: FromPath[int]) -> ConsentRead:
        return await story.member_consent(principal, member_id)

    @post(
        "/members/{member_id:int}/story",
        status_code=201,
        summary="Propose her own words for her approval (replaces a proposal still waiting; 422 for a phone or link)",
    )
    async def propose_story(
        self, principal: NamedDependency[Principal], member_id: FromPath[int], data: JSONBody[StoryProposal]
    ) -> StoryProposed:
        return await story.propose_story(principal, member_id, data)

    @post(
        "/members/{member_id:int}/story/decision",
        status_code=200,
        summary="Record her answer to the waiting story on her behalf, after reading it out to her",
    )
    async def decide_story_for(
        self, principal: NamedDependency[Principal], member_id: FromPath[int], data: JSONBody[StoryDecision]
    ) -> ConsentRead:
        return await story.decide_story_for(principal, member_id, data)

    @post("/me/story", status_code=200, summary="Approve or reject the story waiting for her (409 when none waits)")
    async def decide_my_story(
        self, principal: NamedDependency[Principal], data: JSONBody[StoryDecision]
    ) -> ConsentRead:
        return await story.decide_story(principal, data)
