"""A passport is made with an approval, once: a replayed or racing approval makes none more."""

from __future__ import annotations

import asyncio
import re

import httpx

from backend.accounts.service import principal_for
from backend.audit.tables import AuditEvent
from backend.core.types import Channel
from backend.db.session import write_transaction
from backend.passports.service import issue_passport
from backend.passports.tables import Passport
from tests import support
from tests.integration.passports.helpers import API, approved, passport_of
from tests.support import ok, refused


async def test_an_approval_makes_one_passport_with_an_unguessable_id(client: httpx.AsyncClient) -> None:
    b = await support.brand()
    maker = await support.artisan(b)
    work, first = await approved(client, b, maker)
    _other, second = await approved(client, b, maker)

    [row] = await Passport.select().where(Passport.id == first)
    assert (row["brand"], row["job"], row["order"], row["member"]) == (b.id, work.job_id, work.order_id, maker.id)
    assert row["person"] == await support.person_of(maker.id)
    assert row["withdrawn_at"] is None
    for passport_id in (first, second):
        assert re.fullmatch(r"[A-Za-z0-9_-]{22}", passport_id)  # 16 random bytes, base64url
    assert first != second
    [event] = await AuditEvent.select().where(
        (AuditEvent.brand == b.id) & (AuditEvent.entity == "passport") & (AuditEvent.entity_id == work.submission_id)
    )
    assert event["action"] == "issue"
    assert first in event["detail"]


async def test_rework_makes_no_passport(client: httpx.AsyncClient) -> None:
    b = await support.brand()
    work = await support.job_in_state(client, b, await support.artisan(b), "rework")
    assert not await Passport.exists().where(Passport.submission == work.submission_id)


async def test_a_replayed_approval_makes_no_second_passport(client: httpx.AsyncClient) -> None:
    b = await support.brand()
    work = await support.job_in_state(client, b, await support.artisan(b), "submitted")
    url = f"{API}/submissions/{work.submission_id}/review"
    headers = b.coordinator.auth | {"Idempotency-Key": "approve-once"}
    await ok(await client.post(url, json={"decision": "approve"}, headers=headers))
    replay = await client.post(url, json={"decision": "approve"}, headers=headers)
    again = await client.post(url, json={"decision": "approve"}, headers=b.coordinator.auth)

    assert replay.status_code == 200
    assert replay.headers["idempotent-replayed"] == "true"
    refused(again, 409, "invalid_transition")
    assert len(await Passport.select().where(Passport.submission == work.submission_id)) == 1


async def test_concurrent_approvals_make_one_passport(client: httpx.AsyncClient) -> None:
    b = await support.brand()
    work = await support.job_in_state(client, b, await support.artisan(b), "submitted")
    url = f"{API}/submissions/{work.submission_id}/review"

    answers = await asyncio.gather(
        *(
            client.post(url, json={"decision": "approve"}, headers=b.coordinator.auth | {"Idempotency-Key": f"k{i}"})
            for i in range(4)
        )
    )

    assert sorted(answer.status_code for answer in answers) == [200, 409, 409, 409]
    assert len(await Passport.select().where(Passport.submission == work.submission_id)) == 1


async def test_the_database_refuses_a_second_passport_of_one_submission(client: httpx.AsyncClient) -> None:
    b = await support.brand()
    work, passport_id = await approved(client, b, await support.artisan(b))
    actor = await principal_for(b.coordinator.id, Channel.CONSOLE)

    async with write_transaction():
        again = await issue_passport(actor, work.submission_id or 0)

    assert again is None
    assert await passport_of(work.submission_id) == passport_id
