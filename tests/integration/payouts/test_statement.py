"""The income statement (收入明细) over HTTP: her own, by China month, every brand she works
with grouped by brand; a brand's staff see their brand's part only; nobody else sees it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from backend.accounts.service import add_membership
from backend.auth.service import issue_token
from backend.core.china_time import CHINA_TZ, china_today
from backend.core.types import Role
from backend.db.session import write_transaction
from backend.jobs.tables import Submission
from backend.payouts.tables import Payout
from tests import support
from tests.support import Brand, Person, job_in_state, ok, refused

API = "/api/v1"
NOVEMBER = dt.datetime(2026, 11, 10, 9, 0, tzinfo=CHINA_TZ)
LAST_MOMENT_OF_OCTOBER = dt.datetime(2026, 10, 31, 23, 59, 59, tzinfo=CHINA_TZ)
FIRST_MOMENT_OF_NOVEMBER = dt.datetime(2026, 11, 1, 0, 0, 0, tzinfo=CHINA_TZ)
RATE = 4500  # support.order_body's piece rate


@dataclass
class Ledger:
    wang: Brand
    li: Brand
    yang: Person  # an artisan of both brands (as Wang's member)
    yang_at_li: int  # her membership of Li
    neighbour: Person
    leader: Person


async def at(work: support.Work, approved: dt.datetime, paid: dt.datetime | None = None) -> None:
    await Submission.update({Submission.reviewed_at: approved}).where(Submission.id == work.submission_id)
    if paid is not None:
        await Payout.update({Payout.created_at: paid}).where(Payout.id == work.payout_id)


@pytest.fixture(scope="module")
async def ledger(client: httpx.AsyncClient) -> Ledger:
    wang, li = await support.brand(name="王家苗绣"), await support.brand(name="李家蜡染")
    yang = await support.artisan(wang)
    async with write_transaction():
        member = await add_membership(
            li.id, await support.person_of(yang.id), role=Role.ARTISAN, name="杨秀英", village_id=li.villages[0]
        )
    yang_li = Person(member.id, yang.phone, Role.ARTISAN, await issue_token(member.id), li.villages[0])
    neighbour = await support.artisan(wang)
    leader = await support.person(wang.id, Role.LEADER, village_id=wang.villages[0])
    # November: at Wang a confirmed job (4 pieces), a disputed one (3), one paid by bank
    # with its own amount and reference, awaiting her; at Li one approved, not paid.
    await at(await job_in_state(client, wang, yang, "confirmed", quantity=4), NOVEMBER, NOVEMBER)
    await at(await job_in_state(client, wang, yang, "disputed", quantity=3), NOVEMBER, FIRST_MOMENT_OF_NOVEMBER)
    by_bank = await job_in_state(client, wang, yang, "approved", quantity=2)
    body = {"method": "bank", "reference": "6222020200112233", "amount_fen": 9999}
    by_bank.payout_id = (
        await ok(
            await client.post(f"{API}/jobs/{by_bank.job_id}/payout", json=body, headers=wang.coordinator.auth), 201
        )
    )["id"]
    await at(by_bank, LAST_MOMENT_OF_OCTOBER, NOVEMBER)
    await at(await job_in_state(client, li, yang_li, "approved", quantity=5), NOVEMBER)
    # Her neighbour's work in November, and this month's work of hers (left where it is).
    await at(await job_in_state(client, wang, neighbour, "confirmed", quantity=6), NOVEMBER, NOVEMBER)
    await job_in_state(client, wang, yang, "paid", quantity=1)
    return Ledger(wang, li, yang, member.id, neighbour, leader)


async def statement(
    client: httpx.AsyncClient, who: Person, query: str = "?month=2026-11", path: str = "/me/statement"
) -> Any:
    return await ok(await client.get(f"{API}{path}{query}", headers=who.auth))


def fen(totals: dict[str, Any]) -> dict[str, int]:
    return {name: amount["fen"] for name, amount in totals.items()}


async def test_statement_groups_her_month_by_brand_with_totals(client: httpx.AsyncClient, ledger: Ledger) -> None:
    found = await statement(client, ledger.yang)
    assert found["month"] == "2026-11"
    by_brand = {brand["brand_name"]: brand for brand in found["brands"]}
    assert sorted(by_brand) == ["李家蜡染", "王家苗绣"]
    wang = by_brand["王家苗绣"]
    # Earned: 4 and 3 pieces approved in November (the third job was approved in October).
    assert fen(wang["totals"]) == {
        "earned": 7 * RATE,
        "paid": 4 * RATE + 3 * RATE + 9999,
        "confirmed": 4 * RATE,
        "disputed": 3 * RATE,
        "awaiting": 9999,
        "advanced": 0,
        "deducted": 0,
        "kit": 0,
    }
    assert fen(by_brand["李家蜡染"]["totals"]) == {
        "earned": 5 * RATE,
        "paid": 0,
        "confirmed": 0,
        "disputed": 0,
        "awaiting": 0,
        "advanced": 0,
        "deducted": 0,
        "kit": 0,
    }
    assert fen(found["totals"])["earned"] == 12 * RATE
    assert fen(found["totals"])["paid"] == 7 * RATE + 9999
    assert found["totals"]["earned"]["text"] == "¥540.00"
    assert by_brand["李家蜡染"]["member_id"] == ledger.yang_at_li


async def test_statement_lines_say_what_each_job_earned_and_was_paid(client: httpx.AsyncClient, ledger: Ledger) -> None:
    wang = next(b for b in (await statement(client, ledger.yang))["brands"] if b["brand_id"] == ledger.wang.id)
    lines = [line for job in wang["jobs"] for line in job["lines"]]
    earned = [line for line in lines if line["kind"] == "earned"]
    assert sorted((line["quantity"], line["amount"]["fen"]) for line in earned) == [(3, 3 * RATE), (4, 4 * RATE)]
    paid = {line["amount"]["fen"]: line for line in lines if line["kind"] == "paid"}
    assert paid[9999]["reference"] == "****2233"  # never the whole account number
    assert paid[9999]["method"] == "bank"
    assert paid[9999]["status"] == "paid"
    assert paid[3 * RATE]["status"] == "disputed"
    assert paid[3 * RATE]["dispute_reason"] == "没收到"
    assert paid[3 * RATE]["day"] == "2026-11-01"  # China's day, not UTC's (still October 31 there)
    assert paid[4 * RATE]["confirmed_at"] is not None


async def test_statement_of_the_current_month_by_default(client: httpx.AsyncClient, ledger: Ledger) -> None:
    found = await statement(client, ledger.yang, query="")
    assert found["month"] == china_today().strftime("%Y-%m")
    assert fen(found["totals"])["paid"] == RATE
    assert fen(found["totals"])["awaiting"] == RATE


async def test_a_month_without_work_is_an_empty_statement(client: httpx.AsyncClient, ledger: Ledger) -> None:
    found = await statement(client, ledger.yang, query="?month=2019-02")
    assert found["brands"] == []
    assert set(fen(found["totals"]).values()) == {0}


@pytest.mark.parametrize(
    "month",
    [
        "2026-13",
        "2026-00",
        "2026-1",
        "26-11",
        "2026-11-01",
        "十一月",
        "2026-11%00",
        "２０２６-11",
        "2026-11\n",
        "0000-01",
        "9999-12",
    ],
)
async def test_a_malformed_month_is_refused_naming_the_field(
    client: httpx.AsyncClient, ledger: Ledger, month: str
) -> None:
    response = await client.get(f"{API}/me/statement", params={"month": month}, headers=ledger.yang.auth)
    assert "month" in refused(response, 400, "invalid_request")["fields"]


async def test_months_list_every_month_with_a_line(client: httpx.AsyncClient, ledger: Ledger) -> None:
    months = (await statement(client, ledger.yang, query="", path="/me/statement/months"))["months"]
    assert months == sorted({"2026-10", "2026-11", china_today().strftime("%Y-%m")}, reverse=True)


async def test_others_see_their_own_statement_not_hers(client: httpx.AsyncClient, ledger: Ledger) -> None:
    neighbour = await statement(client, ledger.neighbour)
    assert fen(neighbour["totals"])["earned"] == 6 * RATE
    assert [b["member_id"] for b in neighbour["brands"]] == [ledger.neighbour.id]
    leader = await statement(client, ledger.leader)  # her village's leader: her own, which is empty
    assert leader["brands"] == []
    assert (await statement(client, ledger.leader, query="", path="/me/statement/months"))["months"] == []


async def test_staff_see_their_brands_part_only(client: httpx.AsyncClient, ledger: Ledger) -> None:
    at_wang = await statement(client, ledger.wang.coordinator, path=f"/members/{ledger.yang.id}/statement")
    assert [b["brand_id"] for b in at_wang["brands"]] == [ledger.wang.id]
    assert fen(at_wang["totals"])["earned"] == 7 * RATE
    at_li = await statement(client, ledger.li.coordinator, path=f"/members/{ledger.yang_at_li}/statement")
    assert [b["brand_id"] for b in at_li["brands"]] == [ledger.li.id]
    assert fen(at_li["totals"])["paid"] == 0


@pytest.mark.parametrize(
    ("asker", "whose", "status"),
    [
        ("li_coordinator", "yang_at_wang", 404),  # another brand's membership does not exist for them
        ("wang_coordinator", "yang_at_li", 404),
        ("wang_coordinator", "nobody", 404),
        ("yang", "neighbour", 403),  # an artisan reads no one's statement but her own
        ("leader", "neighbour", 403),  # nor does her village leader
        ("neighbour", "yang_at_wang", 403),
    ],
)
async def test_no_one_reads_a_statement_that_is_not_theirs(
    client: httpx.AsyncClient, ledger: Ledger, asker: str, whose: str, status: int
) -> None:
    askers = {
        "li_coordinator": ledger.li.coordinator,
        "wang_coordinator": ledger.wang.coordinator,
        "yang": ledger.yang,
        "leader": ledger.leader,
        "neighbour": ledger.neighbour,
    }
    ids = {
        "yang_at_wang": ledger.yang.id,
        "yang_at_li": ledger.yang_at_li,
        "neighbour": ledger.neighbour.id,
        "nobody": 2**31 - 1,
    }
    response = await client.get(f"{API}/members/{ids[whose]}/statement?month=2026-11", headers=askers[asker].auth)
    refused(response, status)


async def test_a_statement_needs_a_sign_in(client: httpx.AsyncClient) -> None:
    refused(await client.get(f"{API}/me/statement"), 401, "unauthorized")


async def test_a_statement_read_again_unchanged_is_304(client: httpx.AsyncClient, ledger: Ledger) -> None:
    first = await client.get(f"{API}/me/statement?month=2026-11", headers=ledger.yang.auth)
    again = await client.get(
        f"{API}/me/statement?month=2026-11", headers={**ledger.yang.auth, "If-None-Match": first.headers["etag"]}
    )
    assert (again.status_code, again.content) == (304, b"")
