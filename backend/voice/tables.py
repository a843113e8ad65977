"""What the voice provider pushes about calls, stored as it arrives (inbox-first); the prompts a
brand recorded for languages text-to-speech cannot speak."""

from typing import ClassVar

from piccolo.columns import ForeignKey, Integer, OnDelete, OnUpdate, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.accounts.tables import Brand
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


class VoiceRecording(Table, tablename="voice_recording"):
    """A brand's recorded prompt: one prompt of ``sms_flows/voice.toml``, spoken by a person in a
    language text-to-speech cannot speak (Miao, Dong…), as Aliyun's voice file code and/or an
    audio file Twilio plays."""

    id: Serial
    brand = ForeignKey(Brand, null=False, index=True, on_delete=OnDelete.no_action, on_update=OnUpdate.no_action)
    language = Varchar(length=16, help_text="The language spoken in the recording (hmn, doc, kmc…).")
    prompt = Varchar(length=64, help_text="The prompt recorded (its key in sms_flows/voice.toml).")
    aliyun_code = Varchar(length=64, default="", help_text="The code Aliyun gave the uploaded voice file.")
    audio_key = Varchar(length=200, default="", help_text="Where the audio file lives in the storage.")
    audio_type = Varchar(length=32, default="", help_text="audio/mpeg or audio/wav, sniffed from the bytes.")
    audio_token = Varchar(
        length=64, null=True, default=None, unique=True, help_text="The audio's unguessable public address."
    )
    audio_bytes = Integer(default=0)
    updated_at = Timestamptz(default=TimestamptzNow())

    UNIQUE: ClassVar[Keys] = {"voice_recording_prompt": ("brand", "language", "prompt")}
