"""The monthly income summary by SMS: on the first days of a China month, one SMS per SMS-only
person with activity last month, over all her brands, exactly once however often and however
many workers run the round."""

from __future__ import annotations

import asyncio
import datetime as dt
import sys

import httpx
import pytest

from backend.accounts.service import add_membership
from backend.auth.service import issue_token
from backend.core.china_time import CHINA_TZ
from backend.core.types import Role
from backend.db.session import is_sqlite, write_transaction
from backend.jobs.tables import Submission
from backend.messages.templates import segments
from backend.outbox.tables import OutboxMessage
from backend.payouts.summary import send_monthly_statements
from backend.payouts.tables import Advance, Payout, StatementSms
from tests import support
from tests.support import Brand, Person, job_in_state

RATE = 4500  # support.order_body's piece rate
# Months no other test has work in: each test of a round has its own.
MARCH, MAY = dt.datetime(2031, 3, 14, 10, 0, tzinfo=CHINA_TZ), dt.datetime(2031, 5, 20, 10, 0, tzinfo=CHINA_TZ)
APRIL_FIRST = dt.datetime(2031, 4, 1, 0, 5, tzinfo=CHINA_TZ)
JUNE_FIRST = dt.datetime(2031, 6, 1, 7, 0, tzinfo=CHINA_TZ)
SEPTEMBER = dt.datetime(2031, 9, 9, 9, 0, tzinfo=CHINA_TZ)
# A worker process's monthly round, on the test database (the environment says which).
ROUND = """
import asyncio, datetime as dt
from backend.db import session
from backend.payouts.summary import send_monthly_statements

async def main():
    await session.start()
    try:
        print(await send_monthly_statements(dt.datetime(2031, 10, 1, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))))
    finally:
        await session.stop()

asyncio.run(main())
"""


async def worked(
    client: httpx.AsyncClient, brand: Brand, who: Person, state: str, quantity: int, when: dt.datetime
) -> None:
    work = await job_in_state(client, brand, who, state, quantity=quantity)
    await Submission.update({Submission.reviewed_at: when}).where(Submission.id == work.submission_id)
    if work.payout_id is not None:
        await Payout.update({Payout.created_at: when}).where(Payout.id == work.payout_id)


async def summaries(phone: str) -> list[dict[str, object]]:
    return await OutboxMessage.select().where(
        (OutboxMessage.to_phone == phone) & (OutboxMessage.kind == "monthly_statement")
    )


async def test_one_summary_per_person_over_her_brands_once(client: httpx.AsyncClient) -> None:
    wang, li = await support.brand(), await support.brand()
    villager = await support.artisan(wang, sms_only=True)
    async with write_transaction():
        member = await add_membership(
            li.id, await support.person_of(villager.id), role=Role.ARTISAN, name="杨", village_id=li.villages[0]
        )
    at_li = Person(member.id, villager.phone, Role.ARTISAN, await issue_token(member.id))
    await worked(client, wang, villager, "confirmed", 4, MARCH)
    await worked(client, li, at_li, "paid", 2, MARCH)
    in_app = await support.artisan(wang)  # uses the app: no SMS
    await worked(client, wang, in_app, "paid", 1, MARCH)
    idle = await support.artisan(wang, sms_only=True)  # nothing in March: no SMS
    await worked(client, wang, idle, "paid", 1, MAY)

    assert await send_monthly_statements(APRIL_FIRST) >= 1
    assert await send_monthly_statements(APRIL_FIRST + dt.timedelta(hours=30)) == 0  # a later round, a replay

    [sms] = await summaries(villager.phone)
    assert sms["body"] == "2031年3月收入：应得¥270.00，已付¥270.00，待您确认¥90.00。回复0查看帮助"
    assert sms["brand"] is None  # no brand's staff see what another brand paid her
    assert sms["answers"] is False  # the message budget holds it (quiet hours, daily cap) like any other
    assert sms["status"] == "pending"
    assert await summaries(in_app.phone) == []
    assert await summaries(idle.phone) == []
    [claimed] = await StatementSms.select().where(StatementSms.person == await support.person_of(villager.id))
    assert (claimed["month"], claimed["message"]) == ("2031-03", sms["id"])


async def test_no_summary_after_the_first_days_of_the_month(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    late = await support.artisan(brand, sms_only=True, locale="en")
    await worked(client, brand, late, "approved", 3, dt.datetime(2031, 7, 3, tzinfo=CHINA_TZ))
    assert await send_monthly_statements(dt.datetime(2031, 8, 4, 9, 0, tzinfo=CHINA_TZ)) == 0
    assert await summaries(late.phone) == []
    assert await send_monthly_statements(dt.datetime(2031, 8, 3, 9, 0, tzinfo=CHINA_TZ)) >= 1
    [sms] = await summaries(late.phone)
    assert (
        sms["body"]
        == "Jul 2031 income: earned CN¥135.00, paid CN¥0.00, awaiting your confirmation CN¥0.00. Reply 0 for help."
    )


@pytest.mark.parametrize("rounds", [4])
async def test_rounds_at_once_queue_one_summary_per_person(client: httpx.AsyncClient, rounds: int) -> None:
    brand = await support.brand()
    villagers = [await support.artisan(brand, sms_only=True) for _ in range(5)]
    for villager in villagers:
        await worked(client, brand, villager, "disputed", 2, MAY)
    results = await asyncio.gather(*(send_monthly_statements(JUNE_FIRST) for _ in range(rounds)))
    assert sum(results) >= len(villagers)
    for villager in villagers:
        [sms] = await summaries(villager.phone)
        assert "已付¥90.00" in str(sms["body"])


@pytest.mark.skipif(is_sqlite(), reason="several worker processes share the database on PostgreSQL; SQLite runs one")
async def test_worker_processes_at_once_queue_one_summary_per_person(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    villagers = [await support.artisan(brand, sms_only=True) for _ in range(6)]
    for villager in villagers:
        await worked(client, brand, villager, "confirmed", 1, SEPTEMBER)
    processes = [
        await asyncio.create_subprocess_exec(sys.executable, "-c", ROUND, stdout=asyncio.subprocess.PIPE)
        for _ in range(3)
    ]
    outputs = [await process.communicate() for process in processes]
    assert [process.returncode for process in processes] == [0, 0, 0]
    assert sum(int(out.split()[-1]) for out, _ in outputs) == len(villagers)  # nobody else worked in September 2031
    for villager in villagers:
        [sms] = await summaries(villager.phone)
        assert "已付¥45.00" in str(sms["body"])


# Issue 28: advances in the summary (November 2031, a month no other test has work in).
NOVEMBER = dt.datetime(2031, 11, 12, 10, 0, tzinfo=CHINA_TZ)
OCTOBER = dt.datetime(2031, 10, 20, 10, 0, tzinfo=CHINA_TZ)
DECEMBER_FIRST = dt.datetime(2031, 12, 1, 9, 0, tzinfo=CHINA_TZ)
API = "/api/v1"


async def advanced(
    client: httpx.AsyncClient, brand: Brand, who: Person, amount: int, when: dt.datetime
) -> support.Work:
    """An accepted job of hers with an advance of ``amount`` paid at ``when``."""
    work = await job_in_state(client, brand, who, "accepted", quantity=5)
    asked = await support.ok(
        await client.post(f"{API}/jobs/{work.job_id}/advance", json={"amount_fen": amount}, headers=who.auth), 201
    )
    for action, body in (("approve", None), ("pay", {"method": "wechat"})):
        url = f"{API}/advances/{asked['id']}/{action}"
        await support.ok(await client.post(url, json=body, headers=brand.coordinator.auth))
    await Advance.update({Advance.paid_at: when}).where(Advance.id == asked["id"])
    return work


async def summary_texts(phone: str) -> list[tuple[str, str]]:
    rows = await OutboxMessage.select(OutboxMessage.kind, OutboxMessage.body).where(
        (OutboxMessage.to_phone == phone) & OutboxMessage.kind.like("monthly_statement%")
    )
    return [(row["kind"], row["body"]) for row in rows]


async def test_the_summary_says_her_advances_paid_and_still_to_deduct_in_one_segment(
    client: httpx.AsyncClient,
) -> None:
    brand = await support.brand()
    both = await support.artisan(brand, sms_only=True)
    await advanced(client, brand, both, 5000, NOVEMBER)  # its job not paid yet: still to deduct
    await worked(client, brand, both, "confirmed", 4, NOVEMBER)
    only_advanced = await support.artisan(brand, sms_only=True, locale="en")  # nothing but an advance that month
    await advanced(client, brand, only_advanced, 3000, NOVEMBER)
    deducted = await support.artisan(brand, sms_only=True)  # advanced in October, deducted in November
    work = await advanced(client, brand, deducted, 5000, OCTOBER)
    for step in ("submit", "approve", "pay"):
        await support._take_step(client, brand, deducted, work, step, 5)
    await Submission.update({Submission.reviewed_at: NOVEMBER}).where(Submission.job == work.job_id)
    await Payout.update({Payout.created_at: NOVEMBER}).where(Payout.job == work.job_id)
    earlier = await support.artisan(brand, sms_only=True)  # advanced in October, its job still in hand
    await advanced(client, brand, earlier, 2000, OCTOBER)
    await worked(client, brand, earlier, "paid", 1, NOVEMBER)

    assert await send_monthly_statements(DECEMBER_FIRST) >= 4
    assert await send_monthly_statements(DECEMBER_FIRST + dt.timedelta(hours=5)) == 0  # once

    [(kind, body)] = await summary_texts(both.phone)
    assert kind == "monthly_statement_advances"
    assert body == "2031年11月收入：应得¥180.00，已付¥230.00含预支¥50.00，待扣预支¥50.00。"
    assert await summary_texts(only_advanced.phone) == [
        (
            "monthly_statement_advances",
            "Nov 2031 income: earned CN¥0.00, paid CN¥30.00 incl. advances CN¥30.00, advances still to deduct "
            "CN¥30.00. Reply 0 for help.",
        )
    ]
    # Deducted within the month, nothing advanced in it: the usual summary, the net paid.
    assert await summary_texts(deducted.phone) == [
        ("monthly_statement", "2031年11月收入：应得¥225.00，已付¥175.00，待您确认¥175.00。回复0查看帮助")
    ]
    assert await summary_texts(earlier.phone) == [
        ("monthly_statement_advances", "2031年11月收入：应得¥45.00，已付¥45.00含预支¥0.00，待扣预支¥20.00。")
    ]
    for body in [b for who in (both, only_advanced, deducted, earlier) for _, b in await summary_texts(who.phone)]:
        assert segments(body) == 1, body
