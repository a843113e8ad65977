"""The HTTP adapter: request context, errors as JSON, Idempotency-Key, parameters, ETag answers."""

__all__ = ["context", "errors", "i18n_routes", "idempotency", "params", "responses"]
