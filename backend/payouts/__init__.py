"""Payouts: recorded once per approved job, confirmed or disputed by the artisan, disputes resolved."""

__all__ = ["routes", "schemas", "service", "tables"]
