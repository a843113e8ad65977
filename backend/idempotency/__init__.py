"""Exactly once for every channel that may repeat itself: Idempotency-Keys, SMS message ids."""

from backend.idempotency.service import NOT_KEPT, StoredResponse, find, forget_expired, run_once

__all__ = ["NOT_KEPT", "StoredResponse", "find", "forget_expired", "run_once"]
