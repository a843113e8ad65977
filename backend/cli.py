"""The ``cunjiang`` command line."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from backend.core.errors import DomainError, explain
from backend.core.i18n import N_, current_locale, negotiate, translate
from backend.core.logs import redact_logs
from backend.core.types import Role


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cunjiang", description="Cunjiang (村匠): orders, jobs and payouts for artisans."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="migrate, then serve the API (and the worker in-process)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--demo", action="store_true", help="seed the demo brand once")
    serve.add_argument("--no-worker", action="store_true", help="leave the outbox to `cunjiang worker` processes")

    commands.add_parser("migrate", help="apply migrations to the configured database")
    worker = commands.add_parser("worker", help="run the outbox sender and offer expiry")
    worker.add_argument("--metrics-port", type=int, default=None, help="serve this worker's /metrics on this port")
    worker.add_argument("--metrics-host", default="127.0.0.1", help="the address /metrics listens on")

    probe = commands.add_parser("probe", help="health check of a process: exit 0 if it answers 200 (for containers)")
    probe.add_argument("url", help="e.g. http://127.0.0.1:8000/readyz, or a worker's /metrics")
    probe.add_argument(
        "--heartbeat-within",
        type=float,
        default=None,
        metavar="SECONDS",
        help="also require a worker round that recent",
    )

    brand = commands.add_parser("brand", help="brands").add_subparsers(dest="action", required=True)
    brand_add = brand.add_parser("add", help="create a brand")
    brand_add.add_argument("slug")
    brand_add.add_argument("name")

    user = commands.add_parser("user", help="people").add_subparsers(dest="action", required=True)
    user_add = user.add_parser("add", help="create a person, print its id")
    user_add.add_argument("--brand", required=True, help="brand slug")
    user_add.add_argument("--role", required=True, choices=[r.value for r in Role])
    user_add.add_argument("--phone", required=True)
    user_add.add_argument("--name", required=True)
    user_add.add_argument("--village", type=int, default=None, help="village id (artisans and leaders)")

    token = commands.add_parser("token", help="print a bearer token for a person")
    token.add_argument("phone")

    sms = commands.add_parser("sms", help="SMS messages").add_subparsers(dest="action", required=True)
    check = sms.add_parser("check", help="validate sms_flows/ and every SMS text in every language; exit 1 if wrong")
    check.add_argument("--flows", type=Path, help="check the flow files of this folder instead (a draft)")
    sms.add_parser("templates", help="print the SMS templates to register with a provider, as TOML")
    sms.add_parser(
        "dead-letters", help="print every item of the provider's pushes that could not be read, with the reason"
    )
    voice = commands.add_parser("voice", help="voice calls").add_subparsers(dest="action", required=True)
    templates = voice.add_parser(
        "templates", help="print the voice prompts to register with a provider as TTS templates, as TOML"
    )
    templates.add_argument(
        "--language", help="print instead the prompts to record in this language (hmn, doc…), which TTS cannot speak"
    )
    recordings = voice.add_parser("recordings", help="a brand's recorded prompts").add_subparsers(
        dest="recordings", required=True
    )
    load = recordings.add_parser("load", help="load the Aliyun voice file codes of a filled-in recording sheet")
    load.add_argument("file", type=Path, metavar="FILE", help="the sheet `voice templates --language` printed, filled")
    load.add_argument("--brand", required=True, help="brand slug")

    backup = commands.add_parser("backup", help="copy the database and a manifest of the photo store into DIR")
    backup.add_argument("folder", type=Path, metavar="DIR", help="a new or empty folder (with --verify: a backup)")
    backup.add_argument("--photos", action="store_true", help="copy the photo objects into DIR too")
    backup.add_argument("--verify", action="store_true", help="check that the backup in DIR is whole; take none")
    restore = commands.add_parser(
        "restore", help="restore DIR into the configured database (empty) and photo store, then verify them"
    )
    restore.add_argument("folder", type=Path, metavar="DIR", help="a folder written by `cunjiang backup`")
    restore.add_argument("--force", action="store_true", help="replace the database's contents if it is not empty")
    restore.add_argument(
        "--check-only", action="store_true", help="restore nothing: compare the database and store with DIR"
    )
    return parser


def _sms(action: str, folder: Path | None = None) -> int:
    from backend.messages.templates import registration_sheet
    from backend.sms.flows import check, flow_files

    if action == "templates":
        sys.stdout.write(registration_sheet())
        return 0
    problems = check(flow_files(folder) if folder else None)
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print("sms_flows: every flow and every message is valid, in every language", file=sys.stderr)
    return 1 if problems else 0


def _voice(action: str, language: str | None) -> int:
    from backend.core.i18n import available_locales, voice_tag
    from backend.messages.prompts import voice_sheet
    from backend.voice.sheet import recording_sheet

    if language is None:
        sys.stdout.write(voice_sheet())
        return 0
    tag = voice_tag(language)
    if tag is None or tag in available_locales():
        print(
            translate(N_("{language}: text-to-speech speaks it, or it is not a language tag."), language=language),
            file=sys.stderr,
        )
        return 1
    sys.stdout.write(recording_sheet(tag))
    return 0


async def _load_recordings(args: argparse.Namespace) -> None:
    from backend.accounts.service import brand_id_for_slug
    from backend.voice.recordings import load_codes
    from backend.voice.sheet import filled_codes

    codes = filled_codes(args.file)
    changed = await load_codes(await brand_id_for_slug(args.brand), codes)
    print(
        translate(
            N_("Aliyun voice file codes loaded: {count}, of which changed: {changed}."),
            count=len(codes),
            changed=changed,
        )
    )


async def _dead_letters() -> None:
    """One line per item set aside, oldest first: id, when, provider/kind, brand (``-``: none
    could be told), reason: detail, and the item as it came (control characters escaped)."""
    from backend.core.types import as_datetime
    from backend.sms.dead_letters import everything

    rows = await everything()
    for row in rows:
        raw = "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in row["item"])
        when = as_datetime(row["received_at"]).isoformat(timespec="seconds")
        print(
            f"{row['id']}\t{when}\t{row['provider']}/{row['kind']}\t{row['brand'] or '-'}\t"
            f"{row['reason']}: {row['detail']}\t{raw}"
        )
    print(translate(N_("Pushed items that could not be read: {count}."), count=len(rows)), file=sys.stderr)


async def _with_db(work: Callable[[], Awaitable[Any]], *, pool: bool = True) -> Any:
    from backend.db import session

    if pool:
        await session.start()
    try:
        return await work()
    finally:
        await session.stop()


async def _run(work: Callable[[], Awaitable[Any]], *, pool: bool = True, checked: bool = False) -> Any:
    """``work`` with the database open; ``checked``: after the start-up checks of the
    database configuration (``backend.db.preflight``), which exit 1 saying what is wrong."""
    if checked:
        from backend.core.settings import get_settings
        from backend.db.preflight import StartupRefused, preflight

        try:
            await preflight(get_settings())
        except StartupRefused as error:
            raise SystemExit(f"cunjiang: start-up refused: {error}") from None
    return await _with_db(work, pool=pool)


async def _migrate() -> None:
    """Migrate on direct connections of its own (``backend.db.migrating``): no pool needed."""
    from backend.db.session import migrate

    await migrate()


async def _brand_add(args: argparse.Namespace) -> None:
    from backend.accounts.service import create_brand

    print(await create_brand(args.slug, args.name))


async def _user_add(args: argparse.Namespace) -> None:
    from backend.accounts.service import add_member, brand_id_for_slug

    brand_id = await brand_id_for_slug(args.brand)
    member = await add_member(brand_id, role=Role(args.role), phone=args.phone, name=args.name, village_id=args.village)
    print(member.id)


async def _token(args: argparse.Namespace) -> None:
    from backend.auth.service import token_for_phone

    print(await token_for_phone(args.phone))


async def _worker(args: argparse.Namespace) -> None:
    from backend import worker
    from backend.gateways import registry as gateways

    problems = gateways.problems()
    if problems:
        raise SystemExit("The SMS gateway is not ready:\n" + "\n".join(problems))
    if args.metrics_port is not None:
        # Its sends, provider latency and last round, for Prometheus (a thread of its own).
        from prometheus_client import start_http_server

        start_http_server(args.metrics_port, addr=args.metrics_host)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)  # finish the round under way, then leave
    await worker.run_until(stop)


def _serve(args: argparse.Namespace) -> None:
    import uvicorn

    from backend.app import create_app

    asyncio.run(_run(_migrate, pool=False, checked=True))
    if args.demo:
        from backend.demo import demo_passport, seed_demo

        asyncio.run(_with_db(seed_demo))
        _print_demo_welcome(f"http://{args.host}:{args.port}", asyncio.run(_with_db(demo_passport)))
    app = create_app(run_worker=not args.no_worker)
    config = uvicorn.Config(app, host=args.host, port=args.port, log_level="info")  # configures uvicorn's logging
    redact_logs()  # so after it: its access log's handler gets the filter too
    uvicorn.Server(config).run()


def _probe(args: argparse.Namespace) -> int:
    from backend.ops.probe import Unhealthy, probe

    try:
        print(probe(args.url, heartbeat_within=args.heartbeat_within))
    except Unhealthy as why:
        print(f"cunjiang probe: {why}", file=sys.stderr)
        return 1
    return 0


class _Progress:
    """Where a long command is, on stderr: each step, and counts at most every few seconds."""

    EVERY_S = 2.0

    def step(self, text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    def progress(self, label: str) -> Callable[[int, int], None]:
        last = -self.EVERY_S

        def tell(done: int, of: int) -> None:
            nonlocal last
            now = time.monotonic()
            if of and (done == of or now - last >= self.EVERY_S):
                print(f"{label}: {done}/{of} ({100 * done // of}%)", file=sys.stderr, flush=True)
                last = now

        return tell


def _end_now(code: int) -> NoReturn:
    """End the process with ``code``, its output flushed, without the interpreter's shutdown:
    after the S3 client (obstore, a native runtime with threads of its own) has reported an
    object missing, that shutdown was seen to abort (SIGABRT) on a busy machine, turning a
    finished report's exit 1 into a crash. Everything is written and closed by then."""
    sys.stdout.flush()
    sys.stderr.flush()
    logging.shutdown()
    os._exit(code)


def _backup_or_restore(args: argparse.Namespace) -> int:
    """``cunjiang backup`` and ``cunjiang restore``: 0 done and verified, 1 a failure or a
    mismatch (each named), 2 refused (bad arguments, not a backup, a database not empty)."""
    from backend.ops import backup
    from backend.ops.dumps import DatabaseFailed, DatabaseUnreachable, ToolFailed
    from backend.photos.storage import StoreUnavailable

    clashing = {"backup": ("--photos", "--verify"), "restore": ("--force", "--check-only")}[args.command]
    if all(getattr(args, option.strip("-").replace("-", "_")) for option in clashing):
        print(
            translate(N_("cunjiang: {one} and {other} cannot be used together."), one=clashing[0], other=clashing[1]),
            file=sys.stderr,
        )
        return 2
    try:
        verification = asyncio.run(_backup_work(args, _Progress()))
    except (ToolFailed, DatabaseUnreachable, DatabaseFailed, StoreUnavailable) as error:
        print(f"cunjiang: {explain(error)}", file=sys.stderr)
        return 1
    except (OSError, ValueError) as error:  # a folder that cannot be written, a storage URL that is wrong
        print(f"cunjiang: {error}", file=sys.stderr)
        return 1
    if verification is None:
        return 0
    print("\n".join(backup.describe(verification)))
    return 0 if verification.is_ok else 1


async def _backup_work(args: argparse.Namespace, progress: _Progress) -> Any:
    from backend.ops import backup

    if args.command == "backup" and args.verify:
        return await backup.verify_backup(args.folder, progress)
    if args.command == "backup":
        summary = await backup.take_backup(args.folder, photos=args.photos, reporter=progress)
        print(_told_backup(args.folder, summary))
        return None
    if args.check_only:
        summary, entries = backup.read_backup(args.folder)
        return await backup.check_against(summary, entries, progress)
    verification = await backup.restore_backup(args.folder, force=args.force, reporter=progress)
    note = backup.migration_note(backup.read_backup(args.folder)[0])
    if note:
        print(note, file=sys.stderr)
    return verification


def _told_backup(folder: Path, summary: Any) -> str:
    database = summary.database
    return translate(
        N_(
            "Backup written to {folder} in {seconds} s: {engine} database {megabytes} MB ({tables} tables, "
            "{rows} rows, migration {head}); {objects} photo objects, {photo_megabytes} MB{copied}."
        ),
        folder=str(folder),
        seconds=f"{summary.seconds:.1f}",
        engine=database.engine.value,
        megabytes=f"{database.size / 1e6:.2f}",
        tables=len(database.tables),
        rows=sum(database.tables.values()),
        head=database.migration_head or "-",
        objects=summary.photos.objects,
        photo_megabytes=f"{summary.photos.bytes / 1e6:.2f}",
        copied=translate(N_(", copied")) if summary.photos.copied else "",
    )


def _print_demo_welcome(url: str, passport: str | None) -> None:
    from backend.demo import ADMIN_PHONE, ARTISAN_PHONE, COORDINATOR_PHONE, SMS_VILLAGER_PHONE

    lines = [
        translate(N_("Cunjiang demo is running at {url} (API documentation: {url}/api/docs)."), url=url),
        translate(
            N_("Sign in as the demo coordinator with {phone}, or as a demo artisan with {artisan}."),
            phone=COORDINATOR_PHONE,
            artisan=ARTISAN_PHONE,
        ),
        translate(
            N_("The coordinator's console is at {url}/console/; the brand's admin signs in there with {phone}."),
            url=url,
            phone=ADMIN_PHONE,
        ),
        translate(N_("Without Twilio credentials the one-time codes appear in this server log (lines 'SMS to …').")),
        translate(
            N_("Try the SMS loop at {url}/console/sms: type as the villager {phone}, who has an offer; 1 accepts it."),
            url=url,
            phone=SMS_VILLAGER_PHONE,
        ),
    ]
    if passport:
        shown = N_("A piece passport, as a buyer who scans its label sees it: {url}/p/{id}")
        lines.append(translate(shown, url=url, id=passport))
    print("\n".join(["", *lines, ""]), flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    current_locale.set(negotiate(os.environ.get("LANG", "").split(".")[0]) or "zh_Hans")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    redact_logs()  # JSON lines (or plain on a terminal), secrets and phones masked, in every command
    try:
        if args.command == "sms" and args.action != "dead-letters":
            return _sms(args.action, getattr(args, "flows", None))
        if args.command == "voice" and args.action == "templates":
            return _voice(args.action, args.language)
        if args.command == "serve":
            _serve(args)
            return 0
        if args.command == "probe":
            return _probe(args)
        if args.command in ("backup", "restore"):
            _end_now(_backup_or_restore(args))
        work: dict[str, Callable[[], Awaitable[Any]]] = {
            "migrate": _migrate,
            "worker": lambda: _worker(args),
            "brand": lambda: _brand_add(args),
            "user": lambda: _user_add(args),
            "token": lambda: _token(args),
            "sms": _dead_letters,
            "voice": lambda: _load_recordings(args),
        }
        checked = args.command in ("migrate", "worker")
        asyncio.run(_run(work[args.command], pool=args.command != "migrate", checked=checked))
    except DomainError as error:
        fields = getattr(error, "fields", {})
        detail = f" ({', '.join(f'{k}: {v}' for k, v in fields.items())})" if fields else ""
        print(f"cunjiang: {explain(error)}{detail}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
