"""What the voice provider pushes about calls, stored as it arrives (inbox-first)."""

from typing import ClassVar

from piccolo.columns import Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.db.declared import Keys


class VoiceReport(Table, tablename="voice_report"):
    """Unique per provider, call and kind: a push repeated is one row, processed once."""

    id: Serial
    provider = Varchar(length=16, help_text="aliyun…")
    call_id = Varchar(length=64, help_text="The provider's call id (Aliyun's call_id).")
    kind = Varchar(
        length=16, help_text="keys (the keys pressed: VoiceCallReport) or end (the call ended: VoiceReport)."
    )
    out_id = Varchar(length=64, default="", help_text="Our id of the call, as the provider echoes it (OutId).")
    item = Text(help_text="The report as read from the provider's item (JSON: keys, answered, duration…).")
    received_at = Timestamptz(default=TimestamptzNow())
    processed_at = Timestamptz(null=True, default=None, index=True, help_text="When it was applied to its call.")
    outcome = Text(default="")

    UNIQUE: ClassVar[Keys] = {"voice_report_call_kind": ("provider", "call_id", "kind")}
