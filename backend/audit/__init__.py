"""The append-only audit trail."""

from backend.audit.service import history, record_event

__all__ = ["history", "record_event"]
