"""Twilio webhook signatures, checked against the public address the outside world uses."""

from __future__ import annotations

from collections.abc import Mapping

from twilio.request_validator import RequestValidator

from backend.core.errors import Forbidden
from backend.core.i18n import N_
from backend.core.settings import get_settings


def verify_twilio(path: str, form: Mapping[str, str], signature: str | None) -> None:
    """Refuse a webhook whose ``X-Twilio-Signature`` does not match (or when no token is set)."""
    settings = get_settings()
    token = settings.twilio_auth_token
    url = settings.public_url + path
    if not token or not signature or not RequestValidator(token).validate(url, dict(form), signature):
        raise Forbidden(N_("The webhook signature is not valid."))
