"""Resumable uploads (tus 1.0.0): a photo sent in parts over a connection that drops.

An upload is created with its length; its parts arrive in order, each at the offset the
server holds, each checked against its checksum when the client sends one. Its bytes live
in ``upload_parts``: with ``s3://`` storage an S3 multipart upload in the shared store, so
that any host continues any upload (its offset is in the database); otherwise files under
the data folder. A dropped connection costs only the part in flight: the client asks the
offset (HEAD) and goes on. A finished upload becomes a photo
(``POST /photos {upload_id}``) and is then forgotten. Until then, finished or not, it holds
one of its creator's ``MAX_OPEN`` places and its length counts towards ``MAX_HELD_BYTES``;
every upload expires 24 hours after its creation and the worker removes its row and bytes.
An upload belongs to its creator: for anyone else it does not exist.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime as dt
import hashlib
import json
import logging
import secrets
from functools import cache
from typing import Any

import msgspec

from backend.core.access import STAFF, require_role
from backend.core.errors import ChecksumMismatch, Conflict, Invalid, NotFound, TooLarge
from backend.core.i18n import N_
from backend.core.settings import get_settings
from backend.core.types import Principal, Role, as_datetime, utcnow
from backend.db.session import lock_keys, run, write_transaction
from backend.photos.processing import MAX_UPLOAD_BYTES
from backend.photos.storage import StoreUnavailable
from backend.photos.upload_parts import Held, UploadParts, parts_from_url

log = logging.getLogger("cunjiang.uploads")
MiB = 1024 * 1024
EXPIRES_AFTER = dt.timedelta(hours=24)  # from creation, finished or not
# What one person may hold in uploads not yet photos (finished or not, until they expire):
# how many, and how many bytes, each upload counted at its Upload-Length from creation.
# 100 MiB is some thirty phone photos of 3 MB (six at the 15 MiB limit): enough for a
# leader submitting for several neighbours over 2G, far from 20 uploads of 15 MiB each.
MAX_OPEN = 20
MAX_HELD_BYTES = 100 * MiB
# Each PATCH of an upload is one attempt, numbered: with S3 a number may become a part's,
# and S3 numbers parts up to 10,000 (a 15 MiB photo in 64 KiB parts takes 240).
MAX_ATTEMPTS = 10_000
CHECKSUMS = {"sha1": hashlib.sha1, "md5": hashlib.md5, "sha256": hashlib.sha256}
# An upload is its creator's, the person: whichever of her brands she made it as.
HERS = "owner IN (SELECT id FROM member WHERE person = {})"
SELECT = (
    'SELECT id, owner, length, "offset", metadata, parts, expires_at, finished_at FROM upload '
    "WHERE id = {} AND owner IN (SELECT id FROM member WHERE person = {})"
)


class UploadState(msgspec.Struct, frozen=True):
    id: str
    length: int
    offset: int
    metadata: dict[str, str]
    expires_at: dt.datetime

    @property
    def is_finished(self) -> bool:
        return self.offset == self.length


class OffsetMismatch(Conflict):
    code = "upload_offset_mismatch"
    message = N_("This part does not start where the upload stands; ask for its offset and go on from there.")


class TooManyUploads(Conflict):
    code = "too_many_uploads"
    message = N_("You have too many uploads that are not photos yet. Finish or cancel one first.")


class TooManyUploadBytes(Conflict):
    code = "too_many_upload_bytes"
    message = N_("Your uploads that are not photos yet would hold more than {limit} MB. Finish or cancel one first.")


class UploadUnfinished(Conflict):
    code = "upload_unfinished"
    message = N_("This upload is not finished yet.")


@cache
def upload_parts() -> UploadParts:
    settings = get_settings()
    return parts_from_url(settings.storage_url, settings.data_dir)


def parse_metadata(header: str | None) -> dict[str, str]:
    """``Upload-Metadata: filename d29yay5qcGc=,filetype aW1hZ2UvanBlZw==`` → a dict."""
    found: dict[str, str] = {}
    for pair in (header or "").split(","):
        if not pair.strip():
            continue
        key, _, value = pair.strip().partition(" ")
        try:
            found[key[:64]] = base64.b64decode(value, validate=True).decode()[:500] if value else ""
        except (binascii.Error, UnicodeDecodeError) as error:
            raise Invalid(N_("Upload-Metadata is not valid."), fields={"Upload-Metadata": "invalid"}) from error
    return found


def check_part(part: bytes, header: str | None) -> None:
    """``Upload-Checksum: sha1 <base64>``: refuse a part whose bytes do not match."""
    if not header:
        return
    algorithm, _, expected = header.strip().partition(" ")
    digest = CHECKSUMS.get(algorithm.lower())
    if digest is None:
        raise Invalid(N_("This checksum algorithm is not supported."), fields={"Upload-Checksum": "unsupported"})
    try:
        wanted = base64.b64decode(expected, validate=True)
    except binascii.Error as error:
        raise Invalid(N_("Upload-Checksum is not valid."), fields={"Upload-Checksum": "invalid"}) from error
    if digest(part).digest() != wanted:
        raise ChecksumMismatch()


def _state(row: dict[str, Any]) -> UploadState:
    return UploadState(
        id=row["id"],
        length=row["length"],
        offset=row["offset"],
        metadata=json.loads(row["metadata"]),
        expires_at=as_datetime(row["expires_at"]),
    )


async def create_upload(actor: Principal, length: int, metadata: dict[str, str]) -> UploadState:
    """A new upload of ``length`` bytes; refused over the size limit, or when the caller's
    uploads not yet photos would pass ``MAX_OPEN`` or ``MAX_HELD_BYTES``."""
    require_role(actor, Role.ARTISAN, Role.LEADER, *STAFF)
    if not 0 < length <= MAX_UPLOAD_BYTES:
        raise TooLarge(N_("A photo may be at most {limit} MB."), limit=MAX_UPLOAD_BYTES // MiB)
    now = utcnow()
    upload_id = secrets.token_hex(16)
    # The store first (an S3 multipart upload: a round trip), outside the write lock.
    held = await upload_parts().start(upload_id)
    try:
        async with write_transaction():
            await _check_room(actor, length, now)
            await run(
                'INSERT INTO upload (id, brand, owner, length, "offset", metadata, parts, created_at, expires_at) '
                "VALUES ({}, {}, {}, {}, 0, {}, {}, {}, {})",
                upload_id,
                actor.brand_id,
                actor.member_id,
                length,
                json.dumps(metadata, ensure_ascii=False),
                held.encode(),
                now,
                now + EXPIRES_AFTER,
            )
    except Exception:
        with contextlib.suppress(StoreUnavailable):  # the refusal matters, not the cleanup's failure
            await upload_parts().remove(upload_id, held)
        raise
    return UploadState(id=upload_id, length=length, offset=0, metadata=metadata, expires_at=now + EXPIRES_AFTER)


async def _check_room(actor: Principal, length: int, now: dt.datetime) -> None:
    await _one_creation_at_a_time(actor.person_id)
    held = await run(
        f"SELECT COUNT(*) AS n, COALESCE(SUM(length), 0) AS bytes FROM upload WHERE {HERS} AND expires_at > {{}}",  # noqa: S608
        actor.person_id,
        now,
    )
    if held[0]["n"] >= MAX_OPEN:
        raise TooManyUploads()
    if int(held[0]["bytes"]) + length > MAX_HELD_BYTES:
        raise TooManyUploadBytes(limit=MAX_HELD_BYTES // MiB)


async def _one_creation_at_a_time(person_id: int) -> None:
    """Until this transaction ends, no other creation of this person's counts their uploads:
    two at once cannot both slip under the limits (read committed would let each count
    without the other's row)."""
    await lock_keys(f"uploads:owner:{person_id}")


def _is_live(rows: list[dict[str, Any]]) -> bool:
    """Whether the upload read exists and has not expired (the worker may not have removed it yet)."""
    return bool(rows) and as_datetime(rows[0]["expires_at"]) > utcnow()


async def upload_state(actor: Principal, upload_id: str) -> UploadState:
    """Where the caller's upload stands (HEAD); others' and expired ones do not exist."""
    rows = await run(SELECT, upload_id, actor.person_id)
    if not _is_live(rows):
        raise NotFound()
    return _state(rows[0])


async def append(actor: Principal, upload_id: str, offset: int, part: bytes, checksum: str | None) -> UploadState:
    """Write ``part`` at ``offset`` (which must be where the upload stands); the new state.

    Any host may take any PATCH. The part is written under its own attempt's name, then
    the offset moves only if it still stands where the part starts (compare-and-set): of two
    requests at one offset, on one host or two, one wins and the other is refused (409) and
    its bytes discarded. A refused part (checksum, offset, length) changes nothing."""
    check_part(part, checksum)
    state = await upload_state(actor, upload_id)
    if offset != state.offset:
        raise OffsetMismatch()
    if state.offset + len(part) > state.length:
        raise Invalid(N_("This part goes beyond the upload's length."), fields={"Upload-Offset": "beyond_length"})
    attempt, before = await _claim_attempt(upload_id, offset)
    new_offset = offset + len(part)
    is_last = new_offset == state.length
    try:
        after = await upload_parts().write(upload_id, before, attempt, part, is_last=is_last)
    except NotFound:
        # What it built on went: the upload is gone, or a request that won this offset
        # took its pending chunks into a part (then this one lost: 409, not 404).
        await upload_state(actor, upload_id)
        raise OffsetMismatch() from None
    async with write_transaction():
        won = await run(
            'UPDATE upload SET "offset" = {}, parts = {}, finished_at = {} '
            'WHERE id = {} AND "offset" = {} RETURNING id',
            new_offset,
            after.encode(),
            utcnow() if is_last else None,
            upload_id,
            offset,
        )
    if not won:
        await upload_parts().discard(upload_id, before, after)
        raise OffsetMismatch()
    try:
        await upload_parts().settle(upload_id, before, after, is_last=is_last)
    except StoreUnavailable:
        # The part is stored and counted: what settling left undone (completing the S3
        # upload, deleting chunks now in a part) is done by the read, or by the removal.
        log.warning("upload %s: settling attempt %s failed", upload_id, attempt, exc_info=True)
    return msgspec.structs.replace(state, offset=new_offset)


async def _claim_attempt(upload_id: str, offset: int) -> tuple[int, Held]:
    """A number no other request of this upload gets, and what the upload holds at ``offset``
    (read with it, so the two belong together); 409 once the offset has moved on."""
    async with write_transaction():
        rows = await run(
            'UPDATE upload SET attempts = attempts + 1 WHERE id = {} AND "offset" = {} RETURNING attempts, parts',
            upload_id,
            offset,
        )
    if not rows:
        raise OffsetMismatch()
    if rows[0]["attempts"] > MAX_ATTEMPTS:
        raise Invalid(
            N_("This upload was sent in too many parts; start it again."), fields={"Upload-Offset": "too_many_parts"}
        )
    return rows[0]["attempts"], Held.decode(rows[0]["parts"])


async def terminate(actor: Principal, upload_id: str) -> None:
    """Cancel an upload and remove its bytes (tus termination)."""
    async with write_transaction():
        deleted = await run(
            f"DELETE FROM upload WHERE id = {{}} AND {HERS} RETURNING id, parts",  # noqa: S608
            upload_id,
            actor.person_id,
        )
    if not deleted:
        raise NotFound()
    await upload_parts().remove(upload_id, Held.decode(deleted[0]["parts"]))


async def finished_bytes(actor: Principal, upload_id: str) -> bytes:
    """The whole file of the caller's finished upload, to become a photo."""
    rows = await run(SELECT, upload_id, actor.person_id)
    if not _is_live(rows):
        raise NotFound()
    if not _state(rows[0]).is_finished:
        raise UploadUnfinished()
    return await upload_parts().read(upload_id, Held.decode(rows[0]["parts"]))


async def forget_upload(upload_id: str) -> None:
    """The upload became a photo: its row and bytes go."""
    async with write_transaction():
        gone = await run("DELETE FROM upload WHERE id = {} RETURNING id, parts", upload_id)
    for row in gone:
        await upload_parts().remove(upload_id, Held.decode(row["parts"]))


async def remove_expired() -> int:
    """Remove uploads past their expiry, finished or not, and their bytes (the worker runs
    this): with S3, their multipart uploads aborted and their pending chunks deleted. The
    bytes go first: a store down for the moment leaves the row for the next round."""
    now = utcnow()
    expired = await run("SELECT id, parts FROM upload WHERE expires_at <= {}", now)
    for row in expired:
        await upload_parts().remove(row["id"], Held.decode(row["parts"]))
        async with write_transaction():
            await run("DELETE FROM upload WHERE id = {} AND expires_at <= {}", row["id"], now)
    return len(expired)
