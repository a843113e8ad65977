"""SMS conversations: ``replies`` reads what villagers type, ``flows`` the conversations as
data, ``conversation`` where an answer goes and what it does whatever the channel (SMS, a
key pressed in a voice call), ``engine`` answers each stored message through it, ``inbox``
stores what arrives (inbox-first), ``simulator`` lets staff type as a villager, ``routes`` and
``aliyun_routes`` are the providers' webhooks. The messages themselves are in
``backend.messages``; the providers in ``backend.gateways``."""

__all__ = ["conversation", "engine", "flows", "inbox", "replies", "routes", "simulator", "tables"]
