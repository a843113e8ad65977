"""Operating several hosts: is this process alive (``/healthz``), ready for traffic
(``/readyz``: ``health``), and what it measures (``/metrics``: ``gauges`` read at scrape
time beside the series counted where things happen, ``backend.core.metrics``)."""

__all__ = ["gauges", "health", "routes"]
