"""HTTP routes of piece passports: the staff's list, withdrawal and QR labels under /api/v1,
and the public page, its signed JSON, its photos and the brands' keys under /p/."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from backend.core.errors import NotFound
from backend.core.i18n import DEFAULT_LOCALE, negotiate, normalize_locale
from backend.core.types import Principal
from backend.http.responses import NO_COMPRESSION
from backend.http.security import policy_for, use_policy
from backend.passports import page, public, service, signing
from backend.passports.schemas import PassportItem, PassportList, WithdrawRequest

OrderId = Annotated[int, QueryParameter(ge=1, le=2**31 - 1, description="The order whose passports to list.")]
# Consent is read on every request: no copy may outlive a revocation.
FRESH = {"cache-control": "no-store"}
UNLISTED = FRESH | {"x-robots-tag": "noindex"}  # the JSON and the photos: for the page's readers, not for search


class PassportController(Controller):
    tags = ("passports",)

    @get("/passports", summary="An order's piece passports with their scans and copy flags (staff of its brand)")
    async def of_order(self, principal: NamedDependency[Principal], order_id: OrderId) -> PassportList:
        return await service.passports_of_order(principal, order_id)

    @post("/passports/{passport_id:str}/withdraw", status_code=200, summary="Withdraw a passport, with a reason")
    async def withdraw(
        self, principal: NamedDependency[Principal], passport_id: FromPath[str], data: JSONBody[WithdrawRequest]
    ) -> PassportItem:
        return await service.withdraw_passport(principal, passport_id, data.reason)

    @get("/passports/{passport_id:str}/qr.svg", summary="The passport's QR label (SVG)", media_type="image/svg+xml")
    async def qr(self, principal: NamedDependency[Principal], passport_id: FromPath[str]) -> Response[bytes]:
        svg = await service.qr_svg(principal, passport_id)
        return Response(svg, media_type="image/svg+xml", headers={"cache-control": "private, max-age=86400"})


def _locale(request: Request[Any, Any, Any]) -> str:
    return (
        normalize_locale(request.query_params.get("lang"))
        or negotiate(request.headers.get("accept-language"))
        or DEFAULT_LOCALE
    )


def _html(request: Request[Any, Any, Any], body: bytes, status: int, *, indexable: bool) -> Response[bytes]:
    use_policy(request, policy_for(body))
    headers = FRESH if indexable else UNLISTED
    return Response(body, status_code=status, media_type=MediaType.HTML, headers=headers)


@get("/p/{name:str}", include_in_schema=False)
async def passport_page(request: Request[Any, Any, Any], name: FromPath[str]) -> Response[Any]:
    """``/p/ID``: the public page (one scan counted); ``/p/ID.json``: the signed facts;
    ``/p/keys.json``: the brands' public keys."""
    if name == "keys.json":
        return Response(await signing.key_set(), headers={"cache-control": "public, max-age=300"})
    if name.endswith(".json"):
        found = await public.find(name.removesuffix(".json"))
        return Response(await public.signed(found), status_code=410 if found.withdrawn else 200, headers=UNLISTED)
    locale = _locale(request)
    try:
        found = await public.find(name)
    except NotFound:
        return _html(request, page.notice(locale, withdrawn=False), 404, indexable=False)
    await public.count_scan(name)
    if found.withdrawn:
        return _html(request, page.notice(locale, withdrawn=True), 410, indexable=False)
    facts = public.facts_of(found)
    return _html(request, page.render(facts, locale), 200, indexable=facts.maker.named)


@get("/p/{passport_id:str}/{kind:str}", include_in_schema=False, opt={NO_COMPRESSION: True})
async def passport_photo(passport_id: FromPath[str], kind: FromPath[Literal["pattern", "work"]]) -> Response[bytes]:
    """A photo the page shows (the pattern; her photo of the work with her consent), else 404."""
    image = await public.photo(await public.find(passport_id), kind)
    return Response(image.data, media_type=image.media_type, headers=UNLISTED | {"etag": image.etag})
