"""What the console's call view reads and sends."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from backend.core.types import Wire

Keys = Annotated[
    str, msgspec.Meta(pattern=r"^[0-9]{1,32}$", description="Every key pressed in the call so far, in order.")
]


class SimulatedCall(Wire):
    """A call to the villager: due (``queued``), ringing (``calling``: keys may be pressed), or over."""

    id: int
    status: str  # queued, calling, answered, no_answer, failed, cancelled
    flow: str  # offer, payout
    words: str  # the prompt as spoken to her, in her language ("" once the call is over)
    language: str  # her language, as the prompt is spoken
    keys_pressed: str
    attempts: int
    due_at: dt.datetime
    called_at: dt.datetime | None
    outcome: str


class SimulatedCalls(Wire):
    phone: str
    calls: list[SimulatedCall]
    heard: str = ""  # after keys were pressed: what the call says next ("" once it hung up)
    ended: bool = False  # after keys were pressed: whether the call hung up


class PressedKeys(Wire):
    keys: Keys
