"""Which gateway sends: ``CUNJIANG_SMS_PROVIDER`` chooses one of the SMS family, and
``CUNJIANG_VOICE_PROVIDER`` one of the voice family, each checked for what it needs before
anything starts (a missing setting or template code refuses start-up)."""

from __future__ import annotations

from collections.abc import Callable

from backend.core.settings import Settings, get_settings
from backend.gateways.aliyun import AliyunGateway
from backend.gateways.aliyun_voice import AliyunVoiceGateway
from backend.gateways.base import SmsGateway
from backend.gateways.calls import CallGateway
from backend.gateways.console import ConsoleCaller, ConsoleGateway
from backend.gateways.twilio import TwilioGateway
from backend.gateways.twilio_voice import TwilioVoiceGateway
from backend.messages import registered
from backend.messages.prompts import prompts

TWILIO_SETTINGS = {
    "TWILIO_ACCOUNT_SID": "twilio_account_sid",
    "TWILIO_AUTH_TOKEN": "twilio_auth_token",
    "TWILIO_FROM": "twilio_from",
}
ALIYUN_SETTINGS = {
    "ALIBABA_CLOUD_ACCESS_KEY_ID": "aliyun_access_key_id",
    "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "aliyun_access_key_secret",
    "ALIYUN_SMS_SIGN_NAME": "aliyun_sign_name",
}


def _missing(settings: Settings, needed: dict[str, str]) -> list[str]:
    return [
        f"CUNJIANG_SMS_PROVIDER={settings.sms_provider} needs {name}"
        for name, attribute in needed.items()
        if not getattr(settings, attribute)
    ]


def _console(_settings: Settings) -> SmsGateway:
    return ConsoleGateway()


def _twilio(settings: Settings) -> SmsGateway:
    return TwilioGateway(
        settings.twilio_account_sid or "",
        settings.twilio_auth_token or "",
        settings.twilio_from or "",
        api_base=settings.twilio_api_base,
        status_callback=f"{settings.public_url}/sms/twilio/status",
    )


def _aliyun(settings: Settings) -> SmsGateway:
    return AliyunGateway(
        settings.aliyun_access_key_id or "",
        settings.aliyun_access_key_secret or "",
        settings.aliyun_sign_name or "",
        endpoint=settings.aliyun_endpoint,
        codes=registered.codes(settings.aliyun_templates) if settings.aliyun_templates else {},
    )


def _twilio_problems(settings: Settings) -> list[str]:
    return _missing(settings, TWILIO_SETTINGS)


def _aliyun_problems(settings: Settings) -> list[str]:
    return _missing(settings, ALIYUN_SETTINGS) + registered.problems(settings.aliyun_templates)


# provider → (what makes it, what it lacks)
GATEWAYS: dict[str, tuple[Callable[[Settings], SmsGateway], Callable[[Settings], list[str]]]] = {
    "console": (_console, lambda _settings: []),
    "twilio": (_twilio, _twilio_problems),
    "aliyun": (_aliyun, _aliyun_problems),
}


def problems() -> list[str]:
    """Why the configured SMS gateway cannot run (a missing setting or template code), or nothing."""
    settings = get_settings()
    if settings.sms_provider not in GATEWAYS:
        return [f"CUNJIANG_SMS_PROVIDER={settings.sms_provider}: one of {', '.join(GATEWAYS)}"]
    return GATEWAYS[settings.sms_provider][1](settings)


def configured() -> SmsGateway:
    """The gateway ``CUNJIANG_SMS_PROVIDER`` chooses (Twilio by default when its credentials are
    set, else the console); the console gateway while the chosen one cannot run (start-up
    refuses that case first: see :func:`problems`)."""
    settings = get_settings()
    if problems():
        return ConsoleGateway()
    return GATEWAYS[settings.sms_provider][0](settings)


# Voice: ``CUNJIANG_VOICE_PROVIDER`` chooses one (console by default).
ALIYUN_VOICE_SETTINGS = {
    "ALIBABA_CLOUD_ACCESS_KEY_ID": "aliyun_access_key_id",
    "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "aliyun_access_key_secret",
    "ALIYUN_VMS_CALLED_SHOW_NUMBER": "aliyun_vms_called_show_number",
}
TWILIO_VOICE_SETTINGS = {
    "TWILIO_ACCOUNT_SID": "twilio_account_sid",
    "TWILIO_AUTH_TOKEN": "twilio_auth_token",
    "TWILIO_VOICE_FROM (or TWILIO_FROM as a number)": "twilio_voice_from",
}
VOICE_PROVIDERS = ("console", "aliyun", "twilio")


def voice_problems() -> list[str]:
    """Why the configured voice gateway cannot run (a missing setting or template code), or nothing."""
    settings = get_settings()
    provider = settings.voice_provider
    if provider not in VOICE_PROVIDERS:
        return [f"CUNJIANG_VOICE_PROVIDER={provider}: one of {', '.join(VOICE_PROVIDERS)}"]
    if provider == "console":
        return []
    needed = TWILIO_VOICE_SETTINGS if provider == "twilio" else ALIYUN_VOICE_SETTINGS
    missing = [
        f"CUNJIANG_VOICE_PROVIDER={provider} needs {name}"
        for name, attribute in needed.items()
        if not getattr(settings, attribute)
    ]
    if provider == "twilio":
        return missing  # Twilio speaks the prompts' words: nothing to register
    return missing + registered.problems(
        settings.aliyun_vms_templates, prompts(), "ALIYUN_VMS_TEMPLATES", "cunjiang voice templates"
    )


def voice_configured() -> CallGateway:
    """The voice gateway ``CUNJIANG_VOICE_PROVIDER`` chooses; the console while the chosen one
    cannot run (start-up refuses that case first: see :func:`voice_problems`)."""
    settings = get_settings()
    if settings.voice_provider == "console" or voice_problems():
        return ConsoleCaller()
    if settings.voice_provider == "twilio":
        return TwilioVoiceGateway(
            settings.twilio_account_sid or "",
            settings.twilio_auth_token or "",
            settings.twilio_voice_from or "",
            api_base=settings.twilio_api_base,
            public_url=settings.public_url,
        )
    return AliyunVoiceGateway(
        settings.aliyun_access_key_id or "",
        settings.aliyun_access_key_secret or "",
        settings.aliyun_vms_called_show_number or "",
        endpoint=settings.aliyun_vms_endpoint,
        codes=registered.codes(settings.aliyun_vms_templates) if settings.aliyun_vms_templates else {},
    )
