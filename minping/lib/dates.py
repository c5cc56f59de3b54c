"""Dates as people type them into spreadsheets."""

import datetime as dt
import re

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
