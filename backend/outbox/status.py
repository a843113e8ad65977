"""Where an outbound message stands: one enum, and the sets of it the outbox reasons with."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Status(StrEnum):
    PENDING = "pending"  # due (from next_attempt_at on); held back when the budget says so
    SENDING = "sending"  # leased to a sender
    UNCONFIRMED = "unconfirmed"  # the send went unanswered: looked up at the provider, not resent
    SENT = "sent"  # handed to the provider
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    SUPPRESSED = "suppressed"  # the number opted out
    MERGED = "merged"  # carried by another message (offers to one number at once)


DUE = (Status.PENDING, Status.SENDING, Status.UNCONFIRMED)  # a sender may take them
ON_THE_WIRE = (Status.SENDING, Status.UNCONFIRMED)  # taken by a sender, outcome not yet recorded
HANDED = (
    Status.SENDING,
    Status.UNCONFIRMED,
    Status.SENT,
    Status.DELIVERED,
    Status.UNDELIVERED,
)  # reached a phone, or may
SETTLED = (Status.SENT, Status.FAILED, Status.SUPPRESSED)  # a sender's outcomes after which it is never sent again
# Gateways report out of order: a late "sent" must not undo "delivered".
RANK = {
    Status.PENDING: 0,
    Status.SENDING: 1,
    Status.UNCONFIRMED: 1,
    "queued": 2,  # Twilio's, before "sent"
    Status.SENT: 3,
    Status.DELIVERED: 4,
    Status.UNDELIVERED: 4,
    Status.FAILED: 4,
    Status.SUPPRESSED: 4,
}


def sql_list(statuses: Iterable[StrEnum]) -> str:
    """The statuses as a SQL list of literals (our own constants, never input)."""
    return ", ".join(f"'{status.value}'" for status in statuses)
