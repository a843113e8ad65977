"""Brands, their villages and their people (admins, coordinators, leaders, artisans).

``service``: create brands and people, villages, list and change artisans, act as a person
through another channel (``principal_for``). ``rules``: what a person must meet, for one or
for many. ``imports``: artisans from a CSV or XLSX file, all or none. ``routes``: the HTTP
adapter.
"""

__all__ = ["imports", "routes", "rules", "schemas", "service", "tables"]
