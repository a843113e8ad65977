"""Golden conversations: what a villager sends, what comes back, what changed.

Each file in ``transcripts/`` holds the conversations of one flow. A conversation sets up
one SMS-only artisan with jobs in given states (codes K1, K2… in order), then plays its
turns through Twilio's signed webhook. After each turn the test compares the SMS queued
for the villager and the changes to their jobs, payouts, subscription and language with
the transcript, and checks that every change was audited as made through the SMS channel.

Turn keys: ``send`` (the SMS), ``before`` (what happens first: ``withdraw K1``,
``expire K1``, ``others take 18 of K1``, ``pay K1``, ``offer 5``, ``forget``), ``reply``
(the exact SMS back) or ``silent = true``, ``changes`` (default: none), ``repeat = true``
(Twilio delivers the webhook twice).
"""

from __future__ import annotations

import tomllib
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

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
    """One SMS-only artisan of a fresh brand, and what the test did to their jobs."""

    def __init__(self, client: httpx.AsyncClient, brand: support.Brand, person: support.Person | None, phone: str):
        self.client, self.brand, self.person, self.phone = client, brand, person, phone
        self.jobs: dict[str, support.Work] = {}

    async def job(self, state: str, quantity: int) -> None:
        assert self.person is not None
        work = await support.job_in_state(self.client, self.brand, self.person, state, quantity=quantity)
        self.jobs[f"K{len(self.jobs) + 1}"] = work

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
        elif words[0] == "offer":
            await self.job("offered", int(words[1]))
        elif words[0] == "forget":
            await run("UPDATE sms_conversation SET expires_at = asked_at WHERE phone = {}", self.phone)
        else:
            raise AssertionError(f"unknown step before a turn: {action}")

    async def state(self) -> dict[str, Any]:
        jobs = await run(
            "SELECT j.code, j.status, j.quantity_accepted, j.quantity_reported, p.status AS payout FROM job j "
            "LEFT JOIN payout p ON p.job = j.id WHERE j.artisan = {} ORDER BY j.id",
            self.person.id if self.person else 0,
        )
        people = await run("SELECT locale FROM person WHERE phone = {}", self.phone)
        return {
            "jobs": {row["code"]: row for row in jobs},
            "opted_out": bool(await run("SELECT 1 AS x FROM sms_opt_out WHERE phone = {}", self.phone)),
            "locale": people[0]["locale"] if people else None,
        }

    async def marks(self) -> tuple[int, int]:
        """The last outbox message and audit event so far."""
        outbox = await run("SELECT COALESCE(MAX(id), 0) AS id FROM outbox_message")
        audit = await run("SELECT COALESCE(MAX(id), 0) AS id FROM audit_event")
        return outbox[0]["id"], audit[0]["id"]


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
    if after["opted_out"] != before["opted_out"]:
        found.append("opted out" if after["opted_out"] else "opted back in")
    if after["locale"] != before["locale"]:
        found.append(f"language: {before['locale']} → {after['locale']}")
    return found


async def _villager(client: httpx.AsyncClient, conversation: dict[str, Any]) -> Villager:
    brand = await support.brand()
    if not conversation.get("registered", True):
        return Villager(client, brand, None, support.new_phone())
    person = await support.artisan(brand, sms_only=True, locale=conversation.get("locale", "zh_Hans"))
    villager = Villager(client, brand, person, person.phone)
    for job in conversation.get("jobs", []):
        await villager.job(job["state"], job.get("quantity", 5))
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
        where = f"turn {number} ({turn['send']!r})"
        for action in turn.get("before", []):
            await villager.before(action)
        before = await villager.state()
        last_sms, last_event = await villager.marks()
        sid = f"SM{uuid.uuid4().hex}"
        await text(client, villager.phone, turn["send"], sid)
        if turn.get("repeat"):
            await text(client, villager.phone, turn["send"], sid)

        sent = await run(
            "SELECT body FROM outbox_message WHERE to_phone = {} AND id > {} ORDER BY id", villager.phone, last_sms
        )
        expected = [] if turn.get("silent") else [turn["reply"]]
        assert [row["body"] for row in sent] == expected, where
        assert changes(before, await villager.state()) == turn.get("changes", []), where
        events = await run("SELECT channel FROM audit_event WHERE id > {} AND actor IS NOT NULL", last_event)
        assert {row["channel"] for row in events} <= {"sms"}, where
        if villager.person is not None and turn.get("changes"):
            assert events or all(c.startswith(("opted", "language")) for c in turn["changes"]), where


def test_every_flow_has_its_transcripts() -> None:
    from backend.sms.flows import flows

    assert set(flows().by_id) <= {param.values[0] for param in CASES}
