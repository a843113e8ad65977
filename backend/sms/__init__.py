"""SMS webhooks: ``signatures`` checks Twilio's, ``routes`` takes delivery reports (the
conversation flows arrive with the SMS issue)."""

__all__ = ["routes", "signatures"]
