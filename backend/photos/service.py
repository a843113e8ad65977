"""Photos of finished work: accepted once verified and cleaned, shown only to who may see them."""

from __future__ import annotations

import asyncio
from functools import cache
from typing import Any, Literal, Protocol

import msgspec

from backend.accounts.tables import Member
from backend.core.access import STAFF, require_role
from backend.core.errors import NotFound
from backend.core.settings import get_settings
from backend.core.types import Principal, Role
from backend.db.session import write_transaction
from backend.photos import uploads
from backend.photos.processing import process_upload
from backend.photos.schemas import PhotoRead
from backend.photos.storage import PhotoStore, photo_key, store_from_url
from backend.photos.tables import Photo

Size = Literal["list", "review", "full"]
SIZES: tuple[Size, ...] = ("list", "review", "full")


@cache
def photo_store() -> PhotoStore:
    return store_from_url(get_settings().storage_url)


def photo_read(row: dict[str, Any]) -> PhotoRead:
    urls: dict[str, str] = {size: f"/api/v1/photos/{row['id']}/{size}" for size in SIZES}
    return PhotoRead(id=row["id"], width=row["width"], height=row["height"], urls=urls)


async def upload_photo(actor: Principal, data: bytes) -> PhotoRead:
    """Verify, clean and store a photo; the same picture uploaded twice is one photo."""
    require_role(actor, Role.ARTISAN, Role.LEADER, *STAFF)
    # Decoding a big photo takes ~0.2 s: off the event loop, and before any lock is taken.
    processed = await asyncio.to_thread(process_upload, data)
    # Files are content-addressed, so writing them before the row (and outside the
    # write lock) can at worst leave an unused copy, never a row without its files.
    for size, blob in processed.sizes.items():
        await photo_store().put(photo_key(processed.content_hash, size), blob, "image/jpeg")
    await photo_store().put(photo_key(processed.content_hash, "list", "webp"), processed.list_webp, "image/webp")
    async with write_transaction():
        # One row per owner and picture, even when two uploads of it race (a unique index).
        await Photo.insert(
            Photo(
                brand=actor.brand_id,
                owner=actor.member_id,
                content_hash=processed.content_hash,
                width=processed.width,
                height=processed.height,
            )
        ).on_conflict(target=(Photo.owner, Photo.content_hash), action="DO NOTHING")
        rows = await Photo.select().where(
            (Photo.owner == actor.member_id) & (Photo.content_hash == processed.content_hash)
        )
    return photo_read(rows[0])


async def photo_from_upload(actor: Principal, upload_id: str) -> PhotoRead:
    """The caller's finished resumable upload becomes a photo (409 while unfinished)."""
    data = await uploads.finished_bytes(actor, upload_id)
    photo = await upload_photo(actor, data)
    await uploads.forget_upload(upload_id)
    return photo


class PhotoAccess(Protocol):
    """Who else may see a photo, by the work it belongs to; ``backend.jobs.photo_access`` says."""

    async def sees_through_work(self, actor: Principal, photo_id: int) -> bool: ...


async def _may_see(actor: Principal, photo: dict[str, Any], access: PhotoAccess) -> bool:
    """Its owner (whichever brand she uploaded it for), the brand's staff, the leader of its
    owner's village; anyone else through
    the work it belongs to (an artisan her submission by a leader, an order's pattern)."""
    if photo["owner"] in actor.member_ids():
        return True
    if actor.is_staff:
        return bool(photo["brand"] == actor.brand_id)
    villages = actor.village_ids(Role.LEADER)
    if villages and await Member.exists().where((Member.id == photo["owner"]) & Member.village.is_in(list(villages))):
        return True
    return await access.sees_through_work(actor, photo["id"])


class StoredImage(msgspec.Struct, frozen=True):
    data: bytes
    media_type: str
    etag: str  # the picture's content hash, size and format: it never changes


async def photo_bytes(
    actor: Principal, photo_id: int, size: Size, access: PhotoAccess, *, webp: bool = False
) -> StoredImage:
    """The stored image (the list size as WebP when ``webp`` and it exists); anyone who may
    not see it is told it does not exist."""
    photo = await Photo.select().where(Photo.id == photo_id).first()
    if photo is None or not await _may_see(actor, photo, access):
        raise NotFound()
    content_hash = photo["content_hash"]
    if webp and size == "list":
        blob = await photo_store().get(photo_key(content_hash, size, "webp"))
        if blob is not None:
            return StoredImage(blob, "image/webp", f'"{content_hash[:32]}-{size}-webp"')
    blob = await photo_store().get(photo_key(content_hash, size))
    if blob is None:
        raise NotFound()
    return StoredImage(blob, "image/jpeg", f'"{content_hash[:32]}-{size}-jpg"')
