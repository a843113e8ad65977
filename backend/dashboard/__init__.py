"""The coordinators' dashboard: chart data on orders, villages and SMS, a few queries each.

``service``: where orders stand and how villages do month by month; SMS costs come from
``backend.outbox.queries``. ``routes``: HTTP.
"""

__all__ = ["routes", "schemas", "service"]
