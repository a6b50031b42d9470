"""Business dates: validity windows are Asia/Shanghai calendar dates."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def business_date(moment: datetime) -> date:
    """The Shanghai date of an aware instant (a UTC evening is already tomorrow)."""
    assert moment.tzinfo is not None, "business dates come from aware instants only"
    return moment.astimezone(SHANGHAI).date()
