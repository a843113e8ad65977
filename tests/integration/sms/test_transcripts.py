"""Golden conversations: what a villager sends, what comes back, what changed.

Each file in ``transcripts/`` holds the conversations of one flow. A conversation sets up
one SMS-only artisan with jobs in given states (codes K1, K2… in order), then plays its
turns through Twilio's signed webhook. After each turn the test compares the SMS queued
for the villager and the changes to their jobs, payouts, subscription, language, brands
and invitations with the transcript, and checks that every change was audited as made
through the SMS channel.

Conversation keys: ``jobs`` (``{state, quantity, brand}``), ``registered = false``,
``opted_out``, ``locale``, ``seen_in_app = true`` (she opened the app just now: no SMS-only
phone), and for several brands: ``brands`` (each brand of the conversation by its name, with
its short name or ""), ``her_brand`` (the one she works with from the start; else an unnamed
one) and ``member_of`` (others she already said yes to, in the app). The changes include
the calls queued for her (``K1 offer call: queued``) and what became of them.

Turn keys: ``send`` (the SMS; without it the turn is only what happens ``before``),
``before`` (what happens first: ``withdraw K1``, ``expire K1``, ``others take 18 of K1``,
``pay K1``, ``kit K1 丝线 2 把 A12; 银片 1 张`` (materials handed out, lines split by ;),
``offer 5``, ``offer 5 from NAME``, ``invite from NAME``, ``forget``,
``propose story WORDS`` (her coordinator writes down her words), ``approve story in app``),
``asked`` (the exact SMS that what happened before sent her, if any), ``reply`` (the exact
SMS back) or ``silent = true``, ``changes`` (default: none), ``repeat = true`` (Twilio
delivers the webhook twice).

Whatever the turn, no SMS to her names a brand but the one it is filed under (what that
brand's console shows), or, filed under none, brands she works with or was asked by.
"""

from __future__ import annotations

import tomllib
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from backend.accounts.schemas import BrandUpdate
from backend.accounts.service import principal_for
from backend.accounts.staff import update_brand
from backend.core.types import Channel, Role, utcnow
from backend.db.session import run
from tests import support
from tests.integration.sms.webhook import text

TRANSCRIPTS = Path(__file__).parent / "transcripts"
CASES = [
    pytest.param(path.stem, conversation, id=f"{path.stem}: {conversation['name']}")
    for path in sorted(TRANSCRIPTS.glob("*.toml"))
    for conversation in tomllib.loads(path.read_text(encoding="utf-8"))["conversation"]
]


class Villager:
    """One SMS-only artisan of a fresh brand, the other brands of the conversation, and what
    the test did to her jobs."""

    def __init__(self, client: httpx.AsyncClient, brand: support.Brand, person: support.Person | None, phone: str):
        self.client, self.brand, self.person, self.phone = client, brand, person, phone
        self.jobs: dict[str, support.Work] = {}
        self.brands: dict[str, support.Brand] = {}  # by name
        self.short_names: dict[str, str] = {}  # by name
        self.as_member: dict[str, support.Person] = {}  # her, as a member of each brand she joined
        self.person_id = 0

    async def job(self, state: str, quantity: int, brand: str | None = None) -> None:
        assert self.person is not None
        b, who = (self.brands[brand], self.as_member[brand]) if brand else (self.brand, self.person)
        work = await support.job_in_state(self.client, b, who, state, quantity=quantity)
        self.jobs[f"K{len(self.jobs) + 1}"] = work

    async def invite(self, name: str) -> int:
        """Brand ``name`` adds her phone: she works with another brand, so it asks her."""
        b = self.brands[name]
        body = {"name": "王阿姨", "phone": self.phone, "village_id": b.villages[0], "crafts": ["embroidery"]}
        sent = await support.ok(await self.client.post("/api/v1/artisans", json=body, headers=b.coordinator.auth), 202)
        return int(sent["invitation"]["id"])

    async def join(self, name: str) -> None:
        """She says yes to brand ``name`` in the app."""
        assert self.person is not None
        invitation = await self.invite(name)
        url = f"/api/v1/me/invitations/{invitation}/answer"
        me = await support.ok(await self.client.post(url, json={"accept": True}, headers=self.person.auth))
        b = self.brands[name]
        [member_id] = [m["id"] for m in me["memberships"] if m["brand"]["id"] == b.id]
        self.as_member[name] = support.Person(member_id, self.phone, Role.ARTISAN, self.person.token, b.villages[0])

    async def before(self, action: str) -> None:
        words = action.split()
        coordinator = self.brand.coordinator.auth
        if words[0] == "withdraw":
            url = f"/api/v1/jobs/{self.jobs[words[1]].job_id}/withdraw"
            await support.ok(await self.client.post(url, headers=coordinator))
        elif words[0] == "expire":
            await support._take_step(self.client, self.brand, self.person, self.jobs[words[1]], "expire", 0)  # type: ignore[arg-type]
        elif words[0] == "pay":
            await support._take_step(self.client, self.brand, self.person, self.jobs[words[1]], "pay", 0)  # type: ignore[arg-type]
        elif words[:2] == ["others", "take"]:  # others take N of K1
            other = await support.artisan(self.brand)
            [job] = await support.offer(self.client, self.brand, self.jobs[words[4]].order_id, (other, int(words[2])))
            await support.ok(await self.client.post(f"/api/v1/jobs/{job['id']}/accept", json={}, headers=other.auth))
        elif words[0] == "offer":  # offer 5, offer 5 from NAME
            await self.job("offered", int(words[1]), " ".join(words[3:]) or None)
        elif words[:2] == ["invite", "from"]:
            await self.invite(" ".join(words[2:]))
        elif words[:2] == ["propose", "story"]:
            url = f"/api/v1/members/{self.person.id if self.person else 0}/story"
            await support.ok(await self.client.post(url, json={"text": " ".join(words[2:])}, headers=coordinator), 201)
        elif words == ["approve", "story", "in", "app"]:
            assert self.person is not None
            answer = {"decision": "approve"}
            await support.ok(await self.client.post("/api/v1/me/story", json=answer, headers=self.person.auth))
        elif words[0] == "forget":
            await run("UPDATE sms_conversation SET expires_at = asked_at WHERE phone = {}", self.phone)
        else:
            await self.money_before(words)

    async def money_before(self, words: list[str]) -> None:
        coordinator = self.brand.coordinator.auth
        if words[:2] == ["advance", "paid"]:  # advance paid K1 AMOUNT: asked in the app, approved, paid
            job_id = self.jobs[words[2]].job_id
            assert self.person is not None
            body = {"amount_fen": int(words[3])}
            url = f"/api/v1/jobs/{job_id}/advance"
            advance = await support.ok(await self.client.post(url, json=body, headers=self.person.auth), 201)
            for step, answer in (("approve", None), ("pay", {"method": "wechat", "reference": "WX-A"})):
                url = f"/api/v1/advances/{advance['id']}/{step}"
                await support.ok(await self.client.post(url, json=answer, headers=coordinator))
        elif words[0] == "kit":  # kit K1 MATERIAL QUANTITY UNIT [LOT] …: one line each, ';' between lines
            lines = [part.split() for part in " ".join(words[2:]).split(";")]
            body = {
                "lines": [{"material": m, "quantity": q, "unit": u, "lot": " ".join(lot)} for m, q, u, *lot in lines]
            }
            url = f"/api/v1/jobs/{self.jobs[words[1]].job_id}/kits"
            await support.ok(await self.client.post(url, json=body, headers=coordinator), 201)
        else:
            raise AssertionError(f"unknown step before a turn: {' '.join(words)}")

    def brand_name(self, brand_id: int) -> str:
        return next((name for name, b in self.brands.items() if b.id == brand_id), f"brand {brand_id}")

    async def state(self) -> dict[str, Any]:
        jobs = await run(
            "SELECT j.code, j.status, j.quantity_accepted, j.quantity_reported, p.status AS payout, "
            "f.id AS price_feedback, f.price_fen AS price_asked FROM job j JOIN member m ON m.id = j.artisan "
            "LEFT JOIN payout p ON p.job = j.id LEFT JOIN price_feedback f ON f.job = j.id "
            "WHERE m.person = {} ORDER BY j.id",
            self.person_id,
        )
        advances = await run(
            "SELECT a.id, j.code, a.amount_fen, a.status FROM advance a JOIN member m ON m.id = a.artisan "
            "JOIN job j ON j.id = a.job WHERE m.person = {} ORDER BY a.id",
            self.person_id,
        )
        kits = await run(
            "SELECT k.id, j.code, k.status, k.note FROM kit k JOIN member m ON m.id = k.artisan "
            "JOIN job j ON j.id = k.job WHERE m.person = {} ORDER BY k.id",
            self.person_id,
        )
        people = await run("SELECT locale, takes_calls FROM person WHERE phone = {}", self.phone)
        calls = await run("SELECT code, flow, status FROM voice_call WHERE to_phone = {} ORDER BY id", self.phone)
        brands = await run("SELECT brand FROM member WHERE person = {} AND active = {}", self.person_id, True)
        invitations = await run("SELECT brand, status FROM invitation WHERE person = {}", self.person_id)
        consent = await run(
            "SELECT name, village, photo, story, story_text, story_proposed FROM consent WHERE person = {}",
            self.person_id,
        )
        return {
            "consent": consent[0] if consent else {},
            "jobs": {row["code"]: row for row in jobs},
            "advances": {row["id"]: row for row in advances},
            "kits": {row["id"]: row for row in kits},
            "opted_out": bool(await run("SELECT 1 AS x FROM sms_opt_out WHERE phone = {}", self.phone)),
            "locale": people[0]["locale"] if people else None,
            "takes_calls": bool(people[0]["takes_calls"]) if people else None,
            "brands": {self.brand_name(row["brand"]) for row in brands},
            "calls": {f"{row['code']} {row['flow']} call": row["status"] for row in calls},
            "invitations": {self.brand_name(row["brand"]): row["status"] for row in invitations},
        }

    async def marks(self) -> tuple[int, int]:
        """The last outbox message and audit event so far."""
        outbox = await run("SELECT COALESCE(MAX(id), 0) AS id FROM outbox_message")
        audit = await run("SELECT COALESCE(MAX(id), 0) AS id FROM audit_event")
        return outbox[0]["id"], audit[0]["id"]

    async def sent_since(self, mark: int) -> list[dict[str, Any]]:
        return await run(
            "SELECT body, brand FROM outbox_message WHERE to_phone = {} AND id > {} ORDER BY id", self.phone, mark
        )

    def names_only_its_own(self, sent: dict[str, Any], hers: set[str]) -> list[str]:
        """The brands an SMS names that it may not: any but the brand it is filed under, or,
        filed under none, any but ``hers`` (those she works with or was asked by)."""
        own = [
            w for name, b in self.brands.items() if b.id == sent["brand"] for w in (name, self.short_names[name]) if w
        ]
        # A brand is named by its name or short name, unless that word is the filed brand's own too.
        named = [
            name
            for name in self.brands
            if any(
                w and w in sent["body"] and not any(w in mine for mine in own) for w in (name, self.short_names[name])
            )
        ]
        return [
            name
            for name in named
            if self.brands[name].id != sent["brand"] and not (sent["brand"] is None and name in hers)
        ]


def changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """What changed, in the words of the transcripts."""
    found: list[str] = []
    for code, job in after["jobs"].items():
        old = before["jobs"].get(code)
        if old is None:
            continue
        if job["status"] != old["status"]:
            accepted = job["quantity_accepted"] != old["quantity_accepted"]
            found.append(
                f"{code}: {old['status']} → {job['status']}"
                + (f" ({job['quantity_accepted']} accepted)" if accepted else "")
            )
        if job["quantity_reported"] != old["quantity_reported"]:
            found.append(f"{code}: {job['quantity_reported']} reported done")
        if job["payout"] != old["payout"]:
            found.append(f"{code} payout: {old['payout']} → {job['payout']}")
        if (job["price_feedback"], job["price_asked"]) != (old["price_feedback"], old["price_asked"]):
            asked = f"{job['price_asked']} fen" if job["price_asked"] is not None else "no price"
            found.append(f"{code} price too low: {asked}")
    found += _advance_changes(before["advances"], after["advances"]) + _kit_changes(before["kits"], after["kits"])
    found += _person_changes(before, after)
    found += [f"joined {name}" for name in sorted(after["brands"] - before["brands"])]
    found += [f"left {name}" for name in sorted(before["brands"] - after["brands"])]
    for name, status in sorted(after["invitations"].items()):
        if before["invitations"].get(name, status) != status:
            found.append(f"invitation from {name}: {before['invitations'][name]} → {status}")
    return found + _consent_changes(before["consent"], after["consent"])


def _person_changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Her own settings: SMS at all, her language, calls."""
    found: list[str] = []
    if after["opted_out"] != before["opted_out"]:
        found.append("opted out" if after["opted_out"] else "opted back in")
    if after["locale"] != before["locale"]:
        found.append(f"language: {before['locale']} → {after['locale']}")
    if after["takes_calls"] != before["takes_calls"]:
        found.append("takes calls" if after["takes_calls"] else "takes no calls")
    for call, status in after["calls"].items():
        old = before["calls"].get(call)
        if old != status:
            found.append(f"{call}: {status}" if old is None else f"{call}: {old} → {status}")
    return found


def _kit_changes(before: dict[int, Any], after: dict[int, Any]) -> list[str]:
    found: list[str] = []
    for key, kit in after.items():
        old = before.get(key)
        if old is not None and old["status"] != kit["status"]:
            note = f" ({kit['note']})" if kit["note"] else ""
            found.append(f"{kit['code']} kit: {old['status']} → {kit['status']}{note}")
    return found


def _advance_changes(before: dict[int, Any], after: dict[int, Any]) -> list[str]:
    found: list[str] = []
    for key, advance in after.items():
        old = before.get(key)
        if old is None:
            found.append(f"{advance['code']} advance: {advance['status']} {advance['amount_fen']} fen")
        elif old["status"] != advance["status"]:
            found.append(f"{advance['code']} advance: {old['status']} → {advance['status']}")
    return found


def _consent_changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """What buyers may see of her, and her words: ``consent name: on``, ``story approved: …``."""
    found = [
        f"consent {item}: {'on' if after.get(item) else 'off'}"
        for item in ("name", "village", "photo", "story")
        if bool(before.get(item)) != bool(after.get(item))
    ]
    if before.get("story_proposed") and not after.get("story_proposed"):
        approved = after.get("story_text") != before.get("story_text")
        found.append(f"story approved: {after['story_text']}" if approved else "story rejected")
    return found


async def _brand(name: str, short_name: str) -> support.Brand:
    b = await support.brand()
    admin = await support.person(b.id, Role.ADMIN)
    await update_brand(await principal_for(admin.id, Channel.CONSOLE), BrandUpdate(name=name, short_name=short_name))
    return b


async def _villager(client: httpx.AsyncClient, conversation: dict[str, Any]) -> Villager:
    named = conversation.get("brands", {})
    brands = {name: await _brand(name, short) for name, short in named.items()}
    brand = brands[conversation["her_brand"]] if "her_brand" in conversation else await support.brand()
    if not conversation.get("registered", True):
        return Villager(client, brand, None, support.new_phone())
    person = await support.artisan(brand, sms_only=True, locale=conversation.get("locale", "zh_Hans"))
    villager = Villager(client, brand, person, person.phone)
    villager.brands, villager.short_names, villager.person_id = brands, named, await support.person_of(person.id)
    for name in conversation.get("member_of", []):
        await villager.join(name)
    if conversation.get("seen_in_app"):
        await run(
            "UPDATE person SET sms_only = {}, last_seen_at = {} WHERE id = {}", False, utcnow(), villager.person_id
        )
    for job in conversation.get("jobs", []):
        await villager.job(job["state"], job.get("quantity", 5), job.get("brand"))
    if conversation.get("opted_out"):
        await run(
            "INSERT INTO sms_opt_out (phone, source, opted_out_at) VALUES ({}, 'test', CURRENT_TIMESTAMP)",
            villager.phone,
        )
    return villager


@pytest.mark.parametrize(("flow", "conversation"), CASES)
async def test_conversation(
    client: httpx.AsyncClient, twilio_token: str, flow: str, conversation: dict[str, Any]
) -> None:
    villager = await _villager(client, conversation)
    for number, turn in enumerate(conversation["turns"], start=1):
        where = f"turn {number} ({turn.get('send', turn.get('before'))!r})"
        first_sms, _ = await villager.marks()
        for action in turn.get("before", []):
            await villager.before(action)
        if "asked" in turn:
            asked = [row["body"] for row in await villager.sent_since(first_sms)]
            assert asked == ([turn["asked"]] if turn["asked"] else []), where
        before = await villager.state()
        last_sms, last_event = await villager.marks()
        if "send" in turn:
            sid = f"SM{uuid.uuid4().hex}"
            await text(client, villager.phone, turn["send"], sid)
            if turn.get("repeat"):
                await text(client, villager.phone, turn["send"], sid)

        sent = await villager.sent_since(last_sms)
        expected = [] if turn.get("silent") or "send" not in turn else [turn["reply"]]
        assert [row["body"] for row in sent] == expected, where
        after = await villager.state()
        assert changes(before, after) == turn.get("changes", []), where
        hers = before["brands"] | after["brands"] | set(after["invitations"])
        for row in await villager.sent_since(first_sms):
            assert villager.names_only_its_own(row, hers) == [], (where, row)
        events = await run(
            "SELECT channel FROM audit_event WHERE id > {} AND (actor IS NOT NULL OR channel != 'system')", last_event
        )
        assert {row["channel"] for row in events} <= {"sms"}, where
        if villager.person is not None and turn.get("changes"):
            assert events or all(c.startswith(("opted", "language")) for c in turn["changes"]), where


def test_every_flow_has_its_transcripts() -> None:
    from backend.sms.flows import flows

    assert set(flows().by_id) <= {param.values[0] for param in CASES}
