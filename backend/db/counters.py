"""Monotonic counters: bumped inside write transactions, read cheaply to validate caches.

Reading a counter on every request would cost a query, so each process keeps the last
value it knows and learns of changes: on SQLite from ``PRAGMA data_version`` (it moves
whenever another connection or process commits), on PostgreSQL from ``NOTIFY`` messages
that a bump sends and the database delivers on commit. Without a live listener, or after
this process's own commit, the value is read from the table again.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import asyncpg

from backend.db.engine import direct_config
from backend.db.session import after_commit, fetch, is_sqlite, run, sqlite_reader

log = logging.getLogger("cunjiang.db")

JOB_CHANGES = "job_changes"
AUTH_CHANGES = "auth_changes"  # tokens revoked, people changed: cached sign-ins are stale
CHANNEL = "cunjiang_counters"
LISTENER_NAME = "cunjiang listener"  # its application_name in pg_stat_activity

BUMP = "UPDATE counter SET value = value + {} WHERE name = {} RETURNING value"
# One round trip: the notification reaches listeners when the transaction commits.
BUMP_AND_NOTIFY = """
WITH bumped AS (UPDATE counter SET value = value + {} WHERE name = {} RETURNING value)
SELECT value, pg_notify({}, {} || ':' || value::text) FROM bumped
"""

EVENT = "event"
_known: dict[str, int] = {}
_events: dict[str, int] = {}  # PostgreSQL: changes announced without a counter (see read_version)
_sqlite_seen: int | None = None
_listener: asyncpg.Connection | None = None
_wanted = False  # a listener was started and not stopped: a lost one is reconnected
_reconnecting: asyncio.Task[None] | None = None
RECONNECT_FIRST_S = 0.5
RECONNECT_MAX_S = 10.0
_probing = asyncio.Lock()  # one query at a time on the listener's connection


async def bump(name: str = JOB_CHANGES, by: int = 1) -> int:
    """Advance the counter by ``by`` and return its new value; call inside a write transaction.

    The counter row stays locked until the transaction commits, so values become visible
    in order: a client reading the job feed ``since=N`` never skips a change. Bump last,
    after every other row this transaction locks: a transaction holding the counter then
    waits for nobody, and two transactions can never wait for each other through it.
    """
    if is_sqlite():
        rows = await run(BUMP, by, name)
    else:
        rows = await run(BUMP_AND_NOTIFY, by, name, CHANNEL, name)
    forget_after_commit(name)
    return int(rows[0]["value"])


def forget_after_commit(name: str) -> None:
    """After this process's own commit of a bump: re-read rather than wait for the notification."""
    after_commit(lambda: _forget(name))


def _forget(name: str) -> None:
    """After this process's own commit: re-read rather than wait for the notification."""
    _known.pop(name, None)


def _learn(name: str, value: int) -> None:
    _known[name] = max(value, _known.get(name, value))


def _on_notify(_connection: Any, _pid: int, _channel: str, payload: str) -> None:
    name, _, value = payload.rpartition(":")
    if value == EVENT:
        _events[name] = _events.get(name, 0) + 1
    else:
        _learn(name, int(value))


def event_payload(name: str) -> str:
    """What a PostgreSQL transaction sends with ``pg_notify`` to say ``name`` happened."""
    return f"{name}:{EVENT}"


def count_event_after_commit(name: str) -> None:
    """This process's own event: counted once the transaction has committed."""
    after_commit(lambda: _events.__setitem__(name, _events.get(name, 0) + 1))


async def read_version(name: str) -> int | None:
    """A number that changes whenever ``name`` changes, for validating caches; None: do not cache.

    SQLite: the counter itself. PostgreSQL: the events this process has heard of, which
    needs the listener (without it, nothing can be cached safely).
    """
    if is_sqlite():
        return await read_counter(name)
    if _listener is None:
        return None
    return _events.setdefault(name, 0)  # named, so that a reconnection renews it


def _on_lost(_connection: Any) -> None:
    global _listener
    log.warning("counter listener lost; reading counters from the table until it is back")
    _listener = None
    _known.clear()
    _reconnect_soon()


def _reconnect_soon() -> None:
    """Listen again, in the background, for as long as this process wants a listener: a
    PostgreSQL restart or a failover must not leave it uncached (and unready) until restart."""
    global _reconnecting
    if _wanted and (_reconnecting is None or _reconnecting.done()):
        _reconnecting = asyncio.get_running_loop().create_task(_reconnect(), name="counter listener reconnect")


async def _reconnect() -> None:
    delay = RECONNECT_FIRST_S
    while _wanted and _listener is None:
        await asyncio.sleep(delay)
        try:
            await _listen()
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            delay = min(2 * delay, RECONNECT_MAX_S)
            log.warning("counter listener: reconnecting failed (%s), next try in %.1f s", type(error).__name__, delay)
        else:
            log.info("counter listener back")


async def start_listener() -> None:
    """Listen for counter changes (PostgreSQL); call once per process after the pool. From
    then on a lost listener is reconnected until ``stop_listener``."""
    global _wanted
    if is_sqlite() or _listener is not None:
        return
    _wanted = True
    await _listen()


async def _listen() -> None:
    global _listener
    # A LISTEN lives in one server session: the direct URL's, never PgBouncer's.
    config = direct_config()
    settings = {**config.get("server_settings", {}), "application_name": LISTENER_NAME}
    connection = await asyncpg.connect(**{**config, "server_settings": settings})
    await connection.add_listener(CHANNEL, _on_notify)
    connection.add_termination_listener(_on_lost)
    # What changed while nobody listened was never heard: every cache keyed by an event
    # count so far must miss once, and counters are read from the table again.
    for name in _events:
        _events[name] += 1
    _listener = connection
    _known.clear()


def needs_listener() -> bool:
    """Whether this process keeps a listener: PostgreSQL only (SQLite reads ``data_version``)."""
    return not is_sqlite()


async def is_listening(timeout_s: float) -> bool:
    """Whether the listener is up and its connection answers within ``timeout_s``.

    A connection cut without a word (a firewall, a half-open socket) would never tell its
    termination listener, and this process would cache on notifications that no longer
    come: so the connection is asked, and one that does not answer is given up for lost.
    """
    connection = _listener
    if connection is None:
        return False
    try:
        async with _probing:
            await connection.fetchval("SELECT 1", timeout=timeout_s)
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
        log.warning("counter listener does not answer (%s)", type(error).__name__)
        _give_up(connection)
        return False
    return _listener is connection


def _give_up(connection: asyncpg.Connection) -> None:
    """A listener that does not answer is lost: caches stop trusting it, as when it drops."""
    is_current = _listener is connection
    if is_current:
        connection.remove_termination_listener(_on_lost)
        connection.terminate()
        _on_lost(connection)


async def stop_listener() -> None:
    global _listener, _wanted
    _wanted = False
    if _reconnecting is not None and not _reconnecting.done():
        _reconnecting.cancel()
    connection, _listener = _listener, None
    if connection is not None:
        connection.remove_termination_listener(_on_lost)
        await connection.close()
    _known.clear()


async def read_counter(name: str = JOB_CHANGES) -> int:
    """The counter's committed value, usually without a query (see the module docstring)."""
    global _sqlite_seen
    if is_sqlite():
        reader = sqlite_reader()
        version = reader.execute("PRAGMA data_version").fetchone()[0]
        if version != _sqlite_seen:
            _known.clear()
            _sqlite_seen = version
        if name not in _known:
            row = reader.execute("SELECT value FROM counter WHERE name = ?", (name,)).fetchone()
            _known[name] = int(row[0])
        return _known[name]
    if _listener is not None and name in _known:
        return _known[name]
    rows = await fetch("SELECT value FROM counter WHERE name = {}", (name,))
    value = int(rows[0]["value"])
    if _listener is not None:
        _learn(name, value)
    return value
