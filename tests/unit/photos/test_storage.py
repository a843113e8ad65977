"""The local photo store on a real temporary directory, and the storage URL factory."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from backend.photos import storage
from backend.photos.storage import LocalPhotoStore, Stored, photo_key, store_from_url

HASH = "ab" + "c" * 62


def files_under(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


async def test_put_then_get_returns_the_same_bytes(tmp_path: Path) -> None:
    store = LocalPhotoStore(tmp_path)
    key = photo_key(HASH, "list")

    await store.put(key, b"\xff\xd8 list bytes", "image/jpeg")

    assert await store.get(key) == b"\xff\xd8 list bytes"
    assert files_under(tmp_path) == [f"ab/{'c' * 62}/list.jpg"]


async def test_get_of_a_missing_key_returns_none(tmp_path: Path) -> None:
    store = LocalPhotoStore(tmp_path)
    await store.put("ab/cd/full.jpg", b"full", "image/jpeg")

    assert await store.get("ab/cd/list.jpg") is None
    assert await store.get("zz/never/full.jpg") is None
    assert await store.get("ab/cd") is None  # a directory is not a photo


async def test_put_replaces_the_file_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    store = LocalPhotoStore(tmp_path)

    await store.put("ab/cd/full.jpg", b"old", "image/jpeg")
    await store.put("ab/cd/full.jpg", b"new", "image/jpeg")

    assert await store.get("ab/cd/full.jpg") == b"new"
    assert files_under(tmp_path) == ["ab/cd/full.jpg"]


async def test_failed_put_keeps_the_previous_file_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = LocalPhotoStore(tmp_path)
    await store.put("ab/cd/full.jpg", b"old photo", "image/jpeg")

    def disk_full(self: Path, target: Path) -> Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "replace", disk_full)
    with pytest.raises(OSError, match="No space left"):
        await store.put("ab/cd/full.jpg", b"new photo", "image/jpeg")
    monkeypatch.undo()

    assert await store.get("ab/cd/full.jpg") == b"old photo"
    assert files_under(tmp_path) == ["ab/cd/full.jpg"]


async def test_the_listing_names_every_photo_with_its_size_in_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = LocalPhotoStore(tmp_path)
    for number in range(5):
        await store.put(f"ab/{number:02d}/full.jpg", b"x" * number, "image/jpeg")
    (tmp_path / "ab" / "00" / ".full.jpg.1234.tmp").write_bytes(b"a write under way")
    (tmp_path / "uploads" / "abc").mkdir(parents=True)
    (tmp_path / "uploads" / "abc" / "00001.part").write_bytes(b"unfinished")
    monkeypatch.setattr(storage, "LISTING_BATCH", 2)

    batches = [batch async for batch in store.listing()]

    assert [len(batch) for batch in batches] == [2, 2, 1]
    assert [item for batch in batches for item in batch] == [
        Stored(f"ab/{number:02d}/full.jpg", number) for number in range(5)
    ]


async def test_the_listing_of_a_store_never_written_is_empty(tmp_path: Path) -> None:
    assert [batch async for batch in LocalPhotoStore(tmp_path / "none").listing()] == []


async def test_stored_photo_is_readable_by_a_web_server(tmp_path: Path) -> None:
    await LocalPhotoStore(tmp_path).put("ab/cd/list.jpg", b"x", "image/jpeg")

    assert stat.S_IMODE((tmp_path / "ab/cd/list.jpg").stat().st_mode) == 0o644


@pytest.mark.parametrize(
    "key", ["../outside.jpg", "ab/../../outside.jpg", "/etc/passwd", "", "ab\\..\\..\\outside.jpg", "ab/\x00.jpg"]
)
async def test_key_that_could_leave_the_root_is_refused(tmp_path: Path, key: str) -> None:
    store = LocalPhotoStore(tmp_path / "photos")

    with pytest.raises(ValueError, match="photo key"):
        await store.put(key, b"x", "image/jpeg")
    with pytest.raises(ValueError, match="photo key"):
        await store.get(key)
    assert files_under(tmp_path) == []


def test_photo_key_fans_out_on_the_first_two_letters() -> None:
    assert photo_key(HASH, "review") == f"ab/{'c' * 62}/review.jpg"


@pytest.mark.parametrize("url", ["{root}", "file://{root}", "file://localhost{root}"])
async def test_plain_path_and_file_url_give_a_local_store(tmp_path: Path, url: str) -> None:
    store = store_from_url(url.format(root=tmp_path / "my photos"))
    await store.put("ab/cd/list.jpg", b"x", "image/jpeg")

    assert isinstance(store, LocalPhotoStore)
    assert (tmp_path / "my photos/ab/cd/list.jpg").read_bytes() == b"x"


def test_file_url_with_percent_escapes_names_the_decoded_path() -> None:
    store = store_from_url("file:///srv/my%20photos")

    assert isinstance(store, LocalPhotoStore)
    assert store.root == Path("/srv/my photos")


def test_s3_url_gives_an_s3_store() -> None:
    from backend.photos.storage import S3PhotoStore

    assert isinstance(store_from_url("s3://cunjiang-photos/prod"), S3PhotoStore)


@pytest.mark.parametrize("url", ["ftp://example.com/photos", "file://otherhost/photos", ""])
def test_unknown_storage_url_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="CUNJIANG_STORAGE_URL"):
        store_from_url(url)
