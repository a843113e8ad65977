"""The HTTP adapter: request context, errors, idempotency, authentication."""
