"""A year of a regional alliance in one PostgreSQL database, loaded with COPY from a fixed seed.

Run as ``python -m bench.scale_seed --database postgresql://…/db [--artisans 100000]
[--brands 70] [--villages 2000] [--seed 7] [--tokens FILE]`` on a migrated, empty database
(``cunjiang migrate``), with ``CUNJIANG_STORAGE_URL`` (and the AWS settings for ``s3://``)
pointing at the photo store the servers will use. The backend is imported for its message
templates, photo processing and store, so this runs in its own process like bench/seed.py.

What it makes: brands in alliances of ten, each with its crafts, its villages (a village
leader each), a coordinator and an admin; artisans spread over the villages, a quarter of
them SMS-only and one in twenty working for a second brand of her alliance; three orders a
week per brand for a year, each offered to enough artisans of the craft to cover it half as
much again, and every offer taken along the state machine as far as its age allows —
declined, expired, accepted, submitted (some sent back for rework first), approved, paid,
confirmed or disputed — with the audit trail, the SMS of SMS-only artisans (offers, payouts,
rework, the answers) and their replies in the inbox. Quantities add up as the invariants
demand: an order's accepted pieces are its jobs' and never more than it needs. The last days'
offers are still open. ``--tokens`` writes, as JSON, a bearer token for every app artisan (with
the open offers the load test can accept, her first membership and its brand) and for the
first brand's staff and village leaders, for bench/scale_load.py and bench/round_trips.py.

Rows are made brand by brand and copied with asyncpg's binary COPY, so memory stays flat and
progress shows. Ids are allotted here (the database is empty), and the sequences moved past
them at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import hmac
import json
import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg

from backend.demo import demo_photo
from backend.messages.templates import render
from backend.photos.processing import process_upload
from backend.photos.service import photo_store
from backend.photos.storage import photo_key

CHINA = dt.timezone(dt.timedelta(hours=8))
PHONE_BASE = 13_600_000_000
CRAFTS = {
    "embroidery": {"zh_Hans": "刺绣", "en": "Embroidery"},
    "batik": {"zh_Hans": "蜡染", "en": "Batik"},
    "weaving": {"zh_Hans": "织锦", "en": "Weaving"},
    "silverwork": {"zh_Hans": "银饰", "en": "Silverwork"},
}
PRODUCTS = {
    "embroidery": ["苗绣围巾", "蝴蝶纹靠垫", "绣花钱包", "百鸟衣片"],
    "batik": ["蜡染靠垫套", "蜡染桌旗", "蓝白方巾", "蜡染布包"],
    "weaving": ["侗锦腰带", "织锦挎包", "手织围巾", "织锦杯垫"],
    "silverwork": ["银手镯", "银项圈", "银耳坠", "银发簪"],
}
COUNTIES = [
    ("雷山县", "贵州省"), ("台江县", "贵州省"), ("丹寨县", "贵州省"), ("黎平县", "贵州省"),
    ("从江县", "贵州省"), ("榕江县", "贵州省"), ("剑河县", "贵州省"), ("安顺市", "贵州省"),
    ("大理市", "云南省"), ("鹤庆县", "云南省"), ("文山市", "云南省"), ("屏边县", "云南省"),
]  # fmt: skip
SYLLABLES = "控拜西江郎德南花乌东岜沙堂安肇兴占里加榜大利新寨石桥银潭摆贝"
SURNAMES = "吴杨龙张潘王李石陈欧"
GIVEN = "秀英兰花芳梅春妹玉珍桂香金凤翠萍"
METHODS = ["wechat", "alipay", "cash", "bank"]
OFFER_DAYS = 3  # the brands' offer window, in days (72 hours)
ORDERS_PER_YEAR = 156  # for a brand of 1,430 artisans: three a week, and more for a bigger brand
TYPICAL_BRAND = 1_430
PHOTO_POOL = 48  # distinct pictures; an artisan's n-th submission shows the n-th


@dataclass
class Ids:
    """The next id of each table: the database is empty, so this process allots them."""

    next: dict[str, int] = field(default_factory=lambda: defaultdict(lambda: 1))

    def __call__(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


@dataclass
class Person:
    id: int
    phone: str
    sms_only: bool
    jobs: int = 0  # her job codes K1, K2… run across her brands
    photos: int = 0


@dataclass
class Member:
    id: int
    person: Person
    village: int
    crafts: list[str]


@dataclass
class Rows:
    """One brand's rows, table by table, in COPY column order."""

    tables: dict[str, list[tuple[Any, ...]]] = field(default_factory=lambda: defaultdict(list))

    def add(self, table: str, *values: Any) -> None:
        self.tables[table].append(values)


@dataclass
class JobRun:
    """One job being taken along the state machine: where its rows and audit events go."""

    rows: Rows
    brand: int
    id: int
    coordinator: int
    member: Member
    code: str
    price: int
    quantity: int = 0  # accepted
    events: list[tuple[str, str, str, int | None, str, dt.datetime]] = field(default_factory=list)

    def event(self, action: str, before: str, after: str, actor: int | None, via: str, when: dt.datetime) -> None:
        self.events.append((action, before, after, actor, via, when))


COLUMNS = {
    "alliance": ("id", "slug", "name", "region", "created_at"),
    "brand": ("id", "slug", "name", "short_name", "offer_window_hours", "created_at"),
    "alliance_brand": ("id", "alliance", "brand", "status", "created_at", "joined_at"),
    "craft": ("id", "brand", "code", "names", "active", "created_at"),
    "village": ("id", "brand", "name", "county", "province", "created_at", "active"),
    "person": ("id", "phone", "locale", "sms_only", "job_seq", "last_seen_at", "created_at"),
    "member": ("id", "brand", "role", "name", "village", "crafts", "active", "created_at", "person"),
    "invitation": (
        "id", "brand", "person", "invited_by", "name", "village", "crafts", "status", "created_at", "answered_at",
        "answered_via",
    ),
    "device_token": ("id", "person", "token_hash", "created_at", "last_used_at"),
    "photo": ("id", "brand", "owner", "content_hash", "width", "height", "created_at"),
    "production_order": (
        "id", "brand", "title", "description", "craft", "quantity", "unit_price_fen", "due_date",
        "quality_notes", "status", "quantity_accepted", "created_by", "created_at", "photo_ids",
    ),
    "job": (
        "id", "order", "brand", "artisan", "code", "status", "quantity_offered", "quantity_accepted",
        "quantity_submitted", "quantity_approved", "expires_at", "change_seq", "created_at", "updated_at",
    ),
    "submission": (
        "id", "job", "brand", "quantity", "photo_ids", "note", "status", "submitted_by", "channel",
        "review_reason", "reviewed_by", "reviewed_at", "created_at",
    ),
    "payout": (
        "id", "job", "brand", "artisan", "amount_fen", "method", "reference", "status", "recorded_by",
        "dispute_reason", "created_at", "confirmed_at", "confirmed_via",
    ),
    "audit_event": (
        "id", "brand", "entity", "entity_id", "action", "from_status", "to_status", "actor", "channel",
        "detail", "created_at",
    ),
    "outbox_message": (
        "id", "brand", "member", "to_phone", "body", "kind", "status", "attempts", "next_attempt_at",
        "provider_sid", "created_at", "sent_at", "variables", "locale", "segments", "answers",
    ),
    "sms_inbox": (
        "id", "provider", "provider_id", "from_phone", "to_phone", "body", "received_at", "processed_at",
        "outcome", "brand",
    ),
}  # fmt: skip
ORDER = list(COLUMNS)  # parents before children


@dataclass
class Photos:
    """A pool of real pictures, processed and stored once; rows point at them by hash."""

    hashes: list[tuple[str, int, int]] = field(default_factory=list)

    async def store(self) -> None:
        for hue in range(PHOTO_POOL):
            processed = await asyncio.to_thread(process_upload, demo_photo(hue * 360 // PHOTO_POOL))
            for size, blob in processed.sizes.items():
                await photo_store().put(photo_key(processed.content_hash, size), blob, "image/jpeg")
            webp = photo_key(processed.content_hash, "list", "webp")
            await photo_store().put(webp, processed.list_webp, "image/webp")
            self.hashes.append((processed.content_hash, processed.width, processed.height))


class World:
    """The generator: a fixed seed, a fixed 'now', and the rows it implies."""

    def __init__(self, args: argparse.Namespace, photos: Photos) -> None:
        self.args = args
        self.random = random.Random(args.seed)
        self.now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        self.start = self.now - dt.timedelta(days=365)
        self.ids = Ids()
        self.photos = photos
        self.change_seq = 1_000  # below any live transaction id: settled for the feed
        self.tokens: dict[str, Any] = {"staff": [], "leaders": []}
        # app artisan → her token, the open offers the load test can accept, her first membership and its brand
        self.app: dict[int, tuple[str, list[int], int, int]] = {}
        self.secret = f"scale-{args.seed}".encode()
        self.people: dict[int, list[Member]] = {}  # brand → its artisans
        self.second: dict[int, list[Person]] = defaultdict(list)  # brand → people joining from a sister brand

    # -- people ------------------------------------------------------------------------------

    def token(self, person: Person, rows: Rows, when: dt.datetime) -> str:
        token = hmac.new(self.secret, str(person.id).encode(), hashlib.sha256).hexdigest()
        digest = hashlib.sha256(token.encode()).hexdigest()
        rows.add("device_token", self.ids("device_token"), person.id, digest, when, self.now)
        return token

    def person(self, rows: Rows, *, sms_only: bool, when: dt.datetime) -> Person:
        person_id = self.ids("person")
        person = Person(person_id, f"+86{PHONE_BASE + person_id}", sms_only)
        seen = None if sms_only else self.now - dt.timedelta(hours=self.random.randint(1, 200))
        rows.add("person", person.id, person.phone, "zh_Hans", sms_only, 0, seen, when)
        return person

    def name(self) -> str:
        return self.random.choice(SURNAMES) + "".join(self.random.choices(GIVEN, k=self.random.randint(1, 2)))

    def member(self, rows: Rows, brand: int, person: Person, role: str, *, village: int | None = None,
               crafts: list[str] | None = None, when: dt.datetime) -> Member:  # fmt: skip
        member = Member(self.ids("member"), person, village or 0, crafts or [])
        row = (member.id, brand, role, self.name(), village, ",".join(member.crafts), True, when, person.id)
        rows.add("member", *row)
        detail = {"crafts": member.crafts, "phone": person.phone[:6] + "****" + person.phone[-4:], "role": role}
        self.audit(
            rows, brand, "member", member.id, "create", "", "", None, "system", detail | {"village": village}, when
        )
        return member

    def audit(self, rows: Rows, brand: int, entity: str, entity_id: int, action: str, before: str, after: str,
              actor: int | None, channel: str, detail: dict[str, Any], when: dt.datetime) -> None:  # fmt: skip
        rows.add("audit_event", self.ids("audit_event"), brand, entity, entity_id, action, before, after, actor,
                 channel, json.dumps(detail, ensure_ascii=False), when)  # fmt: skip

    # -- a brand -----------------------------------------------------------------------------

    def brand(self, n: int, artisans: int, villages: int) -> Rows:
        rows, rnd = Rows(), self.random
        brand = self.ids("brand")
        founded = self.start - dt.timedelta(days=30)
        alliance = (n // 10) + 1
        if n % 10 == 0:
            region = COUNTIES[(alliance - 1) % len(COUNTIES)]
            rows.add("alliance", alliance, f"alliance-{alliance}", f"{region[0]}手艺联盟", region[1], founded)
        rows.add("alliance_brand", self.ids("alliance_brand"), alliance, brand, "joined", founded, founded)
        short = f"村匠{n + 1}"
        rows.add("brand", brand, f"brand-{n + 1:02d}", f"{short}手作", short, 24 * OFFER_DAYS, founded)
        for code, names in CRAFTS.items():
            rows.add("craft", self.ids("craft"), brand, code, json.dumps(names, ensure_ascii=False), True, founded)
        admin = self.member(rows, brand, self.person(rows, sms_only=False, when=founded), "admin", when=founded)
        coordinator = self.member(
            rows, brand, self.person(rows, sms_only=False, when=founded), "coordinator", when=founded
        )
        if n == 0:
            self.tokens["staff"].append(self.token(coordinator.person, rows, founded))
            self.tokens["staff"].append(self.token(admin.person, rows, founded))
            self.tokens["brand"] = brand
        if n == 1:  # a brand of the usual size, beside the big first one
            self.tokens["typical"] = {"brand": brand, "staff": self.token(coordinator.person, rows, founded)}
        village_ids = self.villages(rows, brand, villages, founded, keep_tokens=n == 0)
        members = []
        for _ in range(artisans):
            joined = founded + dt.timedelta(days=rnd.randint(0, 200))
            person = self.person(rows, sms_only=rnd.random() < 0.25, when=joined)
            crafts = rnd.sample(list(CRAFTS), rnd.choice((1, 1, 1, 2)))
            member = self.member(
                rows, brand, person, "artisan", village=rnd.choice(village_ids), crafts=crafts, when=joined
            )
            members.append(member)
            if not person.sms_only:
                self.app[person.id] = (self.token(person, rows, joined), [], member.id, brand)
            if rnd.random() < 0.05 and (n + 1) % 10 and n + 1 < self.args.brands:
                self.second[brand + 1].append(person)
        for person in self.second.pop(brand, []):  # invited by a sister brand, and she agreed
            crafts = rnd.sample(list(CRAFTS), 1)
            village = rnd.choice(village_ids)
            agreed = founded + dt.timedelta(days=rnd.randint(1, 30))
            rows.add("invitation", self.ids("invitation"), brand, person.id, coordinator.id, self.name(), village,
                     ",".join(crafts), "accepted", founded, agreed, "app")  # fmt: skip
            members.append(self.member(rows, brand, person, "artisan", village=village, crafts=crafts, when=agreed))
        self.people[brand] = members
        self.orders(rows, brand, coordinator.id, members)
        return rows

    def villages(self, rows: Rows, brand: int, count: int, founded: dt.datetime, *, keep_tokens: bool) -> list[int]:
        """The brand's villages, each with its leader; their ids."""
        village_ids = []
        for _ in range(count):
            village = self.ids("village")
            county, province = self.random.choice(COUNTIES)
            name = "".join(self.random.sample(SYLLABLES, 2)) + "村"
            rows.add("village", village, brand, name, county, province, founded, True)
            village_ids.append(village)
            person = self.person(rows, sms_only=False, when=founded)
            leader = self.member(rows, brand, person, "leader", village=village, when=founded)
            if keep_tokens:
                self.tokens["leaders"].append(self.token(leader.person, rows, founded))
        return village_ids

    # -- a year of orders --------------------------------------------------------------------

    def orders(self, rows: Rows, brand: int, coordinator: int, members: list[Member]) -> None:
        by_craft: dict[str, list[Member]] = defaultdict(list)
        for member in members:
            for craft in member.crafts:
                by_craft[craft].append(member)
        count = max(1, round(ORDERS_PER_YEAR * len(members) / TYPICAL_BRAND))
        for n in range(count):  # spread over the year, the last of them still being answered
            created = self.start + dt.timedelta(days=365 * (n + self.random.random()) / count)
            craft = self.random.choice(list(CRAFTS))
            if by_craft[craft]:
                self.order(rows, brand, coordinator, craft, by_craft[craft], created)

    def order(self, rows: Rows, brand: int, coordinator: int, craft: str, makers: list[Member],
              created: dt.datetime) -> None:  # fmt: skip
        rnd = self.random
        order = self.ids("production_order")
        quantity = rnd.randrange(200, 1001, 10)
        price = rnd.randrange(1500, 12001, 100)
        due = (created + dt.timedelta(days=30)).astimezone(CHINA).date()
        title = rnd.choice(PRODUCTS[craft])
        offers: list[int] = []  # half as many pieces again as the order needs: first to accept gets the work
        while sum(offers) < quantity * 3 // 2 and len(offers) < len(makers):
            offers.append(rnd.randint(5, 20))
        chosen = rnd.sample(makers, len(offers))
        cancelled = rnd.random() < 0.02
        self.audit(rows, brand, "order", order, "create", "", "open", coordinator, "console",
                   {"quantity": quantity, "unit_price_fen": price}, created)  # fmt: skip
        accepted_total, still_open = 0, []
        for member, offered in zip(chosen, offers, strict=True):
            remaining = quantity - accepted_total
            job, status, accepted = self.job(rows, brand, order, coordinator, member, offered, remaining, price,
                                             title, due, created, cancelled)  # fmt: skip
            accepted_total += accepted
            if status == "offered":
                still_open.append((job, member.person, offered))
        spare = quantity - accepted_total
        for job, person, offered in still_open:  # offers the load test can accept, all of them together
            if person.id in self.app and offered <= spare:
                spare -= offered
                self.app[person.id][1].append(job)
        rows.add("production_order", order, brand, f"{title} 第{order}批", "", craft, quantity, price, due, "",
                 "cancelled" if cancelled else "open", accepted_total, coordinator, created, "[]")  # fmt: skip

    def job(self, rows: Rows, brand: int, order: int, coordinator: int, member: Member, offered: int,
            remaining: int, price: int, title: str, due: dt.date, created: dt.datetime, cancelled: bool,
            ) -> tuple[int, str, int]:  # fmt: skip
        """One offer and its fate: its id, its status and the pieces it accepted."""
        rnd, person = self.random, member.person
        person.jobs += 1
        job = JobRun(rows, brand, self.ids("job"), coordinator, member, f"K{person.jobs}", price)
        offered_at = created + dt.timedelta(minutes=rnd.randint(5, 120))
        expires = offered_at + dt.timedelta(days=OFFER_DAYS)
        job.event("offer", "", "offered", coordinator, "console", offered_at)
        channel = "sms" if person.sms_only else "app"
        if person.sms_only:
            self.sms(rows, brand, member, "offer", offered_at, code=job.code, quantity=offered, title=title,
                     price=price, due=due)  # fmt: skip
        answered = offered_at + dt.timedelta(hours=rnd.uniform(0.2, 30))
        roll = rnd.random()
        status = "offered"
        if cancelled:  # the order was cancelled: what was not answered was withdrawn
            status = "withdrawn"
            job.event("withdraw", "offered", status, coordinator, "console", offered_at + dt.timedelta(days=1))
        elif expires > self.now and (roll < 0.5 or answered > self.now):
            pass  # still open
        elif roll < 0.15:
            status = "declined"
            job.event("decline", "offered", status, member.id, channel, answered)
            if person.sms_only:
                self.reply(rows, brand, member, "2", answered, "declined " + job.code)
        elif roll < 0.25 or remaining <= 0:  # no answer, or too late: the order was full
            status = "expired"
            job.event("expire", "offered", status, None, "system", expires)
        else:
            job.quantity = min(offered, remaining)
            job.event("accept", "offered", "accepted", member.id, channel, answered)
            if person.sms_only:
                self.reply(rows, brand, member, "1", answered, "accepted " + job.code)
            status = self.work(job, answered)
        submitted = job.quantity if status not in ("offered", "accepted") else 0
        approved = job.quantity if status in ("approved", "paid", "confirmed", "disputed") else 0
        for action, before, after, actor, via, when in job.events:
            self.audit(rows, brand, "job", job.id, action, before, after, actor, via, {}, when)
        self.change_seq += 1
        rows.add("job", job.id, order, brand, member.id, job.code, status, offered, job.quantity, submitted, approved,
                 expires, self.change_seq, offered_at, job.events[-1][5])  # fmt: skip
        return job.id, status, job.quantity

    def work(self, job: JobRun, accepted_at: dt.datetime) -> str:
        """From accepted on, as far as the days since allow; the job's status."""
        rnd, member = self.random, job.member
        channel = "on-behalf" if member.person.sms_only else "app"
        submitted_at = accepted_at + dt.timedelta(days=rnd.uniform(4, 14))
        if submitted_at > self.now:
            return "accepted"
        if rnd.random() < 0.08:  # sent back once
            reviewed = submitted_at + dt.timedelta(hours=rnd.uniform(2, 48))
            if reviewed < self.now:
                self.submission(job, "rework", submitted_at, reviewed)
                job.event("submit", "accepted", "submitted", member.id, channel, submitted_at)
                job.event("rework", "submitted", "accepted", job.coordinator, "console", reviewed)
                if member.person.sms_only:
                    self.sms(job.rows, job.brand, member, "rework", reviewed, code=job.code, reason="边缘线头太多")
                submitted_at = reviewed + dt.timedelta(days=rnd.uniform(1, 5))
                if submitted_at > self.now:
                    return "accepted"
        reviewed = submitted_at + dt.timedelta(hours=rnd.uniform(2, 72))
        done = reviewed < self.now
        self.submission(job, "approved" if done else "submitted", submitted_at, reviewed if done else None)
        job.event("submit", "accepted", "submitted", member.id, channel, submitted_at)
        if not done:
            return "submitted"
        job.event("approve", "submitted", "approved", job.coordinator, "console", reviewed)
        paid_at = reviewed + dt.timedelta(days=rnd.uniform(1, 10))
        return "approved" if paid_at > self.now else self.pay(job, paid_at)

    def pay(self, job: JobRun, paid_at: dt.datetime) -> str:
        """A payout, and her answer if the days since allow one; the job's status."""
        rnd, member, sms_only = self.random, job.member, job.member.person.sms_only
        amount = job.quantity * job.price
        answered = paid_at + dt.timedelta(hours=rnd.uniform(1, 72))
        roll = rnd.random()
        status = "paid" if answered > self.now or roll < 0.09 else "disputed" if roll < 0.10 else "confirmed"
        via = "sms" if sms_only else "app"
        payout = self.ids("payout")
        confirmed = status == "confirmed"
        job.rows.add("payout", payout, job.id, job.brand, member.id, amount, rnd.choice(METHODS), f"WX{payout:010d}",
                     status, job.coordinator, "没收到" if status == "disputed" else "", paid_at,
                     answered if confirmed else None, via if confirmed else "")  # fmt: skip
        job.event("pay", "approved", "paid", job.coordinator, "console", paid_at)
        if sms_only:
            self.sms(job.rows, job.brand, member, "payout_sent", paid_at, code=job.code, amount=amount)
        if status != "paid":
            job.event("confirm" if confirmed else "dispute", "paid", status, member.id, via, answered)
            if sms_only:
                self.reply(job.rows, job.brand, member, "1" if confirmed else "2", answered, f"{status} {job.code}")
        return status

    def submission(self, job: JobRun, status: str, created: dt.datetime, reviewed: dt.datetime | None) -> None:
        person = job.member.person
        content_hash, width, height = self.photos.hashes[person.photos % len(self.photos.hashes)]
        person.photos += 1
        photo = self.ids("photo")
        job.rows.add("photo", photo, job.brand, job.member.id, content_hash, width, height, created)
        reason = "边缘线头太多" if status == "rework" else ""
        channel = "on-behalf" if person.sms_only else "app"
        reviewer = job.coordinator if reviewed else None
        job.rows.add("submission", self.ids("submission"), job.id, job.brand, job.quantity, f"[{photo}]", "", status,
                     job.member.id, channel, reason, reviewer, reviewed, created)  # fmt: skip

    # -- SMS ---------------------------------------------------------------------------------

    def sms(self, rows: Rows, brand: int, member: Member, key: str, when: dt.datetime, **values: Any) -> None:
        rendered = render(key, "zh_Hans", **values)
        sent = when + dt.timedelta(seconds=self.random.uniform(1, 30))
        message = self.ids("outbox_message")
        rows.add("outbox_message", message, brand, member.id, member.person.phone, rendered.body, key, "delivered",
                 1, when, f"SM{message:032x}", when, sent, json.dumps(rendered.variables, ensure_ascii=False),
                 "zh_Hans", 1, False)  # fmt: skip

    def reply(self, rows: Rows, brand: int, member: Member, body: str, when: dt.datetime, outcome: str) -> None:
        inbox = self.ids("sms_inbox")
        rows.add("sms_inbox", inbox, "twilio", f"SMin{inbox:030x}", member.person.phone, "+8610690000",
                 body, when, when + dt.timedelta(seconds=1), outcome, brand)  # fmt: skip


async def copy(connection: asyncpg.Connection, rows: Rows) -> int:
    total = 0
    async with connection.transaction():
        for table in ORDER:
            records = rows.tables.get(table)
            if records:
                await connection.copy_records_to_table(table, records=records, columns=list(COLUMNS[table]))
                total += len(records)
    return total


async def finish(connection: asyncpg.Connection, world: World) -> None:
    """Sequences past the ids allotted here, each person's job counter, fresh statistics."""
    for table, following in world.ids.next.items():
        await connection.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {following})")
    await connection.execute(
        "UPDATE person p SET job_seq = j.n FROM (SELECT m.person, count(*) AS n FROM job JOIN member m "
        "ON m.id = job.artisan GROUP BY m.person) j WHERE j.person = p.id"
    )
    await connection.execute("ANALYZE")


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    connection = await asyncpg.connect(args.database)
    try:
        if await connection.fetchval("SELECT count(*) FROM brand"):
            raise SystemExit("the database already holds brands: seed a fresh, migrated one")
        began = time.perf_counter()
        photos = Photos()
        await photos.store()
        world = World(args, photos)
        big = min(args.big_brand, args.artisans)  # the first brand: big enough to dispatch to 10,000
        per_brand, rest = divmod(args.artisans - big, max(1, args.brands - 1))
        villages, spare = divmod(args.villages, args.brands)
        copied = 0
        for n in range(args.brands):
            artisans = big if n == 0 else per_brand + (n - 1 < rest)
            rows = world.brand(n, artisans, villages + (n < spare))
            copied += await copy(connection, rows)
            elapsed = time.perf_counter() - began
            print(f"brand {n + 1}/{args.brands}: {copied:,} rows in {elapsed:.0f} s", file=sys.stderr, flush=True)
        await finish(connection, world)
        counts = {
            table: await connection.fetchval(f'SELECT count(*) FROM "{table}"')  # noqa: S608
            for table in ORDER
        }
        seconds = round(time.perf_counter() - began, 1)
    finally:
        await connection.close()
    tokens = world.tokens | {"artisans": [list(app) for app in world.app.values()]}
    return {"seconds": seconds, "rows": sum(counts.values()), "tables": counts, "tokens": tokens}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True, help="postgresql://… of a migrated, empty database")
    parser.add_argument("--artisans", type=int, default=100_000)
    parser.add_argument("--brands", type=int, default=70)
    parser.add_argument("--big-brand", type=int, default=10_000, help="artisans of the first brand")
    parser.add_argument("--villages", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--tokens", help="write bearer tokens for the load test to this JSON file")
    args = parser.parse_args()
    result = asyncio.run(main_async(args))
    tokens = result.pop("tokens")
    if args.tokens:
        Path(args.tokens).write_text(json.dumps(tokens), encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
