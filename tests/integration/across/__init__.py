"""Suites across every domain: the authorisation matrix, hostile bodies, requests and numbers,
generated requests, concurrency, several server processes, and no secret leaving."""
