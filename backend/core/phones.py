"""Phone numbers: accept what people type, store E.164."""

from __future__ import annotations

import phonenumbers

from backend.core.errors import Invalid
from backend.core.i18n import N_


def normalize_phone(raw: str, region: str = "CN") -> str:
    """``13800138000``, ``+86 138-0013-8000`` → ``+8613800138000``; raise Invalid otherwise."""
    cleaned = raw.strip()
    try:
        number = phonenumbers.parse(cleaned, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise Invalid(N_("This is not a valid phone number."), fields={"phone": "invalid_phone"})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_or_as_given(raw: str) -> str:
    """E.164 when ``raw`` is a phone number; else as it came, trimmed (a short code or a foreign
    sender that a provider reports: kept to tell senders apart, never refused)."""
    try:
        return normalize_phone(raw)
    except Invalid:
        return raw.strip()[:32]


def mask_phone(phone: str) -> str:
    """For logs: ``+8613800138000`` → ``+86138****8000``."""
    return phone[:-8] + "****" + phone[-4:] if len(phone) > 8 else "****"


def display_phone(phone: str) -> str:
    """For people and spreadsheets: ``+8613800138000`` → ``138 0013 8000`` (a Chinese number
    as it is written in China, which Excel keeps as text), others in international form."""
    try:
        number = phonenumbers.parse(phone, "CN")
    except phonenumbers.NumberParseException:
        return phone
    if number.country_code == 86:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
