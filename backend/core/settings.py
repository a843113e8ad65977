"""Configuration read once from the environment (see the README's table)."""

from __future__ import annotations

import os
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
    )
