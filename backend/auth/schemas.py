"""Wire types of sign-in."""

from __future__ import annotations

from typing import Annotated

import msgspec

from backend.accounts.schemas import MeRead
from backend.core.types import PhoneText, Wire


class OtpRequest(Wire):
    phone: PhoneText


class OtpAccepted(Wire):
    status: str = "sent_if_known"


class TokenRequest(Wire):
    phone: PhoneText
    code: Annotated[str, msgspec.Meta(min_length=1, max_length=12)]


class TokenRead(Wire):
    token: str
    user: MeRead
