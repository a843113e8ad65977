"""HTTP routes of sign-in and sign-out."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from backend.accounts.routes import me_read
from backend.auth import service
from backend.auth.schemas import OtpAccepted, OtpRequest, TokenRead, TokenRequest
from backend.core.types import Principal
from backend.http.context import bearer_token, client_address


class AuthController(Controller):
    path = "/auth"
    tags = ("auth",)

    @post("/otp", status_code=202, summary="Send a one-time code by SMS (202 whether or not the phone is known)")
    async def request_code(self, request: Request[Any, Any, Any], data: JSONBody[OtpRequest]) -> OtpAccepted:
        await service.request_code(data.phone, client_address(request))
        return OtpAccepted()

    @post("/token", status_code=200, summary="Exchange the phone and its code for a device token")
    async def sign_in(self, data: JSONBody[TokenRequest]) -> TokenRead:
        token, member_id = await service.sign_in(data.phone, data.code)
        return TokenRead(token=token, user=await me_read(member_id))

    @delete("/token", summary="Revoke the token used for this request")
    async def sign_out(self, request: Request[Any, Any, Any], principal: NamedDependency[Principal]) -> None:
        await service.revoke_token(bearer_token(request.headers) or "")
