"""Sign-in by one-time SMS code; device tokens stored hashed, resolved with a short cache."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time
from typing import Any

import msgspec

from backend import idempotency
from backend.accounts.tables import DeviceToken, Person
from backend.auth.tables import OtpCode
from backend.core.errors import InvalidCode, TooMany, Unauthorized
from backend.core.i18n import N_
from backend.core.phones import normalize_phone
from backend.core.settings import get_settings
from backend.core.types import Membership, Principal, as_datetime, utcnow
from backend.db.counters import AUTH_CHANGES, bump, read_counter
from backend.db.session import is_sqlite, lock_keys, run, write_transaction
from backend.messages.templates import render
from backend.outbox import enqueue

CODE_TTL = dt.timedelta(minutes=5)
MAX_TRIES = 5
PHONE_LIMIT = (5, dt.timedelta(minutes=15))  # codes per phone per window
# Villagers share carrier NAT addresses, so the per-address limit is generous.
ADDRESS_LIMIT = (100, dt.timedelta(minutes=10))  # codes per client address per window
CACHE_SECONDS = 600.0  # a backstop: changes invalidate entries through the auth_changes counter
SEEN_EVERY = dt.timedelta(hours=1)


_cache: dict[str, tuple[int, float, Principal]] = {}  # digest → (auth version, expiry, who)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def _check_limits(phone: str, address: str, now: dt.datetime) -> None:
    """Refuse past either limit. Each limit counts and then writes: the phone's and the
    address's locks make that one step, so parallel requests cannot all slip under it."""
    await lock_keys(f"otp:phone:{phone}", f"otp:address:{address}")
    for column, value, (limit, window) in (
        (OtpCode.phone, phone, PHONE_LIMIT),
        (OtpCode.requested_from, address, ADDRESS_LIMIT),
    ):
        if await OtpCode.count().where((column == value) & (OtpCode.created_at > now - window)) >= limit:
            raise TooMany()


async def request_code(raw_phone: str, address: str) -> None:
    """Send a 6-digit code to a known, active person; say nothing about unknown phones.

    Every request is recorded, known or not, so the rate limits give nothing away either.
    """
    phone = normalize_phone(raw_phone)
    now = utcnow()
    code = f"{secrets.randbelow(10**6):06d}"
    async with write_transaction():
        await _check_limits(phone, address, now)
        rows = await run(SIGNS_IN, True, phone)
        member = rows[0] if rows else None
        await OtpCode.insert(
            OtpCode(
                phone=phone,
                requested_from=address[:64],
                expires_at=now + CODE_TTL,
                code_hash=_digest(code) if member else "-",
            )
        )
        if member:
            message = render("otp", member["locale"], code=code)
            await enqueue(phone, message, brand_id=member["brand"], member_id=member["member"])


# One statement counts the try and uses the code when it matches: parallel guesses queue on
# the row, and each sees the tries before it, so no more than MAX_TRIES are ever compared.
TRY_CODE = """
UPDATE otp_code SET attempts = attempts + 1, used_at = CASE WHEN code_hash = {} THEN {moment} ELSE NULL END
WHERE id = (
  SELECT id FROM otp_code WHERE phone = {} AND used_at IS NULL AND expires_at > {} ORDER BY id DESC LIMIT 1
) AND used_at IS NULL AND attempts < {}
RETURNING used_at
"""


async def _consume_code(phone: str, code: str) -> bool:
    """Count the try, whatever its outcome, and mark the code used when it matches."""
    now = utcnow()
    async with write_transaction():
        # PostgreSQL types a parameter in a CASE as text unless told; SQLite keeps ISO text.
        sql = TRY_CODE.replace("{moment}", "{}" if is_sqlite() else "{}::timestamptz")
        rows = await run(sql, _digest(code.strip()), now, phone, now, MAX_TRIES)
    return bool(rows) and rows[0]["used_at"] is not None


async def issue_token(member_id: int) -> str:
    """A new device token for the person of a membership (seeding, tests, the operator)."""
    rows = await run("SELECT person FROM member WHERE id = {}", member_id)
    if not rows:
        raise Unauthorized()
    token, _token_id = await _new_token(rows[0]["person"])
    return token


async def _new_token(person_id: int) -> tuple[str, int]:
    token = secrets.token_urlsafe(32)
    async with write_transaction():
        rows = await DeviceToken.insert(DeviceToken(person=person_id, token_hash=_digest(token))).returning(
            DeviceToken.id
        )
    return token, int(rows[0]["id"])


class SignedIn(msgspec.Struct, frozen=True):
    token: str
    person_id: int
    replayed: bool = False


async def sign_in(raw_phone: str, code: str, once: idempotency.Key | None = None) -> SignedIn:
    """Exchange a phone and its code for a new device token.

    Exactly once per Idempotency-Key without keeping a token anyone could read: the key
    keeps only which token the sign-in made. A repeat (the answer was lost on the way)
    revokes that token and gets a new one, so one device holds one live token from one
    code, and the table holds nothing to steal."""
    phone = normalize_phone(raw_phone)
    if once is not None and (again := await _sign_in_again(once)) is not None:
        return again
    if not await _consume_code(phone, code):
        # A duplicate of this very request may have used the code a moment ago.
        if once is not None and (again := await _sign_in_again(once)) is not None:
            return again
        raise InvalidCode()
    rows = await run(SIGNS_IN, True, phone)
    if not rows:
        raise InvalidCode()
    person_id = rows[0]["id"]
    async with write_transaction():
        token, token_id = await _new_token(person_id)
        if once is not None:
            await idempotency.keep(once.scope, once.key, once.fingerprint, _note(person_id, token_id))
    return SignedIn(token, person_id)


def _note(person_id: int, token_id: int) -> bytes:
    return msgspec.json.encode({"person": person_id, "token": token_id})


async def _sign_in_again(once: idempotency.Key) -> SignedIn | None:
    """The repeat of a sign-in that succeeded: its token replaced by a new one; None if new."""
    async with write_transaction():
        kept = await idempotency.find(once.scope, once.key, once.fingerprint)
        if kept is None:
            return None
        note = msgspec.json.decode(kept.body, type=dict[str, int])
        await run(
            "UPDATE device_token SET revoked_at = {} WHERE id = {} AND revoked_at IS NULL", utcnow(), note["token"]
        )
        await bump(AUTH_CHANGES)
        if not await run(WORKS_WITH_A_BRAND, note["person"], True):
            raise InvalidCode()
        token, token_id = await _new_token(note["person"])
        await idempotency.replace(once.scope, once.key, _note(note["person"], token_id))
    return SignedIn(token, note["person"], replayed=True)


async def token_for_phone(raw_phone: str) -> str:
    """An operator's bearer token for a person (``cunjiang token``)."""
    phone = normalize_phone(raw_phone)
    person = await Person.select(Person.id).where(Person.phone == phone).first()
    if person is None:
        raise Unauthorized(N_("Nobody has this phone number."))
    token, _token_id = await _new_token(person["id"])
    return token


async def revoke_token(token: str) -> None:
    async with write_transaction():
        await DeviceToken.update({DeviceToken.revoked_at: utcnow()}).where(
            (DeviceToken.token_hash == _digest(token)) & DeviceToken.revoked_at.is_null()
        )
        await bump(AUTH_CHANGES)


# A token is alive while not revoked and used within the idle limit (never renewed: since
# made); a row per active membership of the person holding it.
OWNER_OF_DIGEST = """
SELECT p.id AS person, p.locale, p.last_seen_at, m.id, m.brand, m.role, m.village, t.id AS token_id,
  COALESCE(t.last_used_at, t.created_at) AS token_used_at
FROM device_token t JOIN person p ON p.id = t.person JOIN member m ON m.person = p.id AND m.active = {}
WHERE t.token_hash = {} AND t.revoked_at IS NULL AND COALESCE(t.last_used_at, t.created_at) > {}
ORDER BY m.id
"""
# A person signs in while she works with at least one brand (her first membership's, for the code).
SIGNS_IN = """
SELECT p.id, p.locale, m.id AS member, m.brand FROM person p JOIN member m ON m.person = p.id AND m.active = {}
WHERE p.phone = {} ORDER BY m.id LIMIT 1
"""
WORKS_WITH_A_BRAND = "SELECT 1 AS works FROM member WHERE person = {} AND active = {} LIMIT 1"


async def _token_owner(digest: str) -> list[dict[str, Any]]:
    """The memberships of the person holding a live token with this digest (none: nobody)."""
    idle_limit = utcnow() - dt.timedelta(days=get_settings().token_idle_days)
    return await run(OWNER_OF_DIGEST, True, digest, idle_limit)


async def resolve_token(token: str) -> Principal:
    """The person behind a live bearer token (not revoked, used within the idle limit).

    Cached so that reading the job list costs one query, not two. An entry holds while
    the ``auth_changes`` counter does: revoking a token or changing a person bumps it, so
    the change takes effect in every process as soon as it hears of it (SQLite: at once;
    PostgreSQL: by its NOTIFY, milliseconds later; see ``backend.db.counters``). An
    entry lives minutes, and a token renewed within the hour is days from its idle limit.
    """
    digest = _digest(token)
    version = await read_counter(AUTH_CHANGES)
    hit = _cache.get(digest)
    if hit and hit[0] == version and hit[1] > time.monotonic():
        return hit[2]
    rows = await _token_owner(digest)
    if not rows:
        _cache.pop(digest, None)
        raise Unauthorized()
    row = rows[0]
    memberships = [Membership.of_row(r) for r in rows]
    principal = Principal.of_person(row["person"], row["locale"], memberships)
    if len(_cache) > 50_000:
        _cache.clear()
    _cache[digest] = (version, time.monotonic() + CACHE_SECONDS, principal)
    await _touch(row)
    return principal


async def _touch(row: dict[str, Any]) -> None:
    """Renew the token silently while it is used, and note when its person was seen (at
    most once an hour each: a write per request would cost the job list its speed)."""
    now = utcnow()
    token_stale = as_datetime(row["token_used_at"]) < now - SEEN_EVERY
    last_seen = row["last_seen_at"]
    person_stale = last_seen is None or as_datetime(last_seen) < now - SEEN_EVERY
    if token_stale or person_stale:
        async with write_transaction():
            if token_stale:
                await run("UPDATE device_token SET last_used_at = {} WHERE id = {}", now, row["token_id"])
            if person_stale:
                await Person.update({Person.last_seen_at: now}).where(Person.id == row["person"])
