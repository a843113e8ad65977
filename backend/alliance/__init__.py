"""Alliances of brands: formed when an admin of each agrees; a shared registry of villages and
crafts; figures by county in aggregate only; the region's public page of makers who agreed
to be named (``page``). ``service``, ``routes`` (the API and ``/region/{slug}``), ``tables``."""

__all__ = ["page", "routes", "schemas", "service", "tables"]
