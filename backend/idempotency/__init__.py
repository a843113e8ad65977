"""Idempotency keys and the responses they produced."""
