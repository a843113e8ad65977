"""Material kits (发料): what staff hand an artisan for a job (``service``: hand out, her word on
it, a coordinator's decision on a shortage; ``reads``: an order's kits, hers, what is out per
village), and the deductions a payout takes (``service.kit_deductions``)."""

__all__ = ["quantities", "reads", "routes", "schemas", "service", "tables"]
