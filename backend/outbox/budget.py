"""A message budget per villager, enforced where messages leave (DESIGN.md, "Working in
mainland China"): nobody is woken at night, flooded, or sent the same text again and again.

Applied to each batch a sender claims, the same for every gateway:
- quiet hours (default 21:00–08:00 China time, or her own) hold messages until they end;
- offers to one number within a few minutes go out as one SMS: an offer due while another
  reached that number less than ``CUNJIANG_SMS_MERGE_MINUTES`` ago waits for the window to
  close, and the offers waiting then are merged into one ``offers`` SMS per brand (a brand
  never sends, nor sees, another brand's offer);
- at most ``CUNJIANG_SMS_DAILY_CAP`` messages a number a China day, and the same text at
  most twice (Twilio refuses a third): the rest wait for the next morning.
Sign-in codes (``budget_exempt``) and answers to the villager's own SMS are never held:
they asked. Nothing is dropped: what is held keeps its place and its reason
(``held_reason``), and merged offers point at the message that carries them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import groupby
from typing import Any

from backend.core.china_time import at_china_time, china_day, in_china, start_of_day
from backend.core.settings import get_settings, parse_hours
from backend.core.types import as_datetime
from backend.db.session import run
from backend.messages.asked import forget
from backend.messages.templates import keys_with, merged_as, render
from backend.outbox.rows import Outgoing
from backend.outbox.rows import insert as insert_outgoing
from backend.outbox.status import HANDED, Status, sql_list

SAME_TEXT_MAX = 2
TODAY = """
SELECT to_phone, kind, body, sent_at, answers FROM outbox_message
WHERE to_phone IN ({phones}) AND sent_at >= {since}
  AND status IN ({HANDED})
""".replace("{HANDED}", sql_list(HANDED))


Hours = tuple[dt.time, dt.time]
# Her own quiet hours, where she chose them (else the service's, CUNJIANG_SMS_QUIET_HOURS).
PERSON_HOURS = "SELECT phone, quiet_hours FROM person WHERE quiet_hours <> '' AND phone IN ({phones})"


def is_quiet(moment: dt.datetime, hours: Hours | None = None) -> bool:
    start, end = hours or get_settings().sms_quiet_hours
    local = in_china(moment).time()
    if start == end:
        return False
    return start <= local < end if start < end else local >= start or local < end


def quiet_end(moment: dt.datetime, hours: Hours | None = None) -> dt.datetime:
    """When the quiet hours around ``moment`` end (China time)."""
    end = (hours or get_settings().sms_quiet_hours)[1]
    local = in_china(moment)
    ending = at_china_time(local.date(), end)
    return ending if ending > local else ending + dt.timedelta(days=1)


def next_morning(moment: dt.datetime, hours: Hours | None = None) -> dt.datetime:
    """The end of the next quiet hours: tomorrow's morning in China."""
    end = (hours or get_settings().sms_quiet_hours)[1]
    return at_china_time(china_day(moment) + dt.timedelta(days=1), end)


def day_start(moment: dt.datetime) -> dt.datetime:
    return start_of_day(china_day(moment))


async def ration(due: list[dict[str, Any]], now: dt.datetime) -> list[dict[str, Any]]:
    """Of the claimed messages, those that may go now (merged offers included); the rest are
    held back, with their reason, until they may."""
    exempt = keys_with("budget_exempt")
    free = [row for row in due if row["kind"] in exempt or row["answers"]]
    counted = [row for row in due if row["kind"] not in exempt and not row["answers"]]
    if not counted:
        return free
    hours = await hours_of({row["to_phone"] for row in counted})
    awake: dict[str, list[dict[str, Any]]] = {}
    for phone, rows in groupby(sorted(counted, key=lambda r: (r["to_phone"], r["id"])), key=lambda r: r["to_phone"]):
        if is_quiet(now, hours.get(phone)):
            await _hold(list(rows), quiet_end(now, hours.get(phone)), "quiet_hours")
        else:
            awake[phone] = list(rows)
    if not awake:
        return free
    today = await _sent_today(awake, now)
    going: list[dict[str, Any]] = []
    for phone, waiting in awake.items():
        going += await _one_number(phone, waiting, today, now, hours.get(phone))
    return free + going


async def hours_of(phones: Iterable[str]) -> dict[str, Hours]:
    """The quiet hours of those of these numbers whose person chose her own."""
    wanted, found = sorted(phones), dict[str, Hours]()
    for start in range(0, len(wanted), 1000):
        batch = wanted[start : start + 1000]
        for row in await run(PERSON_HOURS.replace("{phones}", ", ".join("{}" for _ in batch)), *batch):
            found[row["phone"]] = parse_hours(row["quiet_hours"])
    return found


class Today:
    """What a number got today: how many counted messages, which texts, the last offer."""

    def __init__(self) -> None:
        self.count: Counter[str] = Counter()
        self.texts: Counter[tuple[str, str]] = Counter()
        self.last_offer: dict[str, dt.datetime] = {}


async def _sent_today(phones: Iterable[str], now: dt.datetime) -> Today:
    today = Today()
    wanted = sorted(phones)
    exempt, offers = keys_with("budget_exempt"), {*merged_as(), *merged_as().values()}
    for start in range(0, len(wanted), 1000):
        batch = wanted[start : start + 1000]
        sql = TODAY.replace("{phones}", ", ".join("{}" for _ in batch)).replace("{since}", "{}")
        for row in await run(sql, *batch, day_start(now)):
            phone, sent_at = row["to_phone"], as_datetime(row["sent_at"])
            today.texts[(phone, row["body"])] += 1
            if row["kind"] not in exempt and not row["answers"]:
                today.count[phone] += 1
            if row["kind"] in offers:
                today.last_offer[phone] = max(sent_at, today.last_offer.get(phone, sent_at))
    return today


async def _one_number(
    phone: str, rows: list[dict[str, Any]], today: Today, now: dt.datetime, hours: Hours | None
) -> list[dict[str, Any]]:
    mergeable = merged_as()
    offers = [row for row in rows if row["kind"] in mergeable]
    rest = [row for row in rows if row["kind"] not in mergeable]
    window = dt.timedelta(minutes=get_settings().sms_merge_minutes)
    last = today.last_offer.get(phone)
    if offers and last is not None and now - last < window:
        await _hold(offers, last + window, "merging")  # the window is open: more may come
    else:
        # One SMS per brand: a brand's staff see its messages, never another brand's offers.
        for _brand, same in groupby(sorted(offers, key=lambda r: (r["brand"] or 0, r["id"])), key=lambda r: r["brand"]):
            together = list(same)
            rest += [await _merge(together, mergeable[together[0]["kind"]], now)] if len(together) > 1 else together
    going = []
    for row in sorted(rest, key=lambda row: row["id"]):
        if today.count[phone] >= get_settings().sms_daily_cap:
            await _hold([row], next_morning(now, hours), "daily_cap")
        elif today.texts[(phone, row["body"])] >= SAME_TEXT_MAX:
            await _hold([row], next_morning(now, hours), "same_text")
        else:
            going.append(row)
            today.count[phone] += 1
            today.texts[(phone, row["body"])] += 1
    return going


async def _hold(rows: Sequence[dict[str, Any]], until: dt.datetime, reason: str) -> None:
    ids = [row["id"] for row in rows]
    marks = ", ".join("{}" for _ in ids)
    await run(
        f"UPDATE outbox_message SET next_attempt_at = {{}}, held_reason = {{}} WHERE id IN ({marks})",  # noqa: S608
        until,
        reason,
        *ids,
    )


async def _merge(offers: list[dict[str, Any]], key: str, now: dt.datetime) -> dict[str, Any]:
    """One SMS for several offers to one number; the offers point at it."""
    first = offers[0]
    shown = [json.loads(row["variables"]) for row in offers]
    jobs = ", ".join(f"{v.get('code', '')} {v.get('title', '')} x{v.get('quantity', '')}" for v in shown)
    message = render(key, first["locale"], count=len(offers), jobs=jobs, first=shown[0].get("code", ""))
    merged = Outgoing(to_phone=first["to_phone"], message=message, brand_id=first["brand"], member_id=first["member"])
    [made] = await insert_outgoing([merged], now)
    ids = [row["id"] for row in offers]
    marks = ", ".join("{}" for _ in ids)
    await run(
        f"UPDATE outbox_message SET status = '{Status.MERGED}', merged_into = {{}} WHERE id IN ({marks})",  # noqa: S608
        made,
        *ids,
    )
    await forget([first["to_phone"]])  # "1" no longer means one offer: the villager names it
    return {
        **{k: first[k] for k in ("to_phone", "locale", "brand", "member")},
        "id": made,
        "body": message.body,
        "kind": message.key,
        "variables": merged.row(now)[3],
        "status": Status.PENDING.value,
        "reference": "",
        "answers": False,
        "sent_at": None,
        "attempts": 0,
    }
