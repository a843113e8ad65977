"""What the Aliyun tests set up (here and in sms/): the registration sheet filled in as an
operator returns it, offers queued for its templates, and the outbox rows they become."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from backend.db.session import run, write_transaction
from backend.messages.templates import registration_sheet, render
from backend.outbox import enqueue


def filled_sheet(tmp_path: Path, *, leave_out: str | None = None) -> Path:
    """The registration sheet with every code filled in, as an operator returns it."""
    counter = iter(range(100_000, 999_999))
    sheet = re.sub(r'code = ""', lambda _m: f'code = "SMS_{next(counter)}"', registration_sheet())
    if leave_out:  # the operator has no approved code for this one yet
        sheet = re.sub(rf'(\[{re.escape(leave_out)}\]\ntext = [^\n]*\n)code = "[^"]*"', r'\1code = ""', sheet)
    path = tmp_path / "aliyun-templates.toml"
    path.write_text(sheet, encoding="utf-8")
    return path


async def queue_offer(phone: str, code: str) -> int:
    offer = render("offer", "zh_Hans", code=code, quantity=5, title="苗绣围巾", price=4500, due=dt.date(2026, 12, 31))
    async with write_transaction():
        return await enqueue(phone, offer)


async def outbox_row(message_id: int) -> dict[str, object]:
    [found] = await run(
        "SELECT status, provider_sid, reference, segments FROM outbox_message WHERE id = {}", message_id
    )
    return found
