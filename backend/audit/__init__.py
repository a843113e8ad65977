"""The append-only audit trail."""

from backend.audit.service import Event, audited, event_values, history, record_event, record_events

__all__ = ["Event", "audited", "event_values", "history", "record_event", "record_events"]
