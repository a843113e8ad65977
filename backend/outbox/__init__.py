"""The outbox: messages queued with the change that causes them, the budget that paces them
per villager, and their delivery through a gateway (``backend.gateways``)."""

from backend.outbox.delivery import Pacing, deliver_due
from backend.outbox.rows import Outgoing
from backend.outbox.service import claim_due, enqueue, enqueue_many, record_status

__all__ = ["Outgoing", "Pacing", "claim_due", "deliver_due", "enqueue", "enqueue_many", "record_status"]
