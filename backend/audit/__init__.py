"""The append-only audit trail."""

from backend.audit.service import Event, history, record_event, record_events

__all__ = ["Event", "history", "record_event", "record_events"]
