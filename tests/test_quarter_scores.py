"""The quarter's scores by the formula, ranks within each sequence, and the awards within their quotas."""

import datetime as dt
import io

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from minping.commitments import actions, exports, periods, scoring
from minping.commitments.models import (
    Score,
)
from minping.evaluations import actions as evaluations
from minping.org.models import Cadre, Post
from tests.base import BaseTestCase, id_number, typed_cells_only
from tests.clock import pinned
from tests.committing import published_form, rate, upload
from tests.test_evidence import photo


class QuarterTest(BaseTestCase):
    def setUp(self):
        evaluations.install_builtin_instruments()
        self.sequence = actions.save_sequence(
            actor=self.organiser_a,
            region=self.street_a,
            name="管理区",
            quotas={"innovation_quota": "1", "excellent_min": "1", "excellent_max": "2", "good_quota": "1"},
        )
        self.cadres = [self.cadre_a]
        for n in range(3):
            number = id_number(950 + n)
            from minping.lib.identity import id_digest, mask_id

            cadre = Cadre.objects.create(
                name=f"干部{n}",
                id_digest=id_digest(number),
                id_masked=mask_id(number),
                gender="M",
                birth_year=1985,
                region=self.community_a,
            )
            Post.objects.create(cadre=cadre, region=self.community_a, title="委员", category="member", started_on=dt.date(2023, 1, 1))
            self.cadres.append(cadre)

    def test_scores_follow_the_formula_ranks_and_awards_keep_the_quotas(self):
        with pinned(dt.date(2026, 8, 10)):
            forms = [published_form(self, cadre=c, user=self.office_a, items=2, sequence=self.sequence) for c in self.cadres]
            outcomes = [("kept", "kept"), ("kept", "partly"), ("partly", "not_kept"), (None, None)]
            for form, pair in zip(forms, outcomes, strict=True):
                for item, outcome in zip(form.items.all(), pair, strict=True):
                    if outcome:
                        actions.add_progress(
                            actor=self.office_a,
                            item=item,
                            percent="100" if outcome == "kept" else "50",
                            text="进展",
                            outcome=outcome,
                            reason="" if outcome == "kept" else "资金未到位",
                            files=[upload("现场.jpg", photo())],
                        )
                        if outcome != "not_kept":
                            actions.review_outcome(actor=self.organiser_a, item=item, verdict="confirmed")
                    else:
                        actions.add_progress(actor=self.office_a, item=item, percent="50", text="进行中")
            sample = actions.draw_sample(actor=self.organiser_a, region=self.district_a, month=forms[0].month, size=100)
            first_check = sample.checks.get(item=forms[0].items.first())
            actions.record_check(actor=self.organiser_a, check=first_check, verdict="partly", note="部分路段未修")
            year, quarter = periods.quarter_of(forms[0].month)
            assessment = actions.assess_quarter(actor=self.organiser_a, region=self.street_a, year=year, quarter=quarter)
        scores = {s.label: s for s in assessment.scores.all()}
        top = scores["王书记"]
        # fulfilment (60 as the check found it partly kept + 100) ÷ 2, verification 60, no rating: (0.5×80 + 0.2×60) ÷ 0.7
        self.assertEqual((top.fulfilment, top.verification, top.rating), (80.0, 60.0, None))
        self.assertAlmostEqual(top.score, round((0.5 * 80 + 0.2 * 60) / 0.7, 2))
        self.assertEqual(scores["干部0"].score, 80.0)  # (100 + 60) ÷ 2, nothing else
        self.assertEqual(scores["干部1"].score, 30.0)
        self.assertEqual(scores["干部2"].score, 30.0)  # two open items at 50% count 50 × 0.6
        self.assertEqual([scores[n].rank for n in ("干部0", "王书记", "干部1", "干部2")], [1, 2, 3, 3])
        self.assertEqual([scores[n].proposed for n in ("干部0", "王书记", "干部1", "干部2")], ["innovation", "excellent", "", ""])
        # the tie at 3rd is not broken for 良好奖, and the proposal says so: the organiser decides, within the quota
        self.assertEqual(assessment.notes, ["“管理区”序列第 3 名并列（干部1、干部2），超出良好奖的名额，系统不作取舍，请组织部门决定"])
        actions.set_award(actor=self.organiser_a, score=scores["干部1"], award="good")
        with self.assertRaisesMessage(ValidationError, "最多 1 个，已经评满"):
            actions.set_award(actor=self.organiser_a, score=scores["干部2"], award="good")
        with self.assertRaisesMessage(ValidationError, "最多 1 个"):
            actions.set_award(actor=self.organiser_a, score=scores["干部2"], award="innovation")
        actions.set_award(actor=self.organiser_a, score=scores["干部2"], award="excellent")  # 优秀奖 up to 2
        with self.assertRaises(PermissionDenied):
            actions.set_award(actor=self.organiser_b, score=scores["干部2"], award="")
        with pinned(dt.date(2026, 10, 1)):
            actions.confirm_awards(actor=self.organiser_a, assessment=assessment)
        with self.assertRaisesMessage(ValidationError, "已确认"):
            actions.assess_quarter(actor=self.organiser_a, region=self.street_a, year=year, quarter=quarter)
        with self.assertRaisesMessage(ValidationError, "奖项不能再改"):
            actions.set_award(actor=self.organiser_a, score=scores["干部2"], award="")
        self.assertEqual(Score.objects.filter(award="excellent").count(), 2)
        # exports
        book = load_workbook(io.BytesIO(exports.quarter_workbook(assessment)))
        rows = list(book.active.iter_rows(values_only=True))
        self.assertIn("王书记", [r[2] for r in rows])
        self.assertTrue(exports.quarter_document(assessment).startswith(b"PK"))
        self.client.force_login(self.organiser_a)
        page = self.client.get(reverse("commitments:quarter", args=[assessment.pk]))
        self.assertContains(page, "季度得分 = (践诺完成×0.5 + 实地核查×0.2 + 群众评诺×0.3)")
        self.assertContains(page, "尚未经街道（社区）或抽样督评核实的结果按进行中计")
        self.assertContains(page, "群众评诺（满意率×100）")
        self.assertContains(page, "这是满意率，不是测评结果页上的“满意度”")
        sheet = self.client.get(reverse("commitments:quarter", args=[assessment.pk]), {"format": "xlsx"})
        rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
        self.assertIn("王书记", [r[2] for r in rows])
        typed_cells_only(self, sheet.content)
        self.assertIn("群众评诺", [r[0] for r in rows])  # the definitions under the table
        self.assertIsInstance(next(r for r in rows if r[2] == "王书记")[7], float)  # the quarter's score, a number

    def test_weights_must_add_up_and_a_quarter_without_commitments_is_refused(self):
        with self.assertRaisesMessage(ValidationError, "三项权重之和应为 1"):
            scoring.clean_weights({"fulfilment": "0.5", "verification": "0.5", "rating": "0.5"})
        with self.assertRaisesMessage(ValidationError, "应为数字"):
            scoring.clean_weights({"fulfilment": "很多"})
        with self.assertRaisesMessage(ValidationError, "没有公开的承诺"):
            actions.assess_quarter(actor=self.organiser_a, region=self.street_a, year=2020, quarter=1)
        with self.assertRaisesMessage(ValidationError, "优秀奖最少名额不能多于最多名额"):
            actions.save_sequence(
                actor=self.organiser_a,
                region=self.street_a,
                name="办所",
                quotas={"innovation_quota": "1", "excellent_min": "5", "excellent_max": "4", "good_quota": "2"},
            )

    def test_ratings_enter_the_score(self):
        form = published_form(self, items=1, sequence=self.sequence)
        campaign = actions.open_rating(actor=self.organiser_a, region=self.community_a, month=form.month, quorum=5)
        subject = campaign.subjects.get()
        rate(self, campaign, [{subject.pk: "satisfied"}] * 3 + [{subject.pk: "fairly"}] * 2 + [{subject.pk: "dissatisfied"}] * 5)
        year, quarter = periods.quarter_of(form.month)
        assessment = actions.assess_quarter(actor=self.organiser_a, region=self.street_a, year=year, quarter=quarter)
        score = assessment.scores.get()
        self.assertEqual(score.rating, 50.0)
        # fulfilment: the open item at 0% scores 0; rating 50: (0.5×0 + 0.3×50) ÷ 0.8
        self.assertAlmostEqual(score.score, round(0.3 * 50 / 0.8, 2))
