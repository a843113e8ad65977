"""HTTP routes of sign-in and sign-out."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, delete, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from backend.accounts.routes import me_read
from backend.auth import service
from backend.auth.schemas import OtpAccepted, OtpRequest, TokenRead, TokenRequest
from backend.core.types import Principal
from backend.http.context import bearer_token, client_address
from backend.http.idempotency import OWN, once_for


class AuthController(Controller):
    path = "/auth"
    tags = ("auth",)

    @post("/otp", status_code=202, summary="Send a one-time code by SMS (202 whether or not the phone is known)")
    async def request_code(self, request: Request[Any, Any, Any], data: JSONBody[OtpRequest]) -> OtpAccepted:
        await service.request_code(data.phone, client_address(request))
        return OtpAccepted()

    @post(
        "/token",
        status_code=200,
        summary="Exchange the phone and its code for a device token",
        description=(
            "With an Idempotency-Key, a repeat gets a new token in place of the first one, which "
            "stops working: a token is never kept where it could be read back."
        ),
        opt={"exactly_once": OWN},
    )
    async def sign_in(self, request: Request[Any, Any, Any], data: JSONBody[TokenRequest]) -> Response[TokenRead]:
        once = await once_for(request)
        signed = await service.sign_in(data.phone, data.code, once)
        headers = {"Idempotent-Replayed": "true"} if signed.replayed else {}
        user = await me_read(await service.resolve_token(signed.token))
        return Response(TokenRead(token=signed.token, user=user), headers=headers)

    @delete("/token", summary="Revoke the token used for this request")
    async def sign_out(self, request: Request[Any, Any, Any], principal: NamedDependency[Principal]) -> None:
        await service.revoke_token(bearer_token(request.headers) or "")
