"""What Aliyun's official SDKs (SMS and voice alike) are built with here: the client's
configuration from an endpoint, and runtime options that never retry on their own."""

from __future__ import annotations

from urllib.parse import urlsplit

from alibabacloud_tea_openapi.utils_models import Config
from darabonba.runtime import RuntimeOptions


def client_config(access_key_id: str, access_key_secret: str, endpoint: str) -> Config:
    """``endpoint`` with or without its scheme (https when none): tests point it at http://."""
    where = urlsplit(endpoint if "//" in endpoint else f"https://{endpoint}")
    return Config(
        access_key_id=access_key_id,
        access_key_secret=access_key_secret,
        endpoint=where.netloc,
        protocol=where.scheme or "https",
    )


def runtime(timeout_s: float) -> RuntimeOptions:
    """Aliyun advises at least 1 s; the SDK's own retries would repeat a call that timed out
    but did its work (an SMS sent, a phone rung), so they are off: the outbox decides."""
    milliseconds = int(max(timeout_s, 1.0) * 1000)
    return RuntimeOptions(read_timeout=milliseconds, connect_timeout=milliseconds, autoretry=False, max_attempts=0)
