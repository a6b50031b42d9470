"""Business dates: validity windows are Asia/Shanghai calendar dates."""

from __future__ import annotations

import calendar
from datetime import date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def business_date(moment: datetime) -> date:
    """The Shanghai date of an aware instant (a UTC evening is already tomorrow)."""
    assert moment.tzinfo is not None, "business dates come from aware instants only"
    return moment.astimezone(SHANGHAI).date()


def add_months(start: date, months: int) -> date:
    """`start` plus whole months; in a shorter month, that month's last day (a loan
    drawn on 31 January for one month matures on 28 or 29 February). PostgreSQL's
    `date + interval 'N months'` gives the same day, so the schema's backfill agrees."""
    assert months >= 0, "terms run forward"
    month_index = start.year * 12 + start.month - 1 + months
    year, month = divmod(month_index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(start.day, last_day))


def iso_date(day: date | None) -> str:
    """A business date on the wire: ISO 8601, or empty when there is none."""
    return day.isoformat() if day else ""
