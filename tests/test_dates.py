"""The calendar helpers every module shares (lib/dates.py), on the days where calendars go wrong: a month's first
and last day, a week across a month's end and a year's, February in a leap year; typed dates refused in Chinese."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.test import SimpleTestCase

from minping.lib.dates import month_end, typed_date, week_start
from minping.lib.downloads import attachment
from minping.lib.stats import percent_text


class CalendarTest(SimpleTestCase):
    def test_a_months_first_and_last_day_end_the_same_month(self):
        for day, end in (
            (dt.date(2026, 1, 1), dt.date(2026, 1, 31)),
            (dt.date(2026, 1, 31), dt.date(2026, 1, 31)),
            (dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
            (dt.date(2028, 2, 29), dt.date(2028, 2, 29)),
            (dt.date(2026, 12, 31), dt.date(2026, 12, 31)),
        ):
            with self.subTest(day=day):
                self.assertEqual(month_end(day), end)

    def test_a_week_across_a_months_end_starts_on_its_monday(self):
        # Monday 2026-11-30 to Sunday 2026-12-06: the same week, whichever month a day is in
        self.assertEqual({week_start(dt.date(2026, 11, 30) + dt.timedelta(days=n)) for n in range(7)}, {dt.date(2026, 11, 30)})
        self.assertEqual(week_start(dt.date(2027, 1, 1)), dt.date(2026, 12, 28))  # and across a year's

    def test_typed_dates_are_refused_in_chinese(self):
        self.assertEqual(typed_date("2026-12-01", "on"), dt.date(2026, 12, 1))
        self.assertEqual(typed_date("", "on", default=dt.date(2026, 1, 1)), dt.date(2026, 1, 1))
        for value, message in (("", "请填写走访日期"), ("2026/12/01", "请填写正确的走访日期"), ("2026-02-30", "请填写正确的走访日期")):
            with self.subTest(value=value), self.assertRaisesMessage(ValidationError, message):
                typed_date(value, "visited_on", "走访日期")

    def test_shares_and_downloads_read_as_people_expect(self):
        self.assertEqual((percent_text(2 / 3), percent_text(None), percent_text(1)), ("66.7%", "—", "100.0%"))
        response = attachment(b"PK", "一街道公开承诺.xlsx")
        self.assertEqual(response["Content-Type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        self.assertIn("filename*=UTF-8''%E4%B8%80", response["Content-Disposition"])
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
