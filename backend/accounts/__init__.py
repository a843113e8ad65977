"""Brands, their villages and their people (admins, coordinators, leaders, artisans).

``service``: create brands and people, villages, list and change artisans, act as a person
through another channel (``principal_for``). ``routes``: the HTTP adapter.
"""

__all__ = ["routes", "schemas", "service", "tables"]
