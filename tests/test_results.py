"""Results of a closed campaign: counts, figures against hand-worked examples, small-group protection,
publication, objections, reports, review flags and the API."""

import io
import json
import re
import zipfile
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from docx.oxml.ns import qn
from fontTools.ttLib import TTFont

from minping.audit.models import AuditEvent
from minping.evaluations import actions
from minping.evaluations.models import Campaign, Subject
from minping.lib import stats
from minping.lib.docxfont import obfuscate
from minping.org.models import Cadre, Post
from minping.results import actions as results_actions
from minping.results import figures, present, reports
from minping.results.actions import close_campaign
from minping.results.models import Notice, ReviewFlag, Tally, TextAnswer
from tests.base import BaseTestCase, id_number, typed_cells_only
from tests.base import api_key as create_api_key
from tests.evaluating import answers_for, cast_all, make_campaign


def grade_ballots(campaign, spec: dict, **extra) -> list:
    """Answers with the overall grade distributed as `spec` ({"excellent": 12, ...})."""
    return [answers_for(campaign, overall=grade, **extra) for grade, n in spec.items() for _ in range(n)]


class Seed001Test(BaseTestCase):
    """Seed 001's definitions on a constructed ballot set: 20 residents rate a community party secretary."""

    def setUp(self):
        self.campaign, self.group, pairs = make_campaign(self, codes=25)
        ballots = grade_ballots(self.campaign, {"excellent": 12, "competent": 5, "basic": 2, "incompetent": 1})
        # 德: 15 满意, 3 基本满意, 1 不满意, 1 不了解.
        for answers, choice in zip(ballots, ["satisfied"] * 15 + ["fairly"] * 3 + ["dissatisfied", "unknown"], strict=True):
            next(iter(answers["subjects"].values()))["de"] = choice
        cast_all(self.campaign, pairs, ballots)
        self.campaign = close_campaign(actor=self.organiser_a, campaign=self.campaign)
        self.subject = self.campaign.subjects.get()

    def figures(self):
        self.campaign._policy = None
        return figures.subject_figures(self.campaign, [self.subject])[0]

    def test_excellence_and_competence_rates_follow_seed_001(self):
        cell = self.figures().cells[0]
        overall = cell.questions["overall"]
        self.assertEqual((cell.returned, cell.valid, cell.issued), (20, 20, 25))
        self.assertEqual(overall.rates["excellent_rate"].k, 12)
        self.assertAlmostEqual(overall.rates["excellent_rate"].value, 0.60)
        self.assertAlmostEqual(overall.rates["competent_rate"].value, 0.85)
        self.assertAlmostEqual(overall.rates["incompetent_rate"].value, 0.05)
        self.assertAlmostEqual(overall.score.value, (12 * 100 + 5 * 80 + 2 * 60) / 20)

    def test_satisfaction_rate_under_each_denominator_policy(self):
        de = self.figures().cells[0].questions["de"]
        self.assertEqual((de.rates["satisfaction_rate"].k, de.rates["satisfaction_rate"].n), (18, 20))
        self.assertAlmostEqual(de.score.value, (15 * 100 + 3 * 80) / 20)
        policy = figures.policy_for(self.campaign)
        policy.denominator = "known"
        policy.save()
        de = self.figures().cells[0].questions["de"]
        self.assertEqual((de.rates["satisfaction_rate"].k, de.rates["satisfaction_rate"].n), (18, 19))
        self.assertAlmostEqual(de.score.value, (15 * 100 + 3 * 80) / 19)

    def test_every_rate_has_its_wilson_interval_and_n(self):
        rate = self.figures().cells[0].questions["overall"].rates["excellent_rate"]
        # Hand-worked: p = 0.6, n = 20, z = 1.96 → (0.3866, 0.7812).
        self.assertAlmostEqual(rate.low, 0.3866, places=4)
        self.assertAlmostEqual(rate.high, 0.7812, places=4)
        view = present.subject_view(self.campaign, self.figures())
        shown = view["questions"][-1]["cells"][0]["rates"][0]
        self.assertEqual((shown["n"], shown["k"]), (20, 12))

    def test_tally_verify_agrees_then_names_a_tampered_count(self):
        call_command("tally", "verify", str(self.campaign.pk), stdout=io.StringIO())
        row = Tally.objects.get(campaign=self.campaign, subject=self.subject, question="overall", option="excellent")
        Tally.objects.filter(pk=row.pk).update(n=row.n + 1)
        with self.assertRaisesMessage(CommandError, "1 counts differ"):
            call_command("tally", "verify", str(self.campaign.pk), stdout=io.StringIO())

    def test_default_rule_puts_nobody_on_the_follow_up_list_but_a_threshold_does(self):
        self.assertEqual(present.campaign_view(self.campaign)["follow_up"], [])
        results_actions.set_policy(
            actor=self.organiser_a,
            campaign=self.campaign,
            rules=[{"question": "overall", "metric": "excellent_rate", "op": "<", "value": 0.7}],
        )
        self.campaign._policy = None
        follow_up = present.campaign_view(self.campaign)["follow_up"]
        self.assertEqual([row["label"] for row in follow_up], ["王书记"])
        self.assertIn("优秀率 < 70.00%", follow_up[0]["rules"][0])
        self.assertTrue(AuditEvent.objects.filter(action="results.policy").exists())


class RulesFormTest(BaseTestCase):
    def test_an_organiser_adds_and_removes_rules_without_writing_json(self):
        campaign, _group, pairs = make_campaign(self, codes=6)
        cast_all(campaign, pairs, grade_ballots(campaign, {"excellent": 3, "competent": 3}))
        campaign = close_campaign(actor=self.organiser_a, campaign=campaign)
        self.client.force_login(self.organiser_a)
        url = reverse("results:policy", args=[campaign.pk])
        self.client.post(
            url, {"question": "overall", "metric": "excellent_rate", "op": "<", "value": "70", "notice_days": "5", "remove": "0"}
        )
        policy = figures.policy_for(Campaign.objects.get(pk=campaign.pk))
        self.assertEqual(policy.rules, [{"question": "overall", "metric": "excellent_rate", "op": "<", "value": 0.7}])
        self.assertEqual(policy.notice_days, 5)
        page = self.client.get(reverse("results:overview", args=[campaign.pk]))
        self.assertContains(page, "总体评价 优秀率 &lt; 70.00%")
        refused = self.client.post(
            url, {"question": "overall", "metric": "satisfaction_rate", "op": ">=", "value": "50", "notice_days": "5"}, follow=True
        )
        self.assertContains(refused, "没有指标")
        self.client.post(url, {"bottom": "1", "notice_days": "5", "remove": "0"})
        self.assertEqual(figures.policy_for(Campaign.objects.get(pk=campaign.pk)).rules, [{"bottom": 1}])


class RulesAndWeightsTest(BaseTestCase):
    def test_a_rule_naming_an_unknown_question_is_refused(self):
        campaign, _group, _pairs = make_campaign(self)
        with self.assertRaises(ValidationError) as caught:
            results_actions.set_policy(
                actor=self.organiser_a,
                campaign=campaign,
                rules=[{"question": "nope", "metric": "excellent_rate", "op": ">=", "value": 0.3}],
            )
        self.assertIn("没有题目", caught.exception.messages[0])
        with self.assertRaises(ValidationError):
            results_actions.set_policy(
                actor=self.organiser_a,
                campaign=campaign,
                rules=[{"question": "overall", "metric": "satisfaction_rate", "op": ">=", "value": 0.3}],
            )
        with self.assertRaises(ValidationError):
            results_actions.set_policy(
                actor=self.organiser_a,
                campaign=campaign,
                rules=[{"question": "overall", "metric": "incompetent_rate", "op": ">=", "value": 33}],
            )

    def test_rules_of_the_wrong_shape_are_refused_and_stored_rules_hold_only_their_fields(self):
        campaign, _group, _pairs = make_campaign(self)
        rule = {"question": "overall", "metric": "score", "op": ">=", "value": 60}
        for bad in (
            {**rule, "question": ["overall"]},
            {**rule, "question": {"k": 1}},
            {**rule, "op": [">="]},
            {**rule, "metric": ["score"]},
            {**rule, "value": float("nan")},
            {**rule, "value": float("inf")},
            {**rule, "value": True},
            {**rule, "metric": "incompetent_rate", "value": 10**400},
            {**rule, "value": 10**400},
            {**rule, "value": -1},
            {"bottom": 2**70},
        ):
            with self.subTest(rule=bad), self.assertRaises(ValidationError):
                results_actions.set_policy(actor=self.organiser_a, campaign=campaign, rules=[bad])
        policy = results_actions.set_policy(
            actor=self.organiser_a, campaign=campaign, rules=[{**rule, "note": "x" * 1000}, {"bottom": 2, "note": "y"}]
        )
        self.assertEqual(policy.rules, [rule, {"bottom": 2}])

    def test_weights_must_sum_to_one_before_opening(self):
        campaign, group, _pairs = make_campaign(self, open_it=False)
        enterprises = actions.add_group(actor=self.organiser_a, campaign=campaign, name="企业", kind="enterprises", weight=0.3)
        with self.assertRaisesMessage(ValidationError, "权重之和应为 1"):
            actions.open_campaign(actor=self.organiser_a, campaign=campaign)
        for bad in ("NaN", "Infinity", "1.5", "七成", "1e308", "1.00001", "-0.00001"):
            with self.assertRaises(ValidationError, msg=bad):
                actions.set_group_weight(actor=self.organiser_a, group=group, weight=bad)
        self.assertEqual(
            actions.set_group_weight(actor=self.organiser_a, group=group, weight="0.69995").weight, Decimal("0.7000")
        )  # rounded as stored, so the audit log and the answer say what is kept
        actions.open_campaign(actor=self.organiser_a, campaign=campaign)
        with self.assertRaises(ValidationError):
            actions.set_group_weight(actor=self.organiser_a, group=enterprises, weight="0.5")

    def test_the_denominator_is_fixed_once_voting_opens(self):
        campaign, _group, _pairs = make_campaign(self)
        with self.assertRaisesMessage(ValidationError, "分母"):
            results_actions.set_policy(actor=self.organiser_a, campaign=campaign, denominator="known")


class TwoGroupsTest(BaseTestCase):
    """Residents (weight 0.6, 12 ballots) and enterprises (weight 0.4): combined figures and small groups."""

    def make(self, enterprise_ballots: int):
        campaign, masses, pairs = make_campaign(self, open_it=False, codes=12)
        actions.set_group_weight(actor=self.organiser_a, group=masses, weight="0.6")
        enterprises = actions.add_group(actor=self.organiser_a, campaign=campaign, name="企业", kind="enterprises", weight=0.4)
        e_pairs = actions.issue_codes(actor=self.organiser_a, campaign=campaign, group=enterprises, count=10, channel="qr")
        campaign = actions.open_campaign(actor=self.organiser_a, campaign=campaign)
        cast_all(campaign, pairs, grade_ballots(campaign, {"excellent": 9, "competent": 3}))
        cast_all(campaign, e_pairs, grade_ballots(campaign, {"excellent": 1, "incompetent": enterprise_ballots - 1}))
        return close_campaign(actor=self.organiser_a, campaign=campaign)

    def test_the_combined_figure_weights_the_groups(self):
        campaign = self.make(enterprise_ballots=6)
        item = figures.subject_figures(campaign, list(campaign.subjects.all()))[0]
        self.assertAlmostEqual(item.combined["overall"]["excellent_rate"], 0.6 * 9 / 12 + 0.4 * 1 / 6)

    def test_a_cell_under_five_is_hidden_everywhere_with_its_complement(self):
        campaign = self.make(enterprise_ballots=3)
        view = present.subject_view(campaign, figures.subject_figures(campaign, list(campaign.subjects.all()))[0])
        # The enterprises' 3 are hidden, and the subject's total with them, else total − 12 would give them away.
        self.assertEqual([c["valid"] for c in view["cells"]], [12, "<5"])
        self.assertEqual(view["valid"], "—")
        self.assertTrue(all(c["n"] == "<5" and not c["rates"] for q in view["questions"] for c in q["cells"][1:]))
        # The combined figure is the residents' alone, so it cannot be solved for the enterprises' figure.
        self.assertEqual(view["questions"][-1]["combined"][0]["value"], 9 / 12)
        self.client.force_login(self.organiser_a)
        page = self.client.get(reverse("results:subject", args=[campaign.pk, view["id"]]))
        self.assertContains(page, "&lt;5")
        self.assertContains(page, "75.00%")
        _type, body = reports.xlsx(campaign)
        from openpyxl import load_workbook

        rows = [row for ws in load_workbook(io.BytesIO(body)) for row in ws.iter_rows(values_only=True)]
        self.assertIn(("企业", 0.4, 10, "<5", "<5", "<5", "<5", 3, "否"), [tuple(r[:9]) for r in rows])
        self.assertNotIn(3, [r[4] for r in rows if r and r[0] == "企业"])


class LifecycleTest(BaseTestCase):
    def setUp(self):
        self.campaign, _group, self.pairs = make_campaign(self, codes=12)
        self.client.force_login(self.organiser_a)

    def close_with(self, n: int):
        cast_all(self.campaign, self.pairs, grade_ballots(self.campaign, {"excellent": n}))
        self.campaign = close_campaign(actor=self.organiser_a, campaign=self.campaign)

    def test_nothing_per_subject_before_close(self):
        cast_all(self.campaign, self.pairs, grade_ballots(self.campaign, {"excellent": 3}))
        page = self.client.get(reverse("results:overview", args=[self.campaign.pk]))
        self.assertRedirects(page, reverse("evaluations:campaign-detail", args=[self.campaign.pk]), fetch_redirect_response=False)
        self.assertFalse(Tally.objects.filter(campaign=self.campaign).exists())
        with self.assertRaisesMessage(ValidationError, "测评结束后才能发布"):
            results_actions.publish(actor=self.organiser_a, campaign=self.campaign)
        key = create_api_key(user=self.organiser_a, name="t")
        response = self.client.get(f"/api/campaigns/{self.campaign.pk}/results", headers={"Authorization": f"Bearer {key}"})
        self.assertEqual(response.status_code, 409)

    def test_a_campaign_without_valid_ballots_cannot_be_published(self):
        self.close_with(0)
        with self.assertRaisesMessage(ValidationError, "没有任何有效票"):
            results_actions.publish(actor=self.organiser_a, campaign=self.campaign)
        subject = self.campaign.subjects.get()
        for url in [
            reverse("results:overview", args=[self.campaign.pk]),
            reverse("results:projector", args=[self.campaign.pk]),
            reverse("results:subject", args=[self.campaign.pk, subject.pk]),
        ]:
            self.assertContains(self.client.get(url), "未达法定票数", msg_prefix=url)
        for kind in ("xlsx", "docx", "pdf"):
            self.assertEqual(self.client.get(reverse("results:report", args=[self.campaign.pk, kind])).status_code, 200)

    def test_publish_once_then_notice_objections_and_answers(self):
        self.close_with(6)
        response = self.client.post(reverse("results:transition", args=[self.campaign.pk, "publish"]))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(AuditEvent.objects.filter(action="results.publish", object_id=str(self.campaign.pk)).exists())
        with self.assertRaisesMessage(ValidationError, "已经发布过"):
            results_actions.publish(actor=self.organiser_a, campaign=self.campaign)
        self.client.logout()
        notice = self.client.get(reverse("notice:detail", args=[self.campaign.pk]))
        self.assertContains(notice, "王书记")
        self.assertContains(notice, "100.00")
        self.assertContains(self.client.get(reverse("notice:list")), self.campaign.name)
        sent = self.client.post(reverse("notice:detail", args=[self.campaign.pk]), {"text": "票数不对", "contact": ""})
        self.assertContains(sent, "已收到")
        empty = self.client.post(reverse("notice:detail", args=[self.campaign.pk]), {"text": "  "})
        self.assertEqual(empty.status_code, 400)
        self.assertContains(empty, "请填写申诉内容", status_code=400)
        objection = Notice.objects.get(campaign=self.campaign).objections.get()
        self.client.force_login(self.organiser_a)
        self.client.post(reverse("results:answer", args=[self.campaign.pk, objection.pk]), {"answer": "已复核，票数无误"})
        self.client.logout()
        self.assertContains(self.client.get(reverse("notice:detail", args=[self.campaign.pk])), "已复核，票数无误")
        public = self.client.get(f"/api/results/{self.campaign.pk}").json()
        self.assertEqual(public["ranking"][0]["headline"], 100.0)

    def test_an_objection_after_the_window_is_refused(self):
        self.close_with(6)
        notice = results_actions.publish(actor=self.organiser_a, campaign=self.campaign)
        Notice.objects.filter(pk=notice.pk).update(objections_until=timezone.now() - timedelta(minutes=1))
        with self.assertRaisesMessage(ValidationError, "公示期已结束"):
            results_actions.object_to(notice=Notice.objects.get(pk=notice.pk), text="迟到的申诉")
        page = self.client.post(reverse("notice:detail", args=[self.campaign.pk]), {"text": "迟到的申诉"})
        self.assertEqual(page.status_code, 400)

    def test_below_quorum_is_published_as_quorum_not_met(self):
        self.close_with(2)  # quorum 3
        row = present.campaign_view(self.campaign)["ranking"][0]
        self.assertEqual((row["quorum_met"], row["headline"], row["rank"]), (False, None, None))

    def test_unpublished_results_are_not_public_and_other_districts_get_404(self):
        self.close_with(6)
        self.client.logout()
        self.assertEqual(self.client.get(reverse("notice:detail", args=[self.campaign.pk])).status_code, 404)
        self.assertEqual(self.client.get(f"/api/results/{self.campaign.pk}").status_code, 404)
        self.client.force_login(self.organiser_b)
        for name, args in [("results:overview", []), ("results:projector", []), ("results:report", ["xlsx"])]:
            self.assertEqual(self.client.get(reverse(name, args=[self.campaign.pk, *args])).status_code, 404)

    def test_pages_and_downloads_after_close(self):
        self.close_with(6)
        subject = self.campaign.subjects.get()
        for url in [reverse("results:overview", args=[self.campaign.pk]), reverse("results:subject", args=[self.campaign.pk, subject.pk])]:
            page = self.client.get(url)
            self.assertContains(page, "<svg", msg_prefix=url)
            self.assertContains(page, "王书记", msg_prefix=url)
        projector = self.client.get(reverse("results:projector", args=[self.campaign.pk]))
        self.assertContains(projector, self.campaign.head_at_close)
        for kind, magic in [("xlsx", b"PK"), ("docx", b"PK"), ("pdf", b"%PDF")]:
            response = self.client.get(reverse("results:report", args=[self.campaign.pk, kind]))
            self.assertEqual(response.content[: len(magic)], magic, kind)


class ReportsTest(BaseTestCase):
    """Exports with 0, 1 and many subjects, and subject names that break Word or Excel."""

    def add_cadres(self, campaign, names):
        cadres = []
        for index, name in enumerate(names):
            number = id_number(500 + index)
            cadre = Cadre.objects.create(
                name=name, id_digest=f"d{index}{number}", id_masked="x", gender="M", birth_year=1980, region=self.community_a
            )
            Post.objects.create(cadre=cadre, region=self.community_a, title="委员", category="member", started_on=timezone.localdate())
            cadres.append(cadre)
        actions.add_subjects(actor=self.organiser_a, campaign=campaign, subjects=cadres)

    def check(self, campaign):
        from docx import Document
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(reports.xlsx(campaign)[1]))
        typed_cells_only(self, reports.xlsx(campaign)[1])
        circular = reports.docx(campaign)[1]
        document = Document(io.BytesIO(circular))
        self.assert_fonts_embedded(circular, document)
        pdf = reports.pdf(campaign)[1]
        self.assertEqual(pdf[:4], b"%PDF")
        self.assertIn(b"/FontFile2", pdf)  # the Chinese font travels inside the file
        self.assertIn(b"WenQuanYiMicroHei", pdf)
        return workbook

    def assert_fonts_embedded(self, circular: bytes, document):
        """The circular carries, for its body font, a font that has every character of its text."""
        with zipfile.ZipFile(io.BytesIO(circular)) as archive:
            table = archive.read("word/fontTable.xml").decode()
            rels = archive.read("word/_rels/fontTable.xml.rels").decode()
            entry = re.search(r'<w:font w:name="仿宋_GB2312">.*?r:id="(rId\d+)" w:fontKey="([^"]+)"', table)
            target = re.search(rf'Id="{entry.group(1)}"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Id="{entry.group(1)}"', rels)
            data = archive.read("word/" + (target.group(1) or target.group(2)))
        font = TTFont(io.BytesIO(obfuscate(data, entry.group(2))))  # XOR twice gives the font back
        body = "".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
        missing = {c for c in body if not c.isspace() and ord(c) not in font.getBestCmap()}
        self.assertEqual(missing, set())
        # Tables set in the body font; the header repeats on each page and keeps with the row below it; no row
        # breaks across a page.
        for table in document.tables:
            for number, row in enumerate(table.rows):
                runs = [run for cell in row.cells for p in cell.paragraphs for run in p.runs]
                self.assertTrue(all(run._element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312" for run in runs))
                self.assertIsNotNone(row._tr.trPr.find(qn("w:cantSplit")))
                if number == 0:
                    self.assertIsNotNone(row._tr.trPr.find(qn("w:tblHeader")))
                    self.assertTrue(all(p.paragraph_format.keep_with_next for cell in row.cells for p in cell.paragraphs))

    def test_one_subject(self):
        campaign, _group, pairs = make_campaign(self, codes=6)
        cast_all(campaign, pairs, grade_ballots(campaign, {"excellent": 5, "competent": 1}))
        campaign = close_campaign(actor=self.organiser_a, campaign=campaign)
        workbook = self.check(campaign)
        self.assertEqual(workbook.sheetnames, ["汇总", "跟进名单", "1 王书记", "计算口径"])
        self.assertEqual([c.value for c in workbook["汇总"][10]][2:5], ["王书记", "光明社区社区书记", 6])
        # Every question's combined figures, not only the headline's: 德·满意度 100, 德·满意率 1 shown as 100.00%.
        self.assertEqual([c.value for c in workbook["汇总"][10]][7:9], [100, 1])
        self.assertEqual(workbook["汇总"][10][8].number_format, "0.00%")
        # A subject's sheet: each rate a percentage, with its numerator and interval beside it, and n in front.
        rows = list(workbook["1 王书记"].iter_rows())
        header = next(r for r in rows if r[0].value == "评价群体" and any(c.value == "优秀率" for c in r))
        names = [c.value for c in header]
        figures = rows[rows.index(header) + 1]
        at = names.index("优秀率")
        self.assertEqual((figures[names.index("n")].value, figures[at].value, figures[at + 1].value), (6, 5 / 6, 5))
        self.assertEqual(figures[at].number_format, "0.00%")
        self.assertEqual(names[at + 1 : at + 4], ["优秀率·分子", "95%区间下限", "95%区间上限"])
        self.assertTrue(0 <= figures[at + 2].value <= 5 / 6 <= figures[at + 3].value <= 1)

    def test_awkward_names(self):
        campaign, _group, pairs = make_campaign(self, open_it=False, codes=6)
        self.add_cadres(campaign, ['=HYPERLINK("x")', "控制\x07字符", "方括号[1]:*?/\\名"])
        campaign = actions.open_campaign(actor=self.organiser_a, campaign=campaign)
        cast_all(campaign, pairs, grade_ballots(campaign, {"excellent": 6}))
        campaign = close_campaign(actor=self.organiser_a, campaign=campaign)
        workbook = self.check(campaign)
        labels = [row[2] for row in workbook["汇总"].iter_rows(min_row=10, values_only=True)]
        self.assertIn('\'=HYPERLINK("x")', labels)
        self.assertIn("控制字符", labels)
        self.assertEqual(len(workbook.sheetnames), 3 + 4)

    def test_no_subject_and_many_subjects(self):
        campaign, _group, _pairs = make_campaign(self, codes=1)
        campaign = close_campaign(actor=self.organiser_a, campaign=campaign)
        Subject.objects.filter(campaign=campaign).delete()
        self.check(campaign)
        campaign, _group, pairs = make_campaign(self, open_it=False, codes=5)
        self.add_cadres(campaign, [f"干部{i:03d}" for i in range(499)])
        campaign = actions.open_campaign(actor=self.organiser_a, campaign=campaign)
        cast_all(campaign, pairs, grade_ballots(campaign, {"competent": 5}))
        campaign = close_campaign(actor=self.organiser_a, campaign=campaign)
        self.assertEqual(len(self.check(campaign).sheetnames), 3 + 500)


class FlagsAndTextTest(BaseTestCase):
    def test_identical_ballots_and_straight_lining_are_flagged_not_dropped(self):
        campaign, _group, pairs = make_campaign(self, open_it=False, codes=12)
        ReportsTest.add_cadres(self, campaign, ["甲", "乙"])
        campaign = actions.open_campaign(actor=self.organiser_a, campaign=campaign)
        cast_all(campaign, pairs, [answers_for(campaign, overall="excellent") for _ in range(12)])
        campaign = close_campaign(actor=self.organiser_a, campaign=campaign)
        kinds = set(ReviewFlag.objects.filter(campaign=campaign).values_list("kind", flat=True))
        self.assertTrue({"identical", "straight"} <= kinds, kinds)
        self.assertEqual(campaign.ballots.count(), 12)
        self.client.force_login(self.organiser_a)
        page = self.client.get(reverse("results:overview", args=[campaign.pk])).content.decode()
        self.assertIn("交回的 12 张测评票中，有 12 张的答案完全相同（占 100.0%）", page)
        self.assertIn("有 12 张对所有对象的所有问题选了同一档", page)
        flags = page[page.index("需要复核") :].split("<ul>")[1].split("</ul>")[0]
        self.assertNotRegex(flags, r"[a-z_]+=")  # a sentence for every flag, no diagnostics

    def test_free_text_is_masked_and_shown_only_from_ten_ballots(self):
        campaign, _group, pairs = make_campaign(self, codes=12)
        texts = ["王书记电话13812345678，停车难"] + ["停车位太少"] * 8
        cast_all(campaign, pairs, [answers_for(campaign, suggestion=t) for t in texts])
        campaign = close_campaign(actor=self.organiser_a, campaign=campaign)
        stored = set(TextAnswer.objects.filter(campaign=campaign).values_list("text", flat=True))
        self.assertIn("王＊＊电话[电话]，停车难", stored)
        self.assertFalse(present.texts_view(campaign)[0]["shown"])  # 9 ballots
        campaign2, _group, pairs = make_campaign(self, codes=12)
        cast_all(campaign2, pairs, [answers_for(campaign2, suggestion=t) for t in texts + ["停车难"]])
        campaign2 = close_campaign(actor=self.organiser_a, campaign=campaign2)
        entry = present.texts_view(campaign2)[0]
        self.assertTrue(entry["shown"])
        self.assertIn("停车", [t["theme"] for t in entry["themes"]] + [t["theme"][:2] for t in entry["themes"]])


class ApiTest(BaseTestCase):
    def test_results_follow_up_and_publish_through_the_api(self):
        campaign, _group, pairs = make_campaign(self, codes=8)
        cast_all(campaign, pairs, grade_ballots(campaign, {"excellent": 2, "incompetent": 4}))
        close_campaign(actor=self.organiser_a, campaign=campaign)
        key = create_api_key(user=self.organiser_a, name="t")
        headers = {"Authorization": f"Bearer {key}"}
        results = self.client.get(f"/api/campaigns/{campaign.pk}/results", headers=headers).json()
        self.assertEqual(results["ranking"][0]["label"], "王书记")
        follow = self.client.get(f"/api/campaigns/{campaign.pk}/follow-up", headers=headers).json()
        self.assertIn("不称职率", follow[0]["rules"][0])
        subject = results["ranking"][0]["id"]
        detail = self.client.get(f"/api/campaigns/{campaign.pk}/results/subjects/{subject}", headers=headers).json()
        self.assertEqual(detail["cells"][0]["valid"], 6)
        bad = self.client.put(
            f"/api/campaigns/{campaign.pk}/result-rules",
            json.dumps({"rules": [{"question": "x"}]}),
            content_type="application/json",
            headers=headers,
        )
        self.assertEqual(bad.status_code, 422)
        self.assertEqual(self.client.post(f"/api/campaigns/{campaign.pk}/publish", headers=headers).status_code, 201)
        again = self.client.post(f"/api/campaigns/{campaign.pk}/publish", headers=headers)
        self.assertEqual(again.status_code, 422)
        schema = self.client.get("/api/openapi.json").json()["paths"]
        self.assertIn("/api/results/{pk}", schema)
        self.assertIn("/api/campaigns/{pk}/follow-up", schema)
        other = create_api_key(user=self.organiser_b, name="t")
        self.assertEqual(
            self.client.get(f"/api/campaigns/{campaign.pk}/results", headers={"Authorization": f"Bearer {other}"}).status_code, 404
        )


class StatsTest(BaseTestCase):
    def test_competition_ranking_with_ties(self):
        self.assertEqual(stats.competition_ranks([90, 95, 90, None, 80]), [2, 1, 2, None, 4])


class CadreSelfServiceTest(BaseTestCase):
    def test_a_cadre_reads_their_own_published_results_and_nothing_else(self):
        campaign, _group, pairs = make_campaign(self, codes=6)
        self.client.force_login(self.cadre_user)
        self.assertRedirects(self.client.get("/console/"), reverse("home"))
        mine = self.client.get(reverse("mine"))
        self.assertContains(mine, campaign.name)
        subject = campaign.subjects.get()
        url = reverse("mine-subject", args=[subject.pk])
        self.assertEqual(self.client.get(url).status_code, 404)  # open: nothing per subject
        cast_all(campaign, pairs, grade_ballots(campaign, {"excellent": 6}))
        campaign = close_campaign(actor=self.organiser_a, campaign=campaign)
        self.assertEqual(self.client.get(url).status_code, 404)  # closed but not published
        results_actions.publish(actor=self.organiser_a, campaign=campaign)
        page = self.client.get(url)
        self.assertContains(page, "优秀率")
        self.assertContains(page, "100.00%")
        self.assertEqual(self.client.get(reverse("results:overview", args=[campaign.pk])).status_code, 403)
        self.client.force_login(self.grid_worker)
        self.assertEqual(self.client.get(url).status_code, 403)


class TrendTest(BaseTestCase):
    def test_a_subject_page_draws_the_trend_across_campaigns_of_the_same_cadre(self):
        for spec in ({"competent": 6}, {"excellent": 6}):
            campaign, _group, pairs = make_campaign(self, codes=6)
            cast_all(campaign, pairs, grade_ballots(campaign, spec))
            campaign = close_campaign(actor=self.organiser_a, campaign=campaign)
        points = present.trend_points(self.organiser_a, campaign.subjects.get())
        self.assertEqual([round(v, 1) for _name, v in points], [80.0, 100.0])
        self.client.force_login(self.organiser_a)
        page = self.client.get(reverse("results:subject", args=[campaign.pk, campaign.subjects.get().pk]))
        self.assertContains(page, "历次测评走势")
        self.assertContains(page, "<polyline")
        self.assertEqual(present.trend_points(self.organiser_b, campaign.subjects.get()), [])  # another district's view


class QueryCountTest(BaseTestCase):
    def test_results_pages_run_the_same_queries_for_one_subject_or_many(self):
        counts = []
        for extra in (0, 6):
            campaign, _group, pairs = make_campaign(self, open_it=False, codes=6)
            ReportsTest.add_cadres(self, campaign, [f"委员{extra}{i}" for i in range(extra)])
            campaign = actions.open_campaign(actor=self.organiser_a, campaign=campaign)
            cast_all(campaign, pairs, grade_ballots(campaign, {"excellent": 6}))
            campaign = close_campaign(actor=self.organiser_a, campaign=campaign)
            self.client.force_login(self.organiser_a)
            pages = []
            for name in ("results:overview", "results:projector"):
                with CaptureQueriesContext(connection) as queries:
                    self.assertEqual(self.client.get(reverse(name, args=[campaign.pk])).status_code, 200)
                pages.append(len(queries))
            counts.append(pages)
        self.assertEqual(counts[0], counts[1])
