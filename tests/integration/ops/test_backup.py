"""The restore drill: ``cunjiang backup`` of a database with realistic data and photos,
``cunjiang restore`` into a fresh database and a fresh photo store, run as an operator runs
them, then rows per table and photo hashes compared by the test itself. A changed photo and a
missing one fail verification; a database that is not empty is refused; S3 stores too."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shlex
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from backend.cli import _parser
from backend.core.settings import get_settings
from backend.db.session import is_sqlite, run
from backend.demo import seed_demo
from backend.photos.storage import photo_key
from tests import support
from tests.integration.ops.tools import ROOT, admin
from tests.integration.photos import s3 as s3_server

pytestmark = pytest.mark.slow
SECRET = "pw-never-written-7f3a9c"  # a database password and an S3 secret key that must stay out of every file


class Ran:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    def __repr__(self) -> str:
        return f"exit {self.code}\nstdout:\n{self.out}\nstderr:\n{self.err}"


async def cunjiang(*args: str, **env: str) -> Ran:
    """The command as an operator runs it, in English, with ``env`` over the test's environment."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "backend.cli",
        *args,
        cwd=ROOT,
        env=os.environ | {"LANG": "en_US.UTF-8"} | env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return Ran(process.returncode, out.decode(), err.decode())


def target(database_url: str, store: Path | str) -> dict[str, str]:
    """The environment of a deployment on ``database_url`` with its photos in ``store``. In the
    PgBouncer lane ``database_url`` goes through it, and the direct URL names the same database
    on the server, as production is configured (never the run's own direct URL)."""
    direct = os.environ.get("CUNJIANG_DATABASE_DIRECT_URL", "")
    if direct and not database_url.startswith("sqlite:"):
        direct = direct.rsplit("/", 1)[0] + "/" + database_url.rsplit("/", 1)[1]
    return {
        "CUNJIANG_DATABASE_URL": database_url,
        "CUNJIANG_STORAGE_URL": str(store),
        "CUNJIANG_DATABASE_DIRECT_URL": direct,
    }


async def seeded(client: httpx.AsyncClient) -> list[int]:
    """The demo brand and a brand with jobs in several states, each with its photos; the photo ids."""
    await seed_demo()
    brand = await support.brand(villages=2)
    photos = []
    for number, state in enumerate(("submitted", "paid", "confirmed", "rework")):
        artisan = await support.artisan(brand)
        work = await support.job_in_state(client, brand, artisan, state)
        photos += [work.photo_id, await support.upload_photo(client, artisan, color=(40 * number, 90, 200 - number))]
    return [photo for photo in photos if photo is not None]


async def counts_of(database_url: str) -> dict[str, int]:
    """Rows per table, counted here (not by the code under test)."""
    if database_url.startswith("sqlite:"):
        connection = sqlite3.connect(database_url.removeprefix("sqlite:///"))
        try:
            names = [
                row[0]
                for row in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                )
            ]
            return {name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}  # noqa: S608
        finally:
            connection.close()
    names = [
        row["tablename"]
        for row in await admin(database_url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    ]
    return {name: (await admin(database_url, f'SELECT count(*) FROM "{name}"'))[0]["count"] for name in names}  # noqa: S608


def bytes_in(folder: Path) -> dict[str, bytes]:
    """Every file of a local photo store by key, but the temporary ones of writes under way."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in folder.rglob("*")
        if path.is_file() and not path.name.startswith(".")
    }


def hashes_in(folder: Path) -> dict[str, str]:
    return {key: hashlib.sha256(data).hexdigest() for key, data in bytes_in(folder).items()}


def manifest_of(backup: Path) -> dict[str, str]:
    lines = (backup / "photos.jsonl").read_text(encoding="utf-8").splitlines()
    return {entry["key"]: entry["sha256"] for entry in map(json.loads, lines)}


async def keys_of(photo_ids: list[int]) -> set[str]:
    rows = await run(f"SELECT content_hash FROM photo WHERE id IN ({', '.join('{}' for _ in photo_ids)})", *photo_ids)  # noqa: S608
    sizes = (("full", "jpg"), ("review", "jpg"), ("list", "jpg"), ("list", "webp"))
    return {photo_key(row["content_hash"], size, kind) for row in rows for size, kind in sizes}


@pytest.fixture
async def backup(client: httpx.AsyncClient, tmp_path: Path) -> tuple[Path, list[int]]:
    """A backup with copies of the photos, of the test database after seeding it."""
    photos = await seeded(client)
    folder = tmp_path / "backup"
    taken = await cunjiang("backup", "--photos", str(folder))
    assert taken.code == 0, taken
    return folder, photos


async def test_a_backup_restores_into_a_fresh_database_and_store_with_the_same_rows_and_photos(
    backup: tuple[Path, list[int]], empty_database: str, tmp_path: Path
) -> None:
    folder, photo_ids = backup
    summary = json.loads((folder / "backup.json").read_text(encoding="utf-8"))
    live = await counts_of(os.environ["CUNJIANG_DATABASE_URL"])
    store = Path(get_settings().storage_url)
    assert summary["database"]["tables"] == live  # nothing written since
    assert summary["database"]["engine"] == ("sqlite" if is_sqlite() else "postgresql")
    assert summary["database"]["migration_head"] == max(row["name"] for row in await run("SELECT name FROM migration"))
    assert manifest_of(folder) == hashes_in(store)  # every object, its hash as stored
    assert await keys_of(photo_ids) <= set(manifest_of(folder))
    assert (summary["photos"]["objects"], summary["photos"]["bytes"]) == (
        len(manifest_of(folder)),
        sum(map(len, bytes_in(store).values())),
    )

    fresh = tmp_path / "restored-photos"
    restored = await cunjiang("restore", str(folder), **target(empty_database, fresh))

    assert restored.code == 0, restored
    assert await counts_of(empty_database) == live
    assert hashes_in(fresh) == manifest_of(folder)
    assert restored.out.strip().endswith("problems found: 0."), restored
    assert "photos:" in restored.err  # progress shown


async def test_a_changed_photo_and_a_missing_one_fail_verification_by_name(
    backup: tuple[Path, list[int]], empty_database: str, tmp_path: Path
) -> None:
    folder, photo_ids = backup
    fresh = tmp_path / "restored-photos"
    assert (await cunjiang("restore", str(folder), **target(empty_database, fresh))).code == 0
    changed, missing = sorted(await keys_of(photo_ids))[:2]
    data = bytearray((fresh / changed).read_bytes())
    data[len(data) // 2] ^= 0x01  # one byte
    (fresh / changed).write_bytes(bytes(data))
    (fresh / missing).unlink()

    checked = await cunjiang("restore", "--check-only", str(folder), **target(empty_database, fresh))

    assert checked.code == 1, checked
    assert f"photo {changed}: changed (another SHA-256)" in checked.out.splitlines()
    assert f"photo {missing}: missing" in checked.out.splitlines()
    assert checked.out.strip().endswith("problems found: 2."), checked


async def test_a_damaged_copy_in_the_backup_fails_its_verify(backup: tuple[Path, list[int]]) -> None:
    folder, photo_ids = backup
    [key] = sorted(await keys_of(photo_ids))[:1]
    (folder / "photos" / key).write_bytes(b"not the photo")

    verified = await cunjiang("backup", "--verify", str(folder))

    assert verified.code == 1, verified
    assert f"photo {key}: the backup's copy is damaged" in verified.out.splitlines()
    assert verified.out.strip().endswith("problems found: 1."), verified


async def test_a_damaged_database_copy_fails_the_backups_verify(backup: tuple[Path, list[int]]) -> None:
    folder, _photos = backup
    summary = json.loads((folder / "backup.json").read_text(encoding="utf-8"))
    copy = folder / summary["database"]["file"]
    copy.write_bytes(copy.read_bytes()[:-1])

    verified = await cunjiang("backup", "--verify", str(folder))

    assert verified.code == 1, verified
    assert f"database copy {copy}: damaged (another SHA-256)" in verified.out.splitlines()


async def test_a_row_missing_after_restore_fails_verification(
    backup: tuple[Path, list[int]], empty_database: str, tmp_path: Path
) -> None:
    folder, _photos = backup
    fresh = tmp_path / "restored-photos"
    assert (await cunjiang("restore", str(folder), **target(empty_database, fresh))).code == 0
    expected = json.loads((folder / "backup.json").read_text(encoding="utf-8"))["database"]["tables"]["device_token"]
    if empty_database.startswith("sqlite:"):
        with sqlite3.connect(empty_database.removeprefix("sqlite:///")) as connection:
            connection.execute("DELETE FROM device_token WHERE id = (SELECT max(id) FROM device_token)")
    else:
        await admin(empty_database, "DELETE FROM device_token WHERE id = (SELECT max(id) FROM device_token)")

    checked = await cunjiang("restore", "--check-only", str(folder), **target(empty_database, fresh))

    assert checked.code == 1, checked
    assert f"table device_token: {expected} rows in the backup, {expected - 1} here" in checked.out.splitlines()


async def test_a_database_that_is_not_empty_is_refused_and_left_as_it_was(
    backup: tuple[Path, list[int]], tmp_path: Path
) -> None:
    folder, _photos = backup
    ours = os.environ["CUNJIANG_DATABASE_URL"]
    before = await counts_of(ours)

    refused = await cunjiang("restore", str(folder), **target(ours, tmp_path / "elsewhere"))

    assert refused.code == 2, refused
    [line] = [line for line in refused.err.splitlines() if line.startswith("cunjiang:")]
    assert "is not empty" in line, refused
    assert "--force" in line, refused
    assert (get_settings().sqlite_path.name if is_sqlite() else ours.rsplit("/", 1)[1]) in line
    assert await counts_of(ours) == before
    assert not (tmp_path / "elsewhere").exists()


async def test_force_replaces_a_database_that_is_not_empty(
    backup: tuple[Path, list[int]], empty_database: str, tmp_path: Path
) -> None:
    folder, _photos = backup
    fresh = tmp_path / "restored-photos"
    assert (await cunjiang("restore", str(folder), **target(empty_database, fresh))).code == 0
    if empty_database.startswith("sqlite:"):
        with sqlite3.connect(empty_database.removeprefix("sqlite:///")) as connection:
            connection.execute("DELETE FROM device_token")
    else:
        await admin(empty_database, "DELETE FROM device_token")

    again = await cunjiang("restore", "--force", str(folder), **target(empty_database, fresh))

    assert again.code == 0, again
    assert await counts_of(empty_database) == json.loads((folder / "backup.json").read_text())["database"]["tables"]


async def test_a_damaged_database_copy_is_refused_before_anything_is_restored(
    backup: tuple[Path, list[int]], empty_database: str, tmp_path: Path
) -> None:
    folder, _photos = backup
    summary = json.loads((folder / "backup.json").read_text(encoding="utf-8"))
    copy = folder / summary["database"]["file"]
    data = bytearray(copy.read_bytes())
    data[-100] ^= 0xFF
    copy.write_bytes(bytes(data))

    refused = await cunjiang("restore", str(folder), **target(empty_database, tmp_path / "restored-photos"))

    assert refused.code == 2, refused
    assert "damaged" in refused.err, refused
    assert await counts_of(empty_database) == {}


async def test_what_is_not_a_backup_and_a_folder_in_use_are_refused_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "notes.txt").write_text("mine", encoding="utf-8")

    into_used = await cunjiang("backup", str(tmp_path / "used"))
    from_nothing = await cunjiang("restore", str(tmp_path / "nothing"))
    both = await cunjiang("restore", "--force", "--check-only", str(tmp_path / "nothing"))

    for ran, words in ((into_used, "is not empty"), (from_nothing, "is not a Cunjiang backup"), (both, "together")):
        assert ran.code == 2, ran
        [line] = [line for line in ran.err.splitlines() if line.startswith("cunjiang:")]
        assert words in line, ran
        assert "Traceback" not in ran.err
    assert sorted(path.name for path in (tmp_path / "used").iterdir()) == ["notes.txt"]


@pytest.mark.postgres
async def test_no_password_is_written_into_the_backup_or_its_output(client: httpx.AsyncClient, tmp_path: Path) -> None:
    ours = os.environ["CUNJIANG_DATABASE_URL"]
    with_password = ours.replace("postgresql://postgres@", f"postgresql://postgres:{SECRET}@")
    assert SECRET in with_password  # trust authentication: the server takes it and ignores it
    await seeded(client)

    taken = await cunjiang("backup", "--photos", str(tmp_path / "backup"), CUNJIANG_DATABASE_URL=with_password)

    assert taken.code == 0, taken
    assert SECRET not in taken.out + taken.err
    for path in (tmp_path / "backup").rglob("*"):
        assert not path.is_file() or SECRET.encode() not in path.read_bytes(), path


@pytest.fixture
def s3_store() -> Iterator[str]:
    with s3_server.moto_server() as (_server, endpoint), s3_server.storage_in(endpoint):
        yield endpoint


def s3_hashes(endpoint: str, prefix: str) -> dict[str, str]:
    bucket = s3_server.client(endpoint)
    found = {}
    for key in s3_server.objects(endpoint):
        if key.startswith(f"{prefix}/"):
            body = bucket.get_object(Bucket=s3_server.BUCKET, Key=key)["Body"].read()
            found[key.removeprefix(f"{prefix}/")] = hashlib.sha256(body).hexdigest()
    return found


async def test_an_s3_store_is_listed_in_the_manifest_and_copied_back_into_a_fresh_one(
    client: httpx.AsyncClient, s3_store: str, empty_database: str, tmp_path: Path
) -> None:
    brand = await support.brand()
    uploader = await support.artisan(brand)
    for color in ((10, 20, 30), (200, 100, 50), (5, 150, 90)):
        await support.upload_photo(client, uploader, color=color)
    # An unfinished upload's bytes live beside the photos: they are not a photo of the backup.
    s3_server.client(s3_store).put_object(
        Bucket=s3_server.BUCKET, Key="brand-photos/uploads/abc/00001.chunk", Body=b"x"
    )
    secret = {"AWS_SECRET_ACCESS_KEY": SECRET}  # moto checks no signature: any secret key works

    taken = await cunjiang("backup", "--photos", str(tmp_path / "backup"), **secret)

    assert taken.code == 0, taken
    stored = {key: sha for key, sha in s3_hashes(s3_store, "brand-photos").items() if not key.startswith("uploads/")}
    assert manifest_of(tmp_path / "backup") == stored
    assert len(stored) >= 12  # four objects a photo

    fresh = f"s3://{s3_server.BUCKET}/restored"
    restored = await cunjiang("restore", str(tmp_path / "backup"), **target(empty_database, fresh), **secret)

    assert restored.code == 0, restored
    assert s3_hashes(s3_store, "restored") == stored
    assert SECRET not in taken.out + taken.err + restored.out + restored.err
    assert all(SECRET.encode() not in path.read_bytes() for path in (tmp_path / "backup").rglob("*") if path.is_file())

    s3_server.client(s3_store).delete_object(Bucket=s3_server.BUCKET, Key=f"restored/{sorted(stored)[0]}")
    checked = await cunjiang("restore", "--check-only", str(tmp_path / "backup"), **target(empty_database, fresh))
    assert checked.code == 1, checked
    assert f"photo {sorted(stored)[0]}: missing" in checked.out.splitlines()


def test_the_nightly_unit_runs_a_backup_the_command_line_takes() -> None:
    unit = (ROOT / "deploy" / "cunjiang-backup.service").read_text(encoding="utf-8")
    timer = (ROOT / "deploy" / "cunjiang-backup.timer").read_text(encoding="utf-8")
    [start] = [line.removeprefix("ExecStart=") for line in unit.splitlines() if line.startswith("ExecStart=")]
    shell, flag, script = shlex.split(start.replace("$$", "$").replace("%%", "%"))  # systemd's own escapes
    executable, *arguments = shlex.split(script.removeprefix("exec "))

    assert (shell, flag) == ("/bin/sh", "-c")
    assert executable == "/opt/cunjiang/.venv/bin/cunjiang"
    parsed = _parser().parse_args(arguments)  # exits (fails the test) on anything it does not take
    assert (parsed.command, parsed.photos, parsed.verify) == ("backup", True, False)
    assert str(parsed.folder).startswith("/var/lib/cunjiang-backups/$(date -u +%Y-%m-%dT%H%M%SZ)")
    assert "StateDirectory=cunjiang-backups" in unit.splitlines()  # the folder the backups go into
    assert {"OnCalendar=*-*-* 03:30:00", "Persistent=true"} <= set(timer.splitlines())
