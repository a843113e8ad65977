"""Secret messages (sign-in codes): readable by nobody but the phone's owner.

A secret message is stored with a text that says a code was sent (``rows.SECRET_SENT``);
its digits live only in its variables, from which the sender renders the real text at the
moment it goes out (``delivery``), and they are wiped as soon as the message is settled:
sent, failed, or too old to be of use. So no list, page, export or simulator can show
them, and a copy of the database holds none for long. A code not sent while still valid
is never sent: a dead code would only confuse.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from backend.core.types import utcnow
from backend.db.session import run, write_transaction
from backend.messages.templates import keys_with
from backend.outbox.status import Status

USEFUL_FOR = dt.timedelta(minutes=10)  # longer than a code lives (backend.auth.service.CODE_TTL)
NONE = "{}"  # wiped variables (a parameter: a literal "{}" in the SQL would read as a placeholder)


def is_secret(kind: str) -> bool:
    return kind in keys_with("secret")


def _marks(values: Sequence[object]) -> str:
    return ", ".join("{}" for _ in values)


async def wipe(ids: Sequence[int]) -> None:
    """Forget the digits of these messages, where they are secret (inside the settling transaction)."""
    kinds = sorted(keys_with("secret"))
    if ids and kinds:
        await run(
            f"UPDATE outbox_message SET variables = {{}} WHERE id IN ({_marks(ids)}) AND kind IN ({_marks(kinds)})",  # noqa: S608
            NONE,
            *ids,
            *kinds,
        )


async def expire_stale(now: dt.datetime | None = None) -> int:
    """Give up on secret messages still waiting after their code died, wiping their digits;
    how many (the worker runs this)."""
    kinds = sorted(keys_with("secret"))
    async with write_transaction():
        gone = await run(
            f"UPDATE outbox_message SET status = '{Status.FAILED}', last_error = 'expired before it could be sent', "  # noqa: S608
            f"variables = {{}} WHERE status = '{Status.PENDING}' AND kind IN ({_marks(kinds)}) AND created_at < {{}} "
            "RETURNING id",
            NONE,
            *kinds,
            (now or utcnow()) - USEFUL_FOR,
        )
    return len(gone)
