"""``cunjiang backup`` and ``cunjiang restore``: the database (``dumps``) and a manifest of the
photo store (``manifest``) in one folder, put back into an empty database and store, then
verified: the same rows per table, every photo object present with the same SHA-256.

A backup folder holds ``database.dump`` (PostgreSQL, custom format) or ``database.sqlite3``,
``photos.jsonl`` (key, size, SHA-256 of every object), ``photos/`` with ``--photos``, and
``backup.json``, written last: a folder without it is an unfinished backup. The database is
copied before the store is listed, and a photo is stored before its row commits, so every
photo the copied database names is in the manifest. Nothing secret is written: no password,
no key; the store's URL holds none (S3 keys come from the environment).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib.metadata
import time
from pathlib import Path
from typing import Protocol

import msgspec

from backend.core.errors import DomainError
from backend.core.i18n import N_, translate
from backend.core.settings import Settings, get_settings
from backend.db.probes import known_migrations
from backend.ops import dumps, manifest
from backend.ops.dumps import DatabaseCopy
from backend.ops.manifest import Entry, Problem, Progress
from backend.photos.storage import store_from_url

FORMAT = 1
SUMMARY = "backup.json"
MANIFEST = "photos.jsonl"
PHOTOS = "photos"


class Reporter(Protocol):
    """How a long command tells the operator where it is (the CLI prints to stderr)."""

    def step(self, text: str) -> None: ...

    def progress(self, label: str) -> Progress: ...


class PhotosSummary(msgspec.Struct, frozen=True, kw_only=True):
    store: str  # the storage URL or folder (no secret in it)
    manifest: str
    objects: int
    bytes: int
    copied: bool  # the objects are in the backup's photos/ folder too


class Summary(msgspec.Struct, frozen=True, kw_only=True):
    """``backup.json``."""

    format: int
    created_at: dt.datetime
    cunjiang_version: str
    database: DatabaseCopy
    photos: PhotosSummary
    seconds: float


class TableMismatch(msgspec.Struct, frozen=True):
    table: str
    expected: int | None  # rows in the backup; None: the table is not in it
    found: int | None  # rows in the database; None: the table is not there


class Verification(msgspec.Struct, frozen=True, kw_only=True):
    """What a check found: of the database, of the photos, or (``backup --verify``) of the
    backup's own copies, where ``damaged_copy`` names a database copy that is not whole."""

    tables_checked: int
    tables: list[TableMismatch]
    objects_checked: int
    photos: list[Problem]
    of_backup: bool = False
    damaged_copy: str | None = None

    @property
    def problems(self) -> int:
        return len(self.tables) + len(self.photos) + (self.damaged_copy is not None)

    @property
    def is_ok(self) -> bool:
        return self.problems == 0


class NotABackup(DomainError):
    code = "not_a_backup"
    message = N_("{folder} is not a Cunjiang backup: {detail}")


class FolderNotEmpty(DomainError):
    code = "backup_folder_not_empty"
    message = N_("{folder} is not empty: a backup goes into a new or empty folder.")


class TargetNotEmpty(DomainError):
    code = "restore_target_not_empty"
    message = N_("The database {database} is not empty: restoring would overwrite it. Use --force to replace it.")


class EngineMismatch(DomainError):
    code = "restore_engine_mismatch"
    message = N_("This backup is of a {backup} database, but the configured database is {configured}.")


class BackupDamaged(DomainError):
    code = "backup_damaged"
    message = N_("The backup's database copy {file} is damaged: its SHA-256 is not the one in backup.json.")


def cunjiang_version() -> str:
    try:
        return importlib.metadata.version("cunjiang")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


async def take_backup(folder: Path, *, photos: bool, reporter: Reporter) -> Summary:
    """Copy the configured database and list (with ``photos``: copy) its photo store into ``folder``."""
    settings = get_settings()
    await asyncio.to_thread(_new_folder, folder)
    started, created_at = time.monotonic(), dt.datetime.now(dt.UTC)
    reporter.step(translate(N_("Copying the database ({engine})…"), engine=dumps.engine_of(settings).value))
    database = await dumps.copy_database(settings, folder)
    reporter.step(translate(N_("Reading the photo store {store}…"), store=settings.storage_url))
    store = store_from_url(settings.storage_url)
    entries = await manifest.take_manifest(
        store, folder / PHOTOS if photos else None, reporter.progress(translate(N_("photos")))
    )
    await asyncio.to_thread(manifest.write_manifest, folder / MANIFEST, entries)
    summary = Summary(
        format=FORMAT,
        created_at=created_at,
        cunjiang_version=cunjiang_version(),
        database=database,
        photos=PhotosSummary(
            store=settings.storage_url,
            manifest=MANIFEST,
            objects=len(entries),
            bytes=sum(entry.size for entry in entries),
            copied=photos,
        ),
        seconds=round(time.monotonic() - started, 3),
    )
    (folder / SUMMARY).write_bytes(msgspec.json.format(msgspec.json.encode(summary), indent=2) + b"\n")
    return summary


def _new_folder(folder: Path) -> None:
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise FolderNotEmpty(folder=str(folder))
    folder.mkdir(parents=True, exist_ok=True)


def read_backup(folder: Path) -> tuple[Summary, list[Entry]]:
    """The summary and manifest of a finished backup, or :class:`NotABackup` saying why not."""
    try:
        summary = msgspec.json.decode((folder / SUMMARY).read_bytes(), type=Summary)
        entries = manifest.read_manifest(folder / summary.photos.manifest)
    except FileNotFoundError as error:
        raise NotABackup(folder=str(folder), detail=translate(N_("{file} is missing"), file=error.filename)) from None
    except (OSError, msgspec.DecodeError, msgspec.ValidationError) as error:
        raise NotABackup(folder=str(folder), detail=str(error)) from None
    if summary.format != FORMAT:
        raise NotABackup(folder=str(folder), detail=f"format {summary.format}")
    return summary, entries


async def restore_backup(folder: Path, *, force: bool, reporter: Reporter) -> Verification:
    """Put the backup into the configured database (refused when it is not empty, unless
    ``force``) and store, then verify them against it."""
    settings = get_settings()
    summary, entries = read_backup(folder)
    await _refuse_unfit_target(settings, summary, force=force)
    copy = folder / summary.database.file
    reporter.step(translate(N_("Checking the backup's database copy…")))
    if not copy.exists() or await asyncio.to_thread(dumps.file_sha256, copy) != summary.database.sha256:
        raise BackupDamaged(file=str(copy))
    reporter.step(translate(N_("Restoring the database into {database}…"), database=dumps.database_name(settings)))
    await dumps.restore_database(settings, copy, summary.database.engine, replace=force)
    damaged: list[Problem] = []
    if summary.photos.copied:
        reporter.step(translate(N_("Copying the photos back into {store}…"), store=settings.storage_url))
        damaged = await manifest.put_back(
            store_from_url(settings.storage_url), folder / PHOTOS, entries, reporter.progress(translate(N_("photos")))
        )
    found = await check_against(summary, entries, reporter)
    return msgspec.structs.replace(found, photos=sorted({*damaged, *found.photos}, key=lambda p: (p.key, p.fault)))


async def _refuse_unfit_target(settings: Settings, summary: Summary, *, force: bool) -> None:
    configured = dumps.engine_of(settings)
    if configured is not summary.database.engine:
        raise EngineMismatch(backup=summary.database.engine.value, configured=configured.value)
    if not force and not await dumps.is_empty(settings):
        raise TargetNotEmpty(database=dumps.database_name(settings))


async def check_against(summary: Summary, entries: list[Entry], reporter: Reporter) -> Verification:
    """The configured database's rows per table and the store's objects against a backup."""
    settings = get_settings()
    reporter.step(translate(N_("Counting the rows of every table…")))
    counts = await dumps.row_counts(settings)
    expected = summary.database.tables
    tables = [
        TableMismatch(name, expected.get(name), counts.get(name))
        for name in sorted(expected.keys() | counts.keys())
        if expected.get(name) != counts.get(name)
    ]
    reporter.step(translate(N_("Checking every photo object's SHA-256…")))
    photos = await manifest.verify_store(
        store_from_url(settings.storage_url), entries, reporter.progress(translate(N_("photos")))
    )
    return Verification(tables_checked=len(expected), tables=tables, objects_checked=len(entries), photos=photos)


async def verify_backup(folder: Path, reporter: Reporter) -> Verification:
    """Is the backup folder itself whole: its database copy's SHA-256, and its photo copies
    (when it has them) against the manifest."""
    summary, entries = read_backup(folder)
    copy = folder / summary.database.file
    reporter.step(translate(N_("Checking the backup's database copy…")))
    whole = copy.exists() and await asyncio.to_thread(dumps.file_sha256, copy) == summary.database.sha256
    photos: list[Problem] = []
    if summary.photos.copied:
        reporter.step(translate(N_("Checking the backup's copies of the photos…")))
        photos = await manifest.verify_copies(folder / PHOTOS, entries, reporter.progress(translate(N_("photos"))))
    return Verification(
        tables_checked=0,
        tables=[],
        objects_checked=len(entries) if summary.photos.copied else 0,
        photos=photos,
        of_backup=True,
        damaged_copy=None if whole else str(copy),
    )


def migration_note(summary: Summary) -> str | None:
    """A word for the operator when the backup's schema is not this release's head."""
    head = summary.database.migration_head
    ours = max(known_migrations(), default=None)
    if head is None or head == ours:
        return None
    if head not in known_migrations():
        return translate(N_("The backup was migrated by a newer release ({head}): run that release."), head=head)
    return translate(N_("The backup's schema is older ({head}): run `cunjiang migrate` before serving."), head=head)


def describe(verification: Verification) -> list[str]:
    """The verification in words, one line each: every mismatch, then the verdict."""
    lines = [
        translate(N_("table {table}: {expected} rows in the backup, {found} here"), **_counted(mismatch))
        for mismatch in verification.tables
    ]
    words = {
        manifest.Fault.MISSING: N_("missing"),
        manifest.Fault.CHANGED: N_("changed (another SHA-256)"),
        manifest.Fault.DAMAGED_COPY: N_("the backup's copy is damaged"),
    }
    lines += [
        translate(N_("photo {key}: {fault}"), key=problem.key, fault=translate(words[problem.fault]))
        for problem in verification.photos
    ]
    if verification.damaged_copy is not None:
        lines.insert(
            0, translate(N_("database copy {file}: damaged (another SHA-256)"), file=verification.damaged_copy)
        )
    if verification.of_backup:
        verdict = translate(
            N_("Checked the database copy and {objects} photo copies; problems found: {problems}."),
            objects=verification.objects_checked,
            problems=verification.problems,
        )
    else:
        verdict = translate(
            N_("Checked {tables} tables and {objects} photo objects; problems found: {problems}."),
            tables=verification.tables_checked,
            objects=verification.objects_checked,
            problems=verification.problems,
        )
    return [*lines, verdict]


def _counted(mismatch: TableMismatch) -> dict[str, str]:
    absent = translate(N_("no table"))
    return {
        "table": mismatch.table,
        "expected": absent if mismatch.expected is None else str(mismatch.expected),
        "found": absent if mismatch.found is None else str(mismatch.found),
    }
