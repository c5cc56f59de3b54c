"""Months and quarters of the commitment cycle. A month's forms may be filed from FILING_LEAD_DAYS before it
begins until its last day; after that the month is closed to new forms and new items."""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils import timezone

from minping.lib.dates import month_end

FILING_LEAD_DAYS = 7  # a month opens for filing a week before it begins
CLOSING_REMINDER_DAYS = 3  # owners with unfinished items are reminded this many days before the month ends
MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def last_day(month: dt.date) -> dt.date:
    return month_end(month)


def next_month(month: dt.date) -> dt.date:
    return (last_day(month) + dt.timedelta(days=1)).replace(day=1)


def opens_on(month: dt.date) -> dt.date:
    return month - dt.timedelta(days=FILING_LEAD_DAYS)


def parse_month(value) -> dt.date:
    """ "2026-09" → 2026-09-01; ValidationError in Chinese otherwise."""
    match = MONTH_RE.match(str(value or "").strip())
    if not match or not 1 <= int(match[2]) <= 12 or not 2000 <= int(match[1]) <= 2100:
        raise ValidationError({"month": "月份格式应为“2026-09”"})
    return dt.date(int(match[1]), int(match[2]), 1)


def label(month: dt.date) -> str:
    return f"{month.year}年{month.month}月"


def ensure_open_for_filing(month: dt.date, today: dt.date | None = None) -> None:
    today = today or timezone.localdate()
    if today > last_day(month):
        raise ValidationError({"month": f"{label(month)}已经结束，不能再填报或增加承诺"})
    if today < opens_on(month):
        raise ValidationError({"month": f"{label(month)}的承诺表自{opens_on(month):%Y年%-m月%-d日}起填报"})


def quarter_of(month: dt.date) -> tuple[int, int]:
    return month.year, (month.month - 1) // 3 + 1


def quarter_months(year: int, quarter: int) -> list[dt.date]:
    if not 1 <= quarter <= 4:
        raise ValidationError({"quarter": "季度应为 1 到 4"})
    return [dt.date(year, 3 * (quarter - 1) + i, 1) for i in (1, 2, 3)]


def quarter_end(year: int, quarter: int) -> dt.date:
    return last_day(quarter_months(year, quarter)[-1])


def quarter_label(year: int, quarter: int) -> str:
    return f"{year}年第{quarter}季度"
