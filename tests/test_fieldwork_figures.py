"""The field-work figures, reproduced from the records for any period, a month's edges included."""

import datetime as dt
import io

from django.urls import reverse

from minping.fieldwork import actions, exports, figures
from minping.fieldwork.models import (
    Entry,
    FollowUp,
    Meeting,
)
from minping.org.models import Post
from tests.base import typed_cells_only
from tests.fieldworking import TODAY, FieldworkTestCase


class FiguresTest(FieldworkTestCase):
    def setUp(self):
        today = TODAY()
        self.month = today.replace(day=1)
        self.entries = [
            self.log(
                on=self.month,
                problems="路灯不亮",
                suggestions="增加停车位\n增设座椅",
                late_reason="补记" if (today - self.month).days > 7 else "",
            ),
            self.log(contact=self.enterprise_contact, on=today, form="phone"),
        ]
        item = FollowUp.objects.filter(kind="problem").get()
        actions.propose_solution(actor=self.cadre_user, item=item, solution="协调更换")
        actions.act_on_item(actor=self.cadre_user, item=item, note="已更换")
        actions.close_item(actor=self.cadre_user, item=item, outcome="已修好")
        actions.record_meeting(
            actor=self.organiser_a,
            region=self.community_a,
            kind="forum",
            title="座谈会",
            held_on=today,
            convener=self.cadre_a,
            participants=20,
            documents="文件一\n文件二",
            suggestions="建议甲",
        )
        actions.record_meeting(
            actor=self.organiser_a,
            region=self.community_a,
            kind="site",
            title="现场会",
            held_on=today,
            convener=self.graduate,
            participants=9,
        )

    def test_the_figures_reproduce_from_the_records_for_whole_months_and_any_period(self):
        today = TODAY()
        last = (self.month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        expected = {
            "entries": 2,
            "visits": 1,
            "contacts": 2,
            "covered": 2,
            "suggestions": 3,
            "problems": 1,
            "proposed": 1,
            "forwarded": 0,
            "closed": 1,
            "told": 0,
            "checked": None,
            "cadence": None,
        }
        self.assertEqual(figures.cadre_figures([self.cadre_a.pk], self.month, last)[self.cadre_a.pk], expected)  # from the rollups
        self.assertEqual(figures.cadre_figures([self.cadre_a.pk], self.month, today)[self.cadre_a.pk], expected)  # from the entries
        only_today = figures.cadre_figures([self.cadre_a.pk], today, today)[self.cadre_a.pk]
        self.assertEqual((only_today["entries"], only_today["visits"], only_today["covered"]), (1, 0, 1))
        summary = figures.summary(self.district_a, self.month, last)
        self.assertEqual(
            {
                k: summary[k]
                for k in (
                    "forums",
                    "site_meetings",
                    "participants",
                    "documents",
                    "suggestions",
                    "problems",
                    "proposed",
                    "closed",
                    "entries",
                    "visits",
                    "enterprises",
                )
            },
            {
                "forums": 1,
                "site_meetings": 1,
                "participants": 29,
                "documents": 2,
                "suggestions": 3,
                "problems": 1,
                "proposed": 1,
                "closed": 1,
                "entries": 2,
                "visits": 1,
                "enterprises": 1,
            },
        )
        self.assertEqual(figures.summary(self.district_b, self.month, last)["entries"], 0)

    def test_the_figures_are_grouped_by_unit_shown_with_definitions_and_exported(self):
        Post.objects.create(cadre=self.graduate, unit=self.unit_a, title="联络员", category="other", started_on=dt.date(2024, 1, 1))
        last = (self.month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        units = {
            name: (n, totals["entries"], totals["suggestions"]) for name, n, totals in figures.by_unit(self.district_a, self.month, last)
        }
        self.assertEqual(units, {"光明社区": (1, 2, 3), "一街道派出所": (1, 0, 0)})
        self.client.force_login(self.organiser_a)
        url = reverse("fieldwork:figures")
        page = self.client.get(url, {"region": self.district_a.pk, "start": self.month.isoformat(), "end": last.isoformat(), "units": 1})
        self.assertContains(page, "期间内召开的座谈会次数")
        self.assertContains(page, "一街道派出所")
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(exports.figures_workbook(self.district_a, self.month, last)))
        typed_cells_only(self, exports.figures_workbook(self.district_a, self.month, last))
        rows = {r[0]: r[1] for r in book["汇总"].iter_rows(min_row=3, values_only=True)}
        self.assertEqual((rows["座谈会"], rows["参与人数"], rows["收集意见建议"]), (1, 29, 3))
        cadres = {r[1]: r for r in book["按干部"].iter_rows(min_row=2, values_only=True)}
        self.assertEqual(cadres["王书记"][2:4], (2, 1))
        response = self.client.get(
            url, {"region": self.district_a.pk, "start": self.month.isoformat(), "end": last.isoformat(), "format": "docx"}
        )
        from docx import Document

        text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
        self.assertIn("召开座谈会 1 场、现场推进会 1 场，参与 29 人次", text)
        self.assertIn("收集意见建议 3 条，受理问题 1 个，提出解决建议 1 条，办结 1 件", text)
        bad = self.client.get(url, {"start": "2026-13-01"})
        self.assertContains(bad, "请填写正确的开始日期", status_code=400)
        self.client.force_login(self.office_b)
        self.assertEqual(self.client.get(url, {"region": self.district_a.pk}).status_code, 404)

    def test_meeting_items_are_counted_once(self):
        """The forum's suggestion is one item, beside the log's two; the figures count the three once each."""
        forum = Meeting.objects.get(kind="forum")
        self.assertEqual([i.text for i in forum.items.all()], ["建议甲"])
        self.assertEqual(
            sorted(FollowUp.objects.filter(kind="suggestion").values_list("text", flat=True)), ["增加停车位", "增设座椅", "建议甲"]
        )
        last = (self.month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        self.assertEqual(figures.summary(self.district_a, self.month, last)["suggestions"], 3)
        actions.record_meeting(
            actor=self.organiser_a,
            region=self.community_a,
            kind="forum",
            title="第二次座谈会",
            held_on=TODAY(),
            convener=self.cadre_a,
            participants=5,
            suggestions="建议乙\n建议丙",
        )
        self.assertEqual(figures.summary(self.district_a, self.month, last)["suggestions"], 5)


class MonthEdgeTest(FieldworkTestCase):
    """A month's first and last day and a week across a month's end, where periods split into whole months and
    the days around them."""

    pinned_day = dt.date(2026, 12, 6)  # a Sunday: this week runs from Monday 30 November

    def test_entries_on_a_months_edges_count_in_their_own_month_and_in_the_week_across_them(self):
        for on in (dt.date(2026, 11, 30), dt.date(2026, 12, 1), dt.date(2026, 12, 6)):
            self.log(on=on, discussed=f"{on}走访")

        def entries(start, end):
            return figures.cadre_figures([self.cadre_a.pk], start, end)[self.cadre_a.pk]["entries"]

        d = dt.date
        self.assertEqual([entries(d(2026, 11, 30), d(2026, 11, 30)), entries(d(2026, 12, 1), d(2026, 12, 1))], [1, 1])
        self.assertEqual(entries(d(2026, 11, 30), d(2026, 12, 6)), 3)  # the week across the month's end
        self.assertEqual([entries(d(2026, 11, 1), d(2026, 11, 30)), entries(d(2026, 12, 1), d(2026, 12, 31))], [1, 2])
        self.assertEqual(figures.summary(self.district_a, d(2026, 11, 1), d(2026, 12, 31))["entries"], 3)


class RollupTest(FieldworkTestCase):
    def test_split_takes_whole_months_from_the_rollups_and_the_days_around_them_from_the_entries(self):
        d = dt.date
        self.assertEqual(
            figures.split(d(2026, 1, 15), d(2026, 3, 10)),
            ((d(2026, 2, 1), d(2026, 2, 1)), [(d(2026, 1, 15), d(2026, 1, 31)), (d(2026, 3, 1), d(2026, 3, 10))]),
        )
        self.assertEqual(figures.split(d(2026, 1, 1), d(2026, 12, 31)), ((d(2026, 1, 1), d(2026, 12, 1)), []))
        self.assertEqual(figures.split(d(2026, 1, 5), d(2026, 1, 20)), (None, [(d(2026, 1, 5), d(2026, 1, 20))]))
        self.assertEqual(figures.split(d(2025, 12, 1), d(2026, 2, 28)), ((d(2025, 12, 1), d(2026, 2, 1)), []))

    def test_the_figures_of_any_period_are_those_counted_from_the_entries(self):
        import random

        rng = random.Random(7)
        today = TODAY()
        for n in range(40):
            on = today - dt.timedelta(days=rng.randrange(0, 120))
            self.log(
                contact=rng.choice([self.community_contact, self.enterprise_contact]),
                on=on,
                form=rng.choice(["visit", "phone", "forum"]),
                late_reason="补记" if (today - on).days > 7 else "",
                discussed=f"第{n}次",
            )
        entries = list(Entry.objects.all())
        for _ in range(25):
            start = today - dt.timedelta(days=rng.randrange(0, 130))
            end = min(today + dt.timedelta(days=40), start + dt.timedelta(days=rng.randrange(0, 100)))
            inside = [e for e in entries if start <= e.on <= end]
            expected = (
                len(inside),
                sum(e.form == "visit" for e in inside),
                len({e.contact_id for e in inside}),
                int(any(e.contact_id == self.enterprise_contact.pk for e in inside)),
            )
            with self.subTest(start=start, end=end):
                got = figures.cadre_figures([self.cadre_a.pk], start, end)[self.cadre_a.pk]
                self.assertEqual((got["entries"], got["visits"], got["covered"]), expected[:3])
                totals = figures.summary(self.district_a, start, end)
                self.assertEqual((totals["entries"], totals["visits"], totals["covered"], totals["enterprises"]), expected)
