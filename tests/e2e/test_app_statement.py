"""My income (收入明细) in the artisan's app: the month's lines and totals as the server sums
them, another month picked, and the printable page with the brand, her name and the day."""

from __future__ import annotations

import datetime as dt

import httpx
from playwright.async_api import Page, expect

from backend.core.china_time import CHINA_TZ
from backend.jobs.tables import Submission
from backend.payouts.tables import Payout
from tests import support
from tests.e2e.pages import AppPage, StatementPage

LAST_YEAR = dt.datetime(2025, 11, 20, 10, 0, tzinfo=CHINA_TZ)


async def test_her_income_of_the_month_and_its_printable_page(page: Page, client: httpx.AsyncClient) -> None:
    brand = await support.brand(name="王家苗绣合作社")
    artisan = await support.artisan(brand)
    await support.job_in_state(client, brand, artisan, "confirmed", quantity=4)  # ¥45.00 a piece
    await support.job_in_state(client, brand, artisan, "paid", quantity=2)
    older = await support.job_in_state(client, brand, artisan, "confirmed", quantity=1)
    await Submission.update({Submission.reviewed_at: LAST_YEAR}).where(Submission.id == older.submission_id)
    await Payout.update({Payout.created_at: LAST_YEAR}).where(Payout.id == older.payout_id)
    app = AppPage(page)
    await app.sign_in(artisan.phone)
    statement = StatementPage(app)

    await statement.open()

    mine = str(brand.id)
    await expect(statement.total("earned", mine)).to_have_text("¥270.00")
    await expect(statement.total("paid", mine)).to_have_text("¥270.00")
    await expect(statement.total("confirmed", mine)).to_have_text("¥180.00")
    await expect(statement.total("awaiting", mine)).to_have_text("¥90.00")
    await expect(statement.total("disputed", mine)).to_have_text("¥0.00")
    await expect(statement.lines("earned")).to_have_count(2)
    await expect(statement.lines("paid")).to_have_count(2)
    await app.screenshot("app-statement")

    await statement.choose_month("2025-11")
    await expect(statement.total("earned", mine)).to_have_text("¥45.00")
    await expect(statement.lines("paid")).to_have_count(1)

    printed = await statement.printable()
    await expect(printed.locator("h1")).to_contain_text("王家苗绣合作社")
    await expect(printed.locator(".who")).to_contain_text(f"artisan {artisan.phone[-4:]}")  # her name (support.person)
    await expect(printed.locator(".who")).to_contain_text("2025年11月")
    await expect(printed.locator(".printed-on")).to_contain_text("打印日期")
    await expect(printed.locator("[data-action=print]")).to_be_hidden()  # not on paper
    await app.screenshot("app-statement-print")
