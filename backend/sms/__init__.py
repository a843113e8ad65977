"""SMS conversations: ``replies`` reads what villagers type, ``flows`` the conversations as
data, ``engine`` answers each stored message through the same services as the app, ``inbox``
stores what arrives (inbox-first), ``simulator`` lets staff type as a villager, ``routes`` and
``aliyun_routes`` are the providers' webhooks. The messages themselves are in
``backend.messages``; the providers in ``backend.gateways``."""

__all__ = ["engine", "flows", "inbox", "replies", "routes", "simulator", "tables"]
