"""Dates: as people type them into spreadsheets and forms, and the calendar's weeks and months."""

import calendar
import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils import timezone

from minping.lib.identity import clean_text

# Year first only: 2024-3-5, 2024/03/05, 2024.3.5, 2024年3月5日, 20240305. Day-first forms are ambiguous.
YMD_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
COMPACT_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and 20000 < value < 80000:
        return EXCEL_EPOCH + dt.timedelta(days=int(value))
    text = clean_text(value).split(" ")[0]
    match = YMD_RE.match(text) or COMPACT_RE.match(text)
    if not match:
        raise ValueError("日期格式无法识别（请用 2024-03-05、2024/3/5 或 2024年3月5日）")
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise ValueError("日期不存在") from None


def week_start(day: dt.date) -> dt.date:
    """The Monday of `day`'s week."""
    return day - dt.timedelta(days=day.weekday())


def month_end(day: dt.date) -> dt.date:
    """The last day of `day`'s month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The first instant of `start` and the first instant after `end`, in the site's time zone: the days from
    `start` to `end`, both included, as `first <= t < after`."""
    return (
        timezone.make_aware(dt.datetime.combine(start, dt.time.min)),
        timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min)),
    )


def typed_date(value, field: str, what: str = "日期", default: dt.date | None = None) -> dt.date:
    """A date typed into a form or sent by a phone as YYYY-MM-DD; `default` when nothing was typed (if given);
    ValidationError({field: ...}) in Chinese otherwise."""
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    if not text and default is not None:
        return default
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError({field: f"请填写正确的{what}（年-月-日，如 2026-03-05）" if text else f"请填写{what}"}) from None
