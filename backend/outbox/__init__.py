"""The outbox: messages queued with the change that causes them, and their delivery."""

from backend.outbox.ports import ConsoleGateway, SendError, SendResult, SmsGateway
from backend.outbox.service import Outgoing, Pacing, claim_due, deliver_due, enqueue, enqueue_many, record_status

__all__ = [
    "ConsoleGateway",
    "Outgoing",
    "Pacing",
    "SendError",
    "SendResult",
    "SmsGateway",
    "claim_due",
    "deliver_due",
    "enqueue",
    "enqueue_many",
    "record_status",
]
