"""Configuration read once from the environment (see the README's table)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path

import msgspec


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    database_url: str
    data_dir: Path
    storage_url: str
    public_url: str
    twilio_account_sid: str | None
    twilio_auth_token: str | None
    twilio_from: str | None
    twilio_api_base: str
    sms_memory_hours: float  # how long a conversation remembers what it asked
    sms_provider: str  # console, twilio (or aliyun)
    sms_daily_cap: int  # SMS per number per day, beyond answers and sign-in codes
    sms_quiet_hours: tuple[dt.time, dt.time]  # China time: held until the end
    sms_merge_minutes: float  # offers to one number within this window go out as one SMS
    aliyun_access_key_id: str | None
    aliyun_access_key_secret: str | None
    aliyun_sign_name: str | None
    aliyun_endpoint: str
    aliyun_templates: Path | None
    sms_callback_token: str | None
    token_idle_days: float = 90.0  # a device token unused this long stops working
    # PostgreSQL behind PgBouncer (transaction mode): LISTEN and migrations go straight to it.
    database_direct_url: str | None = None
    database_pool_max: int = 20  # connections in each process's pool
    api_processes: int = 1  # the deployment, as the pool capacity check counts it
    worker_processes: int = 0
    voice_provider: str = "console"  # console, aliyun, twilio
    voice_after_hours: float = 4.0  # a question unanswered this long is followed by a call
    voice_daily_cap: int = 1  # calls per number per China day
    # A call's price per minute started, when the provider reports no cost: the order of
    # magnitude of Aliyun's list price for interactive voice (IVR), about ¥0.1 a minute.
    voice_fen_per_minute: int = 10
    aliyun_vms_endpoint: str = "https://dyvmsapi.aliyuncs.com"
    aliyun_vms_called_show_number: str | None = None
    aliyun_vms_templates: Path | None = None
    twilio_voice_from: str | None = None  # the number Twilio calls from (a Messaging Service cannot call)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")

    @property
    def sqlite_path(self) -> Path:
        """The file of a ``sqlite:///relative`` or ``sqlite:////absolute`` URL."""
        return Path(self.database_url.removeprefix("sqlite:").removeprefix("//").removeprefix("/"))

    @property
    def has_twilio(self) -> bool:
        return bool(self.twilio_account_sid and self.twilio_auth_token)


def parse_hours(value: str) -> tuple[dt.time, dt.time]:
    """``21:00-08:00`` → (21:00, 08:00); an empty value or ``off``: no quiet hours."""
    if value.strip().lower() in ("", "off", "none"):
        return (dt.time(0), dt.time(0))
    start, end = (dt.time.fromisoformat(part.strip()) for part in value.split("-"))
    return (start, end)


@cache
def get_settings() -> Settings:
    env = os.environ
    data_dir = Path(env.get("CUNJIANG_DATA_DIR", "var"))
    return Settings(
        database_url=env.get("CUNJIANG_DATABASE_URL", "sqlite:///var/cunjiang.sqlite3"),
        data_dir=data_dir,
        storage_url=env.get("CUNJIANG_STORAGE_URL", str(data_dir / "photos")),
        public_url=env.get("CUNJIANG_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/"),
        twilio_account_sid=env.get("TWILIO_ACCOUNT_SID") or None,
        twilio_auth_token=env.get("TWILIO_AUTH_TOKEN") or None,
        twilio_from=env.get("TWILIO_FROM") or None,
        twilio_api_base=env.get("TWILIO_API_BASE", "https://api.twilio.com"),
        sms_memory_hours=float(env.get("CUNJIANG_SMS_MEMORY_HOURS", "72")),
        sms_provider=env.get("CUNJIANG_SMS_PROVIDER") or ("twilio" if env.get("TWILIO_ACCOUNT_SID") else "console"),
        sms_daily_cap=int(env.get("CUNJIANG_SMS_DAILY_CAP", "6")),
        sms_quiet_hours=parse_hours(env.get("CUNJIANG_SMS_QUIET_HOURS", "21:00-08:00")),
        sms_merge_minutes=float(env.get("CUNJIANG_SMS_MERGE_MINUTES", "3")),
        aliyun_access_key_id=env.get("ALIBABA_CLOUD_ACCESS_KEY_ID") or None,
        aliyun_access_key_secret=env.get("ALIBABA_CLOUD_ACCESS_KEY_SECRET") or None,
        aliyun_sign_name=env.get("ALIYUN_SMS_SIGN_NAME") or None,
        aliyun_endpoint=env.get("ALIYUN_SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com"),
        aliyun_templates=Path(env["ALIYUN_SMS_TEMPLATES"]) if env.get("ALIYUN_SMS_TEMPLATES") else None,
        sms_callback_token=env.get("CUNJIANG_SMS_CALLBACK_TOKEN") or None,
        token_idle_days=float(env.get("CUNJIANG_TOKEN_IDLE_DAYS") or 90),
        database_direct_url=env.get("CUNJIANG_DATABASE_DIRECT_URL") or None,
        database_pool_max=_positive(env, "CUNJIANG_DATABASE_POOL_MAX", 20),
        api_processes=_positive(env, "CUNJIANG_API_PROCESSES", 1),
        worker_processes=_positive(env, "CUNJIANG_WORKER_PROCESSES", 0, least=0),
        voice_provider=env.get("CUNJIANG_VOICE_PROVIDER") or "console",
        twilio_voice_from=env.get("TWILIO_VOICE_FROM") or _number(env.get("TWILIO_FROM")),
        voice_after_hours=float(env.get("CUNJIANG_VOICE_AFTER_HOURS") or 4),
        voice_daily_cap=_positive(env, "CUNJIANG_VOICE_DAILY_CAP", 1, least=0),
        voice_fen_per_minute=_positive(env, "CUNJIANG_VOICE_FEN_PER_MINUTE", 10, least=0),
        aliyun_vms_endpoint=env.get("ALIYUN_VMS_ENDPOINT") or "https://dyvmsapi.aliyuncs.com",
        aliyun_vms_called_show_number=env.get("ALIYUN_VMS_CALLED_SHOW_NUMBER") or None,
        aliyun_vms_templates=Path(env["ALIYUN_VMS_TEMPLATES"]) if env.get("ALIYUN_VMS_TEMPLATES") else None,
    )


def _positive(env: Mapping[str, str], name: str, default: int, *, least: int = 1) -> int:
    """A whole number of at least ``least`` from ``name``; anything else refuses to start, named."""
    raw = env.get(name) or str(default)
    if not raw.isdecimal() or not raw.isascii() or int(raw) < least:
        raise ValueError(f"{name} must be a whole number of at least {least}, not {raw!r}")
    return int(raw)


def _number(sender: str | None) -> str | None:
    """``TWILIO_FROM`` when it is a number (calls come from a number, never a Messaging Service)."""
    return sender if sender and not sender.startswith("MG") else None
