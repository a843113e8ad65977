"""HTTP routes of alliances, and the region's public page."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from backend.alliance import page, service
from backend.alliance.schemas import AllianceCreate, AllianceFigures, AllianceRead, BrandInvite, Registry
from backend.core.i18n import DEFAULT_LOCALE, negotiate, normalize_locale
from backend.core.types import Principal
from backend.http.security import policy_for, use_policy


class AllianceController(Controller):
    tags = ("alliance",)

    @post("/alliances", summary="Found an alliance with the admin's brand in it")
    async def create(self, principal: NamedDependency[Principal], data: JSONBody[AllianceCreate]) -> AllianceRead:
        return await service.create(principal, data)

    @get("/alliance", summary="The alliance of the caller's brand and its brands")
    async def mine(self, principal: NamedDependency[Principal]) -> AllianceRead:
        return await service.mine(principal)

    @post("/alliance/invitations", status_code=200, summary="Ask another brand to join (an admin of a brand in it)")
    async def invite(self, principal: NamedDependency[Principal], data: JSONBody[BrandInvite]) -> AllianceRead:
        return await service.invite(principal, data.brand_slug)

    @post("/alliance/join", status_code=200, summary="Agree to join the alliance that asked (an admin of the brand)")
    async def join(self, principal: NamedDependency[Principal]) -> AllianceRead:
        return await service.join(principal)

    @get("/alliance/figures", summary="Artisans, villages, pieces and income by county: aggregates only (audited)")
    async def figures(self, principal: NamedDependency[Principal]) -> AllianceFigures:
        return await service.figures(principal)

    @get("/alliance/registry", summary="The villages and crafts the alliance's brands know (audited)")
    async def registry(self, principal: NamedDependency[Principal]) -> Registry:
        return await service.registry(principal)


@get("/region/{slug:str}", include_in_schema=False, media_type="text/html; charset=utf-8")
async def region_page(request: Request[Any, Any, Any], slug: FromPath[str]) -> Response[bytes]:
    """The region's makers who agreed to be named: public, no sign-in, no script."""
    locale = (
        normalize_locale(request.query_params.get("lang"))
        or negotiate(request.headers.get("accept-language"))
        or DEFAULT_LOCALE
    )
    alliance, makers = await service.region_page(slug, locale)
    body = page.render(alliance, makers, locale)
    use_policy(request, policy_for(body))
    return Response(body, media_type="text/html; charset=utf-8", headers={"Cache-Control": "public, max-age=300"})
