"""Sign-in by one-time SMS code, device tokens stored hashed, and who a token belongs to.

``service``: request and check codes, issue, resolve and revoke tokens. ``routes``: HTTP.
"""

__all__ = ["routes", "schemas", "service", "tables"]
