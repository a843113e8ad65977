"""China time, in one place: the calendar days and months of due dates, quiet hours, reports.

China keeps UTC+8 all year (no daylight saving), so a fixed offset is exact. The database
counts days and months with the same offset (``backend.db.session.china_date_sql``).
"""

from __future__ import annotations

import datetime as dt

OFFSET_HOURS = 8
ZONE_NAME = "Asia/Shanghai"
CHINA_TZ = dt.timezone(dt.timedelta(hours=OFFSET_HOURS), ZONE_NAME)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def in_china(moment: dt.datetime) -> dt.datetime:
    """The same moment on a clock in China."""
    return moment.astimezone(CHINA_TZ)


def china_day(moment: dt.datetime) -> dt.date:
    """The calendar day in China at ``moment``."""
    return in_china(moment).date()


def china_today() -> dt.date:
    """Due dates are calendar days in China."""
    return china_day(_now())


def start_of_day(day: dt.date) -> dt.datetime:
    """The first moment of a calendar day in China, as an aware datetime."""
    return dt.datetime.combine(day, dt.time(), tzinfo=CHINA_TZ)


def end_of_day(day: dt.date) -> dt.datetime:
    """The last moment of a calendar day in China (the next day's first), as an aware datetime."""
    return start_of_day(day + dt.timedelta(days=1))


def at_china_time(day: dt.date, time: dt.time) -> dt.datetime:
    """A clock time on a calendar day in China, as an aware datetime."""
    return dt.datetime.combine(day, time, tzinfo=CHINA_TZ)


def month_start(day: dt.date, back: int = 0) -> dt.date:
    """The first day of the month ``back`` months before ``day``'s."""
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def china_months(count: int) -> list[dt.date]:
    """The first days of the last ``count`` months in China, oldest first, this one last."""
    today = china_today()
    return [month_start(today, back) for back in range(count - 1, -1, -1)]
