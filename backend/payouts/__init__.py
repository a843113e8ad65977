"""Payouts: recorded once per approved job, confirmed or disputed by the artisan, disputes resolved;
``export``: a period's payouts as CSV or XLSX for the accountant."""

__all__ = ["export", "routes", "schemas", "service", "tables"]
