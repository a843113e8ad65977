"""A generated year of work in several brands: every month, what the statements say was paid
(and deducted: advances, materials short) agrees to the fen with the payout export, and what
they say was earned with the payouts due and the payouts' default amounts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from dataclasses import dataclass, field
from decimal import Decimal

import httpx
import pytest

from backend.accounts.service import add_membership
from backend.auth.service import issue_token
from backend.core.china_time import CHINA_TZ, month_start
from backend.core.types import Role
from backend.db.session import write_transaction
from backend.jobs.tables import Job, Submission
from backend.materials.tables import Kit, KitDecision
from backend.orders.tables import Order
from backend.payouts.tables import Advance, Payout
from tests import support
from tests.support import Brand, Person, ok

API = "/api/v1"
MONTHS = [month_start(dt.date(2025, 12, 1), -back) for back in range(12)]  # December 2025 … November 2026
AMOUNT_COLUMN, CODE_COLUMN = 8, 6  # of the export (backend/payouts/export.py COLUMNS)
GROSS_COLUMN, ADVANCE_COLUMN, KIT_COLUMN = 13, 14, 15


@dataclass
class Year:
    brands: list[Brand]
    artisans: dict[int, list[Person]]  # brand id → its artisans (memberships)
    shared: Person  # a person who works with the first two brands (as the first one's member)
    default_paid: dict[int, int] = field(default_factory=dict)  # job id → amount paid by default
    earned: dict[int, int] = field(default_factory=dict)  # job id → approved pieces × rate
    unpaid: set[int] = field(default_factory=set)  # approved, waiting for their payout
    # brand id → job code → the advance paid on it, and when
    advanced: dict[int, dict[str, tuple[int, dt.datetime]]] = field(default_factory=dict)


def moment(rng: random.Random) -> dt.datetime:
    """A moment of the year, China time; now and then the very edge of a month."""
    first = rng.choice(MONTHS)
    edge = rng.random()
    if edge < 0.1:
        return dt.datetime.combine(first, dt.time(), tzinfo=CHINA_TZ)
    if edge < 0.2:
        return dt.datetime.combine(month_start(first, -1), dt.time(), tzinfo=CHINA_TZ) - dt.timedelta(seconds=1)
    return dt.datetime.combine(first, dt.time(), tzinfo=CHINA_TZ) + dt.timedelta(seconds=rng.randrange(28 * 86400))


async def work(year: Year, rng: random.Random, brand: Brand, artisan: Person, number: int) -> None:
    """One job of ``artisan``: approved (in part, perhaps), then perhaps paid and answered."""
    rate = rng.choice([150, 999, 4500, 12_345, 88_888])
    order = Order(
        brand=brand.id, title=f"订单{number}", craft="embroidery", quantity=50, unit_price_fen=rate, due_date=MONTHS[-1]
    )
    await order.save()
    accepted = rng.randrange(1, 30)
    approved = rng.randrange(1, accepted + 1)  # a partial approval as often as not
    paid = rng.random() < 0.75
    status = rng.choice(["paid", "confirmed", "disputed"]) if paid else "approved"
    job = Job(
        order=order.id, brand=brand.id, artisan=artisan.id, code=f"Y{number}", status=status,
        quantity_offered=accepted, quantity_accepted=accepted, quantity_submitted=approved, quantity_approved=approved,
        expires_at=dt.datetime(2026, 12, 31, tzinfo=CHINA_TZ),
    )  # fmt: skip
    await job.save()
    approved_at = moment(rng)
    await Submission(
        job=job.id, brand=brand.id, quantity=approved, status="approved", channel="app", reviewed_at=approved_at
    ).save()
    year.earned[job.id] = approved * rate
    if not paid:
        year.unpaid.add(job.id)
        return
    by_default = rng.random() < 0.7
    gross = approved * rate if by_default else rng.randrange(1, 10**7)
    if by_default:
        year.default_paid[job.id] = gross
    paid_at = approved_at + dt.timedelta(hours=rng.randrange(0, 24 * 40))
    # A third of the paid jobs had an advance (its own generator: the year above stays as it was).
    chance = random.Random(10_000 + number)
    advance = chance.randrange(1, accepted * rate * 30 // 100 + 2) if chance.random() < 0.35 else 0
    deducted = min(advance, gross)
    # Some had materials short that a coordinator decided to deduct (a generator of their own too).
    short = random.Random(20_000 + number)
    kit = short.randrange(1, gross - deducted + 1) if gross > deducted and short.random() < 0.2 else 0
    amount = gross - deducted - kit
    resolved = status != "disputed" and rng.random() < 0.2
    method = rng.choice(["cash", "wechat", "bank"])
    await Payout(
        job=job.id, brand=brand.id, artisan=artisan.id, amount_fen=amount, method=method,
        gross_fen=gross, advance_fen=deducted, kit_fen=kit,
        reference=f"REF{number:06d}", status=status, created_at=paid_at,
        dispute_reason="没收到" if status == "disputed" or resolved else "",
        resolution_note="补发了" if resolved else "",
        confirmed_at=paid_at + dt.timedelta(days=1) if status == "confirmed" else None,
    ).save()  # fmt: skip
    if advance:
        payout = await Payout.select(Payout.id).where(Payout.job == job.id).first()
        year_start = dt.datetime.combine(MONTHS[0], dt.time(), tzinfo=CHINA_TZ)
        advanced_at = max(approved_at - dt.timedelta(hours=chance.randrange(1, 24 * 20)), year_start)
        answered = chance.choice(["paid", "confirmed"])
        await Advance(
            job=job.id, brand=brand.id, artisan=artisan.id, amount_fen=advance, status=answered, method="wechat",
            reference=f"ADV{number:06d}", paid_at=advanced_at, deducted_in=payout["id"] if payout else None,
        ).save()  # fmt: skip
        year.advanced.setdefault(brand.id, {})[job.code] = (advance, advanced_at)
    if kit:
        await short_kit_deducted(job.id, brand.id, artisan.id, kit)


async def short_kit_deducted(job_id: int, brand_id: int, artisan_id: int, amount: int) -> None:
    """A kit reported short and a coordinator's decision to deduct ``amount``, taken by the job's payout."""
    payout = await Payout.select(Payout.id).where(Payout.job == job_id).first()
    kit = Kit(job=job_id, brand=brand_id, artisan=artisan_id, status="deducted", note="少了")
    await kit.save()
    await KitDecision(
        kit=kit.id, brand=brand_id, job=job_id, decision="deduct", amount_fen=amount, reason="多领未还",
        deducted_in=payout["id"] if payout else None,
    ).save()  # fmt: skip


@pytest.fixture(scope="module")
async def year() -> Year:
    rng = random.Random(28)
    brands = [await support.brand(name=f"年度品牌{i}") for i in range(3)]
    artisans = {brand.id: [await support.artisan(brand) for _ in range(4)] for brand in brands}
    shared = artisans[brands[0].id][0]
    async with write_transaction():
        member = await add_membership(brands[1].id, await support.person_of(shared.id), role=Role.ARTISAN, name="两家")
    artisans[brands[1].id].append(Person(member.id, shared.phone, Role.ARTISAN, await issue_token(member.id)))
    made = Year(brands, artisans, shared)
    for number in range(240):
        brand = rng.choice(brands)
        await work(made, rng, brand, rng.choice(artisans[brand.id]), number)
    return made


async def exported(client: httpx.AsyncClient, brand: Brand, first: dt.date) -> dict[str, int]:
    """Job code → amount in fen, as the payout export of that month lists them."""
    last = month_start(first, -1) - dt.timedelta(days=1)
    response = await client.get(
        f"{API}/payouts/export?from={first}&to={last}&format=csv", headers=brand.coordinator.auth
    )
    assert response.status_code == 200, response.text
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    return {row[CODE_COLUMN]: int(Decimal(row[AMOUNT_COLUMN]).scaleb(2)) for row in rows[1:]}


async def staff_statement(
    client: httpx.AsyncClient, brand: Brand, artisan: Person, first: dt.date
) -> dict[str, object]:
    path = f"{API}/members/{artisan.id}/statement?month={first:%Y-%m}"
    return await ok(await client.get(path, headers=brand.coordinator.auth))  # type: ignore[no-any-return]


async def test_statements_and_the_payout_export_agree_to_the_fen(client: httpx.AsyncClient, year: Year) -> None:
    months_with_payouts = 0
    for brand in year.brands:
        for first in MONTHS:
            export = await exported(client, brand, first)
            paid: dict[str, int] = {}
            for artisan in year.artisans[brand.id]:
                found = await staff_statement(client, brand, artisan, first)
                for part in found["brands"]:  # type: ignore[attr-defined]
                    assert part["brand_id"] == brand.id
                    lines = [(job["code"], line) for job in part["jobs"] for line in job["lines"]]
                    paid |= {code: line["amount"]["fen"] for code, line in lines if line["kind"] == "paid"}
                    assert part["totals"]["paid"]["fen"] == sum(
                        line["amount"]["fen"] for _, line in lines if line["kind"] == "paid"
                    )
            assert paid == export
            months_with_payouts += bool(export)
    assert months_with_payouts >= 30  # the year really has payouts in most months of every brand


async def test_advances_and_their_deductions_agree_with_the_export_to_the_fen(
    client: httpx.AsyncClient, year: Year
) -> None:
    """Each month: the deduction lines are the export's advance column, the kit lines its
    materials column, the paid lines its net, deductions and net its gross; the advance lines
    are the advances paid that month."""
    deductions = kit_deductions = 0
    for brand in year.brands:
        for first in MONTHS:
            last = month_start(first, -1) - dt.timedelta(days=1)
            response = await client.get(f"{API}/payouts/export?from={first}&to={last}", headers=brand.coordinator.auth)
            rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[1:]
            columns = (AMOUNT_COLUMN, GROSS_COLUMN, ADVANCE_COLUMN, KIT_COLUMN)
            fen = {row[CODE_COLUMN]: [int(Decimal(row[c]).scaleb(2)) for c in columns] for row in rows}
            deducted: dict[str, int] = {}
            advanced: dict[str, int] = {}
            kits: dict[str, int] = {}
            for artisan in year.artisans[brand.id]:
                for part in (await staff_statement(client, brand, artisan, first))["brands"]:  # type: ignore[attr-defined]
                    lines = [(job["code"], line) for job in part["jobs"] for line in job["lines"]]
                    mine = {kind: {code: line["amount"]["fen"] for code, line in lines if line["kind"] == kind}
                            for kind in ("deducted", "advanced", "kit")}  # fmt: skip
                    assert part["totals"]["deducted"]["fen"] == sum(mine["deducted"].values())
                    assert part["totals"]["kit"]["fen"] == sum(mine["kit"].values())
                    assert part["totals"]["advanced"]["fen"] == sum(mine["advanced"].values())
                    deducted |= mine["deducted"]
                    advanced |= mine["advanced"]
                    kits |= mine["kit"]
            assert deducted == {code: amounts[2] for code, amounts in fen.items() if amounts[2]}
            assert kits == {code: amounts[3] for code, amounts in fen.items() if amounts[3]}
            assert all(net + advance + kit == gross for net, gross, advance, kit in fen.values())
            start = dt.datetime.combine(first, dt.time(), CHINA_TZ)
            end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), CHINA_TZ)
            paid = year.advanced.get(brand.id, {})
            assert advanced == {code: amount for code, (amount, at) in paid.items() if start <= at < end}
            deductions += len(deducted)
            kit_deductions += len(kits)
    assert deductions >= 30  # the year really has advances deducted
    assert kit_deductions >= 15  # and materials short deducted


async def test_earned_agrees_with_payouts_due_and_default_amounts(client: httpx.AsyncClient, year: Year) -> None:
    earned: dict[int, int] = {}
    for brand in year.brands:
        for artisan in year.artisans[brand.id]:
            for first in MONTHS:
                for part in (await staff_statement(client, brand, artisan, first))["brands"]:  # type: ignore[attr-defined]
                    for job in part["jobs"]:
                        for line in job["lines"]:
                            if line["kind"] == "earned":
                                assert job["job_id"] not in earned  # earned once, in the month of its approval
                                earned[job["job_id"]] = line["amount"]["fen"]
    assert earned == year.earned
    for job_id, amount in year.default_paid.items():
        assert earned[job_id] == amount
    for brand in year.brands:
        due = (await ok(await client.get(f"{API}/payouts/due", headers=brand.coordinator.auth)))["due"]
        waiting = {item["job_id"]: item["amount_fen"] for item in due if item["job_id"] in year.unpaid}
        assert waiting == {job_id: earned[job_id] for job_id in waiting}
        assert waiting  # every brand has approved work waiting


async def test_her_own_statement_is_the_sum_of_what_each_brand_sees(client: httpx.AsyncClient, year: Year) -> None:
    first, second = year.brands[0], year.brands[1]
    at_second = year.artisans[second.id][-1]
    for month in MONTHS:
        own = await ok(await client.get(f"{API}/me/statement?month={month:%Y-%m}", headers=year.shared.auth))
        parts = [
            await staff_statement(client, first, year.shared, month),
            await staff_statement(client, second, at_second, month),
        ]
        for name in ("earned", "paid", "confirmed", "disputed", "awaiting"):
            assert own["totals"][name]["fen"] == sum(part["totals"][name]["fen"] for part in parts)  # type: ignore[index]
        totals = own["totals"]
        assert totals["paid"]["fen"] == sum(totals[name]["fen"] for name in ("confirmed", "disputed", "awaiting"))
    months = (await ok(await client.get(f"{API}/me/statement/months", headers=year.shared.auth)))["months"]
    assert months == sorted(months, reverse=True)
    assert set(months) <= {f"{m:%Y-%m}" for m in MONTHS} | {
        f"{month_start(MONTHS[-1], -1):%Y-%m}",
        f"{month_start(MONTHS[-1], -2):%Y-%m}",
    }
