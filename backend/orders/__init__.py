"""Orders: what the brand needs made. ``service`` creates and finds them; the work on an
order (offers, progress, cancellation) lives in ``backend.jobs``, which builds on this."""

__all__ = ["routes", "schemas", "service", "tables"]
