"""The message budget per villager, on a controllable clock: quiet hours, the daily cap, the
same text at most twice, offers merged; nothing lost, only delayed or merged."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import httpx
import pytest

from backend.core.china_time import CHINA_TZ
from backend.core.settings import get_settings
from backend.core.types import utcnow
from backend.db.session import run, write_transaction
from backend.gateways import SendResult, Sms
from backend.messages.asked import recall, remember
from backend.messages.templates import render
from backend.outbox import Pacing, deliver_due, enqueue
from tests import support


class Phone:
    """Records what a gateway handed out, per number."""

    name = "recorder"

    def __init__(self) -> None:
        self.sent: list[Sms] = []

    async def send(self, message: Sms) -> SendResult:
        self.sent.append(message)
        return SendResult(provider_sid=f"rec-{message.id}")

    def to(self, phone: str) -> list[str]:
        return [m.body for m in self.sent if m.to_phone == phone]


@pytest.fixture
def budget(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("CUNJIANG_SMS_QUIET_HOURS", "21:00-08:00")
    monkeypatch.setenv("CUNJIANG_SMS_DAILY_CAP", "3")
    monkeypatch.setenv("CUNJIANG_SMS_MERGE_MINUTES", "3")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


def china(days: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment in China ``days`` from today (always after now, so queued messages are due)."""
    day = utcnow().astimezone(CHINA_TZ).date() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=CHINA_TZ)


async def deliver_at(gateway: Phone, moment: dt.datetime) -> None:
    """Everything due at ``moment`` goes to the gateway, the clock standing at ``moment``."""
    due = "SELECT 1 AS x FROM outbox_message WHERE status IN ('pending', 'sending') AND next_attempt_at <= {} LIMIT 1"
    while await run(due, moment):
        await deliver_due(gateway, pacing=Pacing(batch=500, per_second=100_000), clock=lambda: moment)


async def queue(phone: str, body: str, *, key: str = "test", answers: bool = False) -> int:
    message = render("otp", "zh_Hans", code="123456") if key == "otp" else support.sms(body)
    async with write_transaction():
        return await enqueue(phone, message, answers=answers)


async def queue_offer(phone: str, code: str, title: str = "苗绣围巾") -> int:
    offer = render("offer", "zh_Hans", code=code, quantity=5, title=title, price=4500, due=dt.date(2026, 12, 31))
    async with write_transaction():
        return await enqueue(phone, offer)


async def row(message_id: int) -> dict[str, object]:
    [found] = await run(
        "SELECT status, held_reason, next_attempt_at, merged_into, kind FROM outbox_message WHERE id = {}", message_id
    )
    return found


async def test_quiet_hours_hold_messages_until_morning_but_not_codes_or_answers(budget: None) -> None:
    phone, gateway = support.new_phone(), Phone()
    offer = await queue(phone, "新任务 at night")
    code = await queue(phone, "", key="otp")
    answer = await queue(phone, "K1：已接5件", answers=True)

    await deliver_at(gateway, china(1, 22, 30))

    # Both at once (a batch is sent concurrently: the order of its sends is no promise).
    assert sorted(gateway.to(phone)) == sorted([render("otp", "zh_Hans", code="123456").body, "K1：已接5件"])
    held = await row(offer)
    assert (held["status"], held["held_reason"]) == ("pending", "quiet_hours")
    assert support.as_moment(held["next_attempt_at"]) == china(2, 8)
    await deliver_at(gateway, china(2, 8))
    assert gateway.to(phone)[-1] == "新任务 at night"
    assert (await row(code))["status"] == (await row(answer))["status"] == "sent"


async def test_the_daily_cap_holds_the_rest_until_the_next_morning(budget: None) -> None:
    phone, gateway = support.new_phone(), Phone()
    ids = [await queue(phone, f"message {n}") for n in range(5)]

    await deliver_at(gateway, china(1, 10))

    assert sorted(gateway.to(phone)) == ["message 0", "message 1", "message 2"]  # the first three, sent at once
    assert [(await row(i))["held_reason"] for i in ids[3:]] == ["daily_cap", "daily_cap"]
    await deliver_at(gateway, china(2, 8))
    assert sorted(gateway.to(phone)[3:]) == ["message 3", "message 4"]


async def test_the_same_text_goes_at_most_twice_a_day(budget: None) -> None:
    phone, gateway = support.new_phone(), Phone()
    ids = [await queue(phone, "同一条短信") for _ in range(3)]

    await deliver_at(gateway, china(1, 10))

    assert gateway.to(phone) == ["同一条短信", "同一条短信"]
    assert (await row(ids[2]))["held_reason"] == "same_text"
    await deliver_at(gateway, china(2, 8))
    assert len(gateway.to(phone)) == 3


async def test_offers_pending_together_go_out_as_one_sms_and_a_bare_answer_needs_a_code(budget: None) -> None:
    phone, gateway = support.new_phone(), Phone()
    async with write_transaction():
        await remember([(phone, "offer", 1, "K2")], utcnow())
    first, second = await queue_offer(phone, "K1", "苗绣围巾"), await queue_offer(phone, "K2", "蜡染靠垫")

    await deliver_at(gateway, china(1, 10))

    [merged] = gateway.to(phone)
    assert merged == "2个新任务：K1 苗绣围巾 x5, K2 蜡染靠垫 x5。要接哪个，回复编号和1，如：K1 1"
    carrier = (await row(first))["merged_into"]
    assert carrier is not None
    assert (await row(second))["merged_into"] == carrier
    assert (await row(first))["status"] == "merged"
    assert (await row(int(str(carrier))))["status"] == "sent"
    assert await recall(phone) is None  # "1" alone no longer says which


async def test_offers_soon_after_an_offer_wait_for_the_window_and_merge(budget: None) -> None:
    phone, gateway = support.new_phone(), Phone()
    await queue_offer(phone, "K1")
    await deliver_at(gateway, china(1, 10))
    later = [await queue_offer(phone, "K2"), await queue_offer(phone, "K3")]

    await deliver_at(gateway, china(1, 10, 1))
    assert len(gateway.to(phone)) == 1
    assert [(await row(i))["held_reason"] for i in later] == ["merging", "merging"]
    await deliver_at(gateway, china(1, 10, 3))

    assert gateway.to(phone)[1].startswith("2个新任务：K2")
    assert {(await row(i))["status"] for i in later} == {"merged"}


async def test_nothing_is_lost_every_message_ends_sent_or_merged_into_a_sent_one(budget: None) -> None:
    phone, gateway = support.new_phone(), Phone()
    ids = [await queue(phone, f"n{n}") for n in range(4)] + [await queue_offer(phone, f"K{n}") for n in range(1, 4)]
    for day in range(1, 5):
        await deliver_at(gateway, china(day, 8))
        await deliver_at(gateway, china(day, 12))

    rows = [await row(i) for i in ids]
    assert {r["status"] for r in rows} <= {"sent", "merged"}
    carriers = [await row(int(str(r["merged_into"]))) for r in rows if r["status"] == "merged"]
    assert carriers
    assert {carrier["status"] for carrier in carriers} == {"sent"}


async def test_her_own_quiet_hours_rule_her_messages_whichever_brand_writes(
    budget: None, client: httpx.AsyncClient
) -> None:
    brand = await support.brand()
    napper, night_owl, other = [await support.artisan(brand) for _ in range(3)]
    for who, hours in ((napper, "12:00-14:00"), (night_owl, "off")):
        answer = await support.ok(
            await client.put("/api/v1/me/quiet-hours", json={"quiet_hours": hours}, headers=who.auth)
        )
        assert answer == {"quiet_hours": hours}
    refused = await client.put("/api/v1/me/quiet-hours", json={"quiet_hours": "25:00-07:00"}, headers=other.auth)
    assert refused.status_code == 400
    gateway = Phone()
    napping = await queue(napper.phone, "午间")
    await queue(other.phone, "午间")

    await deliver_at(gateway, china(1, 13))

    assert gateway.to(napper.phone) == []
    assert gateway.to(other.phone) == ["午间"]
    held = await row(napping)
    assert (held["held_reason"], support.as_moment(held["next_attempt_at"])) == ("quiet_hours", china(1, 14))
    await queue(night_owl.phone, "夜里")
    await queue(other.phone, "夜里")
    await deliver_at(gateway, china(1, 23))
    assert gateway.to(night_owl.phone) == ["夜里"]
    assert gateway.to(other.phone) == ["午间"]  # the service's quiet hours for her
