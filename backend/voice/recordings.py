"""A brand's recorded prompts: the prompts of ``sms_flows/voice.toml`` spoken by a person in a
language text-to-speech cannot speak (Miao ``hmn``, Dong ``doc``/``kmc``…), for the people whose
calls speak it (``person.voice_language``).

A recording is Aliyun's voice file code (the provider plays its uploaded file where a TTS
template would go) and/or an audio file staff upload (WAV or MP3, sniffed from its bytes), kept
in the photo storage and served to Twilio at an unguessable public address. A recording cannot
say the job's values (its code, quantity, price): the sheet ``cunjiang voice templates
--language`` says so for each prompt. A call whose prompt has no recording the provider can
play is not placed (``no_recording``): never text-to-speech in a language she does not know.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

import msgspec

from backend.audit.service import Event, record_events
from backend.core.access import STAFF, require_role
from backend.core.errors import Invalid, NotFound, TooLarge, Unsupported
from backend.core.i18n import N_, available_locales, voice_tag
from backend.core.settings import get_settings
from backend.core.types import Principal, as_datetime, utcnow
from backend.db.session import run, write_transaction
from backend.messages.prompts import prompts
from backend.photos.service import photo_store
from backend.voice.schemas import LanguageRecordings, RecordingCode, RecordingRead, Recordings

MAX_AUDIO_BYTES = 2 * 2**20  # a 30-second prompt is ~250 KB as MP3, ~500 KB as 8 kHz WAV
AUDIO_PATH = "/voice/audio"
EXTENSIONS = {"audio/mpeg": "mp3", "audio/wav": "wav"}
COLUMNS = "id, brand, language, prompt, aliyun_code, audio_key, audio_type, audio_token, audio_bytes, updated_at"
ONE = f"SELECT {COLUMNS} FROM voice_recording WHERE brand = {{}} AND language = {{}} AND prompt = {{}}"  # noqa: S608
OF_BRAND = f"SELECT {COLUMNS} FROM voice_recording WHERE brand = {{}} ORDER BY language, prompt"  # noqa: S608
AUDIO_OF = "SELECT audio_key, audio_type FROM voice_recording WHERE audio_token = {}"
SPEAKERS = """
SELECT p.voice_language AS language, COUNT(DISTINCT p.id) AS people FROM person p JOIN member m ON m.person = p.id
WHERE m.brand = {} AND m.left_at IS NULL AND p.voice_language IS NOT NULL GROUP BY p.voice_language
"""
UPSERT = """
INSERT INTO voice_recording (brand, language, prompt, {column}, updated_at) VALUES ({{}}, {{}}, {{}}, {{}}, {{}})
ON CONFLICT (brand, language, prompt) DO UPDATE SET {column} = excluded.{column}, updated_at = excluded.updated_at
WHERE voice_recording.{column} <> excluded.{column}
RETURNING id
"""
ENSURE = """
INSERT INTO voice_recording (brand, language, prompt, updated_at) VALUES ({}, {}, {}, {})
ON CONFLICT (brand, language, prompt) DO UPDATE SET updated_at = excluded.updated_at RETURNING id
"""
DELETE = "DELETE FROM voice_recording WHERE brand = {} AND language = {} AND prompt = {} RETURNING id"
SET_AUDIO = """
UPDATE voice_recording SET audio_key = {}, audio_type = {}, audio_token = {}, audio_bytes = {}, updated_at = {}
WHERE id = {} AND audio_key <> {} RETURNING id
"""


class Recording(msgspec.Struct, frozen=True):
    """What a call plays for one prompt: Aliyun's file code and/or the audio's public address."""

    aliyun_code: str
    audio_url: str


def sniffed(data: bytes) -> str | None:
    """The audio's type from its first bytes (WAV, MP3 with or without an ID3 tag), or None."""
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio/wav"
    if data[:3] == b"ID3":
        return "audio/mpeg"
    # An MPEG audio frame: 11 sync bits, a version and a layer that are not "reserved".
    if len(data) >= 4 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0 and data[1] & 0x18 != 0x08 and data[1] & 0x06:
        return "audio/mpeg"
    return None


def audio_url(token: str, media_type: str) -> str:
    return f"{get_settings().public_url}{AUDIO_PATH}/{token}.{EXTENSIONS.get(media_type, 'mp3')}"


def _playable(row: dict[str, Any], provider: str) -> bool:
    """Whether ``provider`` can play the recording: Aliyun its file code, Twilio the audio, the
    console gateway either."""
    has_code, has_audio = bool(row["aliyun_code"]), bool(row["audio_token"])
    if provider == "aliyun":
        return has_code
    if provider == "twilio":
        return has_audio
    return has_code or has_audio


def _language(value: str) -> str:
    """A language to record prompts in: a short BCP-47 tag that text-to-speech does not speak."""
    tag = voice_tag(value)
    if tag is None:
        raise NotFound()
    if tag in available_locales():
        raise Invalid(
            N_("Text-to-speech speaks this language: it needs no recordings."),
            fields={"language": "spoken_by_tts"},
        )
    return tag


def _prompt(value: str) -> str:
    if value not in prompts():
        raise NotFound()
    return value


def _read(row: dict[str, Any]) -> RecordingRead:
    token = row["audio_token"]
    return RecordingRead(
        prompt=row["prompt"],
        language=row["language"],
        aliyun_code=row["aliyun_code"],
        audio_url=audio_url(token, row["audio_type"]) if token else None,
        audio_type=row["audio_type"],
        audio_bytes=row["audio_bytes"],
        updated_at=as_datetime(row["updated_at"]),
    )


async def coverage(actor: Principal) -> Recordings:
    """The brand's recordings by language, and what each language still lacks: the languages
    recorded in, and those its people's calls speak."""
    require_role(actor, *STAFF)
    provider = get_settings().voice_provider
    rows = await run(OF_BRAND, actor.brand_id)
    speakers = {row["language"]: row["people"] for row in await run(SPEAKERS, actor.brand_id)}
    languages = sorted(({row["language"] for row in rows} | set(speakers)) - set(available_locales()))
    found = []
    for language in languages:
        recorded = [row for row in rows if row["language"] == language]
        playable = {row["prompt"] for row in recorded if _playable(row, provider)}
        found.append(
            LanguageRecordings(
                language=language,
                people=int(speakers.get(language, 0)),
                recorded=[_read(row) for row in recorded],
                missing=[key for key in prompts() if key not in playable],
            )
        )
    return Recordings(provider=provider, prompts=list(prompts()), languages=found)


async def set_code(actor: Principal, language: str, prompt: str, data: RecordingCode) -> RecordingRead:
    """Register (or change, or with "" take away) the Aliyun voice file code of a prompt."""
    require_role(actor, *STAFF)
    language, prompt = _language(language), _prompt(prompt)
    async with write_transaction():
        await _set_code(actor, actor.brand_id, language, prompt, data.aliyun_code)
        return await _one(actor.brand_id, language, prompt)


async def load_codes(brand_id: int, codes: dict[tuple[str, str], str]) -> int:
    """The Aliyun voice file codes of a filled-in sheet (``backend.voice.sheet``), all or none,
    audited as the system's (the command line); how many changed."""
    async with write_transaction():
        changed = [
            await _set_code(None, brand_id, language, prompt, code) for (language, prompt), code in codes.items()
        ]
    return sum(changed)


async def _set_code(actor: Principal | None, brand_id: int, language: str, prompt: str, code: str) -> bool:
    """Inside a write transaction: the code set, audited; whether it changed."""
    before = await run(ONE, brand_id, language, prompt)
    old = before[0]["aliyun_code"] if before else None
    if old == code or (old is None and not code):
        return False
    changed = await run(UPSERT.format(column="aliyun_code"), brand_id, language, prompt, code, utcnow())
    if not changed:
        return False  # the same code, set by a request alongside (the conditional update)
    [row] = changed
    detail = {"language": language, "prompt": prompt, "aliyun_code": [old or "", code]}
    await _audit(actor, brand_id, row["id"], "create" if not before else "change", detail)
    return True


async def upload_audio(actor: Principal, language: str, prompt: str, data: bytes) -> RecordingRead:
    """Keep an audio file (WAV or MP3, at most ``MAX_AUDIO_BYTES``) as the prompt's recording;
    the same file again changes nothing. A new file gets a new public address."""
    require_role(actor, *STAFF)
    language, prompt = _language(language), _prompt(prompt)
    if len(data) > MAX_AUDIO_BYTES:
        raise TooLarge(N_("An audio file is at most {max_mb} MB."), max_mb=MAX_AUDIO_BYTES // 2**20)
    media_type = sniffed(data)
    if media_type is None:
        raise Unsupported(N_("This is not a WAV or MP3 audio file."))
    digest = hashlib.sha256(data).hexdigest()
    key = f"voice/{digest[:2]}/{digest[2:]}.{EXTENSIONS[media_type]}"
    await photo_store().put(key, data, media_type)  # before the row names it: a row never points at nothing
    async with write_transaction():
        before = await run(ONE, actor.brand_id, language, prompt)
        if before and before[0]["audio_key"] == key:
            return _read(before[0])
        # The row, made if need be without touching a code registered meanwhile (PostgreSQL).
        [row] = await run(ENSURE, actor.brand_id, language, prompt, utcnow())
        row_id = row["id"]
        token = secrets.token_urlsafe(24)
        if not await run(SET_AUDIO, key, media_type, token, len(data), utcnow(), row_id, key):
            return await _one(actor.brand_id, language, prompt)  # the same file, kept by a request alongside
        detail = {"language": language, "prompt": prompt, "audio": [media_type, len(data), digest]}
        await _audit(actor, actor.brand_id, row_id, "change" if before else "create", detail)
        return await _one(actor.brand_id, language, prompt)


async def delete(actor: Principal, language: str, prompt: str) -> None:
    """Forget a prompt's recording (its code and audio): calls that need it are no longer placed."""
    require_role(actor, *STAFF)
    language, prompt = _language(language), _prompt(prompt)
    async with write_transaction():
        rows = await run(DELETE, actor.brand_id, language, prompt)
        if not rows:
            raise NotFound()
        await _audit(actor, actor.brand_id, rows[0]["id"], "delete", {"language": language, "prompt": prompt})


async def _one(brand_id: int, language: str, prompt: str) -> RecordingRead:
    rows = await run(ONE, brand_id, language, prompt)
    if not rows:
        raise NotFound()
    return _read(rows[0])


async def _audit(
    actor: Principal | None, brand_id: int, recording_id: int, action: str, detail: dict[str, Any]
) -> None:
    event = Event(entity="voice_recording", entity_id=recording_id, action=action, detail=detail)
    await record_events(actor, brand_id, [event])


async def audio(name: str) -> tuple[bytes, str] | None:
    """The audio at a public address (``{token}.mp3``), and its type; None for any other name."""
    token, _, extension = name.rpartition(".")
    if not token or len(token) > 64:
        return None
    rows = await run(AUDIO_OF, token)
    if not rows or EXTENSIONS.get(rows[0]["audio_type"]) != extension:
        return None
    data = await photo_store().get(rows[0]["audio_key"])
    return (data, rows[0]["audio_type"]) if data is not None else None


async def recorded(brand_id: int, language: str, keys: tuple[str, ...], provider: str) -> dict[str, Recording] | None:
    """The brand's recordings of the prompts ``keys`` in ``language`` that ``provider`` can
    play, or None when one of them lacks one."""
    marks = ", ".join("{}" for _ in keys)
    sql = f"SELECT {COLUMNS} FROM voice_recording WHERE brand = {{}} AND language = {{}} AND prompt IN ({marks})"  # noqa: S608
    rows = {row["prompt"]: row for row in await run(sql, brand_id, language, *keys)}
    if any(key not in rows or not _playable(rows[key], provider) for key in keys):
        return None
    return {
        key: Recording(
            aliyun_code=row["aliyun_code"],
            audio_url=audio_url(row["audio_token"], row["audio_type"]) if row["audio_token"] else "",
        )
        for key, row in rows.items()
    }
