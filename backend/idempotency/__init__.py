"""Exactly once for every channel that may repeat itself: Idempotency-Keys, SMS message ids."""

from backend.idempotency.service import (
    NOT_KEPT,
    Key,
    StoredResponse,
    find,
    forget_expired,
    keep,
    replace,
    run_once,
)

__all__ = ["NOT_KEPT", "Key", "StoredResponse", "find", "forget_expired", "keep", "replace", "run_once"]
