"""SMS: ``replies`` reads what villagers type, ``templates`` every message we send,
``inbox`` stores what arrives (inbox-first), ``signatures`` checks Twilio's, ``routes`` the
webhooks (the conversation flows come next)."""

__all__ = ["inbox", "replies", "routes", "signatures", "tables", "templates"]
