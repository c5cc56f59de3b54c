"""The composite assessment: a hand-worked scheme (superiors' sheets, a custom indicator and a mass evaluation
with a part missing for two members), quota, veto and follow-up rules, calibration, publication, appeals and the
refusals of bad input."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError

from minping.assessment import actions, engine, sources
from minping.assessment.models import FollowUp, Result, Scheme
from minping.lib.identity import id_digest, mask_id
from minping.org.models import Cadre, Post
from minping.results import actions as results_actions
from minping.results.actions import close_campaign
from tests.base import BaseTestCase, id_number
from tests.clock import pinned
from tests.evaluating import answers_for, cast_all, make_campaign

YEAR_END = dt.date(2026, 12, 20)

DEFINITION = {
    "components": [
        {
            "key": "superior",
            "label": "上级考评",
            "kind": "superior",
            "weight": 0.5,
            "conversion": "direct",
            "criteria": [{"key": "overall", "label": "总体", "weight": 1}],
        },
        {"key": "kpi", "label": "为民办实事", "kind": "kpi", "weight": 0.3, "conversion": "direct", "target": 10, "direction": "higher"},
        {
            "key": "mass",
            "label": "群众满意率",
            "kind": "mass",
            "weight": 0.2,
            "conversion": "direct",
            "campaigns": [],
            "figure": "satisfaction_rate",
        },
    ],
    "grades": [{"label": "优秀", "min": 90}, {"label": "称职", "min": 75}, {"label": "基本称职", "min": 60}, {"label": "不称职", "min": 0}],
    "quota": {"grade": "优秀", "share": 0.15},
    "forced": None,
    "vetoes": [{"kind": "finding"}],
    "veto_grade": "不称职",
    "bonus_cap": 5,
    "missing": "reweight",
    "post_rule": "year_end",
    "categories": ["secretary"],
    "follow_ups": [{"kind": "诫勉谈话", "when": "bottom", "n": 1}, {"kind": "调整", "when": "veto"}],
}


def make_cadre(name: str, serial: int, place, started=dt.date(2020, 1, 1), ended=None) -> Cadre:
    number = id_number(serial)
    cadre = Cadre.objects.create(
        name=name, id_digest=id_digest(number), id_masked=mask_id(number), gender="M", birth_year=1980, region=place
    )
    Post.objects.create(cadre=cadre, region=place, title="社区书记", category="secretary", started_on=started, ended_on=ended)
    return cadre


class AssessmentTestCase(BaseTestCase):
    def setUp(self):
        with pinned(dt.date(2026, 11, 2)):
            campaign, _group, pairs = make_campaign(self, codes=6)
            cast_all(campaign, pairs, [answers_for(campaign, each="satisfied")] * 6)
            campaign = close_campaign(actor=self.organiser_a, campaign=campaign)
            results_actions.publish(actor=self.organiser_a, campaign=campaign)
            self.campaign = campaign
            campaign.refresh_from_db()
        self.chen = make_cadre("陈书记", 903, self.street_a)
        self.zhou = make_cadre("周书记", 904, self.other_street_a)
        with pinned(YEAR_END):
            self.scheme = actions.create_scheme(
                actor=self.organiser_a, region=self.district_a, template="secretary_year", year=2026, name="书记年度考核"
            )
            definition = {**DEFINITION, "components": [dict(c) for c in DEFINITION["components"]]}
            definition["components"][2]["campaigns"] = [self.campaign.pk]
            self.scheme = actions.save_definition(actor=self.organiser_a, scheme=self.scheme, definition=definition)
            actions.set_raters(actor=self.organiser_a, scheme=self.scheme, raters=[self.organiser_a])
            for cadre, points in ((self.cadre_a, 90), (self.chen, 80), (self.zhou, 70)):
                actions.rate(actor=self.organiser_a, scheme=self.scheme, member=cadre.pk, scores={"overall": points})
            actions.set_measure(actor=self.organiser_a, scheme=self.scheme, component="kpi", member=self.cadre_a.pk, actual="8")
            actions.set_measure(actor=self.organiser_a, scheme=self.scheme, component="kpi", member=self.chen.pk, actual="12")
            actions.add_adjustment(
                actor=self.organiser_a, scheme=self.scheme, member=self.chen.pk, points="3", reason="市级表彰", evidence="区委〔2026〕12号"
            )
            actions.add_adjustment(
                actor=self.organiser_a, scheme=self.scheme, member=self.zhou.pk, points="-1", reason="会议缺席", evidence="通报〔2026〕3号"
            )

    def run_it(self, **kwargs):
        with pinned(YEAR_END):
            return actions.run_scheme(actor=self.organiser_a, scheme=self.scheme, **kwargs)

    def results(self, run) -> dict:
        return {r.label: r for r in run.results.all()}


class HandWorkedExample(AssessmentTestCase):
    def test_scores_contributions_and_grades_match_the_hand_worked_example(self):
        found = self.results(self.run_it())
        wang, chen, zhou = found["王书记"], found["陈书记"], found["周书记"]
        # 王: (0.5 × 90 + 0.3 × 80 + 0.2 × 100) ÷ 1.0 = 89.00: 6 of 6 ballots satisfied, rate 100%
        self.assertEqual(wang.score, 89.0)
        self.assertEqual([p["contribution"] for p in wang.parts], [45.0, 24.0, 20.0])
        self.assertEqual(wang.proposed, "称职")
        # 陈: not evaluated by residents; (0.5 × 80 + 0.3 × 100) ÷ 0.8 = 87.5, plus 3 = 90.5: 优秀 by the line,
        # but 15% of 3 members is 0 places
        self.assertEqual(chen.score, 90.5)
        self.assertEqual([p.get("contribution") for p in chen.parts], [50.0, 37.5, None])
        self.assertEqual(chen.parts[2]["missing"], "未参加所选测评")
        self.assertIsNone(chen.parts[2]["points"])
        self.assertEqual(chen.proposed, "称职")
        self.assertIn("至多 0 人", chen.reasons[-1])
        self.assertIn("重新折算（权重合计 0.8）", chen.reasons[0])
        # 周: 0.5 × 70 ÷ 0.5 = 70, minus 1 = 69: 基本称职, last of the ranking → 诫勉谈话
        self.assertEqual(zhou.score, 69.0)
        self.assertEqual(zhou.proposed, "基本称职")
        self.assertEqual([f["kind"] for f in zhou.follow_ups], ["诫勉谈话"])
        self.assertEqual(
            [(r.label, r.rank) for r in sorted(found.values(), key=lambda r: r.rank)], [("陈书记", 1), ("王书记", 2), ("周书记", 3)]
        )

    def test_top_and_bottom_lists_of_each_category(self):
        from minping.assessment.exports import rolls

        run = self.run_it()
        self.assertEqual(
            [(c, [r.label for r in top], [r.label for r in bottom]) for c, top, bottom in rolls(run, list(run.results.all()))],
            [("书记", ["陈书记", "王书记", "周书记"], [])],
        )
        run.definition["roll"] = 1
        self.assertEqual(
            [([r.label for r in top], [r.label for r in bottom]) for _c, top, bottom in rolls(run, list(run.results.all()))],
            [(["陈书记"], ["周书记"])],
        )

    def test_a_campaign_figure_below_five_ballots_is_no_data_not_a_number(self):
        from minping.evaluations import actions as evaluations

        with pinned(dt.date(2026, 11, 3)):
            small = evaluations.create_campaign(
                actor=self.organiser_a,
                name="小范围测评",
                region=self.street_a,
                instrument=self.campaign.instrument_version.instrument,
                channels=["qr"],
                quorum=3,
            )
            evaluations.add_subjects(actor=self.organiser_a, campaign=small, subjects=[self.chen])
            pairs = evaluations.issue_codes(actor=self.organiser_a, campaign=small, group=small.groups.get(), count=3, channel="qr")
            small = evaluations.open_campaign(actor=self.organiser_a, campaign=small)
            cast_all(small, pairs, [answers_for(small, each="dissatisfied")] * 3)
            results_actions.publish(actor=self.organiser_a, campaign=close_campaign(actor=self.organiser_a, campaign=small))
        self.scheme.definition["components"][2]["campaigns"] = [self.campaign.pk, small.pk]
        actions.save_definition(actor=self.organiser_a, scheme=self.scheme, definition=self.scheme.definition)
        chen = self.results(self.run_it())["陈书记"]
        self.assertIsNone(chen.parts[2]["value"])
        self.assertEqual(chen.parts[2]["missing"], "有少于5票的单元格，不公布")
        self.assertEqual(chen.score, 90.5)  # as without the campaign: three ballots are not a figure

    def test_a_run_recomputes_exactly_from_its_snapshot(self):
        run = self.run_it()
        actions.rate(actor=self.organiser_a, scheme=self.scheme, member=self.zhou.pk, scores={"overall": 99})  # the records move on
        stored = sorted((r.ref, r.score, r.proposed, r.rank) for r in run.results.all())
        self.assertEqual(sorted(engine.recompute(run.definition, run.inputs)), stored)
        self.assertNotEqual(sorted((r.ref, r.score) for r in self.run_it().results.all()), [(ref, score) for ref, score, *_ in stored])

    def test_no_grade_rule_leaves_a_member_without_data_ungraded_never_zero(self):
        self.scheme.definition["missing"] = "no_grade"
        actions.save_definition(actor=self.organiser_a, scheme=self.scheme, definition=self.scheme.definition)
        chen = self.results(self.run_it())["陈书记"]
        self.assertIsNone(chen.score)
        self.assertEqual(chen.proposed, "")
        self.assertIn("群众满意率数据不足，不定等次", chen.reasons)

    def test_a_veto_finding_gives_the_veto_grade_and_its_follow_up(self):
        actions.add_adjustment(
            actor=self.organiser_a,
            scheme=self.scheme,
            member=self.cadre_a.pk,
            points="0",
            reason="违反廉洁纪律查实",
            evidence="纪委〔2026〕7号",
            veto=True,
        )
        wang = self.results(self.run_it())["王书记"]
        self.assertEqual(wang.score, 89.0)
        self.assertEqual(wang.proposed, "不称职")
        self.assertIn("一票否决：违反廉洁纪律查实（纪委〔2026〕7号）", wang.reasons[-1])
        self.assertIn({"kind": "调整", "rule": "被一票否决"}, wang.follow_ups)

    def test_ties_across_the_quota_are_not_broken(self):
        members = [
            {"ref": i, "label": name, "category": "", "values": {"k": {"value": value}}, "adjustments": []}
            for i, (name, value) in enumerate([("甲", 95), ("乙", 95), ("丙", 80), ("丁", 70), ("戊", 60), ("己", 50), ("庚", 50)])
        ]
        definition = {
            "components": [{"key": "k", "label": "k", "weight": 1, "conversion": "direct"}],
            "grades": [{"label": "优秀", "min": 90}, {"label": "合格", "min": 0}],
            "quota": {"grade": "优秀", "share": 0.15},
            "bonus_cap": 0,
            "missing": "reweight",
            "veto_grade": "合格",
        }
        results, notes = engine.compute(definition, members)
        self.assertEqual([r["proposed"] for r in results[:2]], ["合格", "合格"])
        self.assertIn("甲、乙并列 95 分", notes[0])

    def test_point_table_best_and_z_conversions(self):
        self.assertEqual(engine.points_of({"conversion": "table", "table": [[95, 100], [90, 90], [80, 70]]}, 92.0, []), 90)
        self.assertEqual(engine.points_of({"conversion": "table", "table": [[95, 100], [80, 70]]}, 60.0, []), 0.0)
        self.assertEqual(engine.points_of({"conversion": "best"}, 40.0, [40.0, 80.0]), 50.0)
        self.assertEqual(engine.points_of({"conversion": "z"}, 90.0, [70.0, 90.0]), 85.0)


class YearEndCycle(AssessmentTestCase):
    def test_calibrate_publish_appeal_rerun_and_follow_up(self):
        run = self.run_it()
        wang = run.results.get(ref=self.cadre_a.pk)
        with self.assertRaises(ValidationError):
            actions.override(actor=self.organiser_a, result=wang, grade="优秀", reason="  ")
        actions.override(actor=self.organiser_a, result=wang, grade="优秀", reason="全年重点任务完成突出，考核委员会审定")
        with pinned(YEAR_END):
            actions.publish(actor=self.organiser_a, scheme=self.scheme)
        self.scheme.refresh_from_db()
        self.assertEqual(self.scheme.status, Scheme.Status.PUBLISHED)
        self.assertEqual(sorted(FollowUp.objects.values_list("result__label", "kind")), [("周书记", "诫勉谈话")])
        with self.assertRaises(ValidationError):
            actions.override(actor=self.organiser_a, result=wang, grade="称职", reason="再议")
        with self.assertRaises(ValidationError):  # inputs stay as published without an appeal
            actions.rate(actor=self.organiser_a, scheme=self.scheme, member=self.chen.pk, scores={"overall": 95})
        chen = run.results.get(ref=self.chen.pk)
        with self.assertRaises(PermissionDenied):  # someone else's result
            actions.file_appeal(actor=self.cadre_user, result=chen, text="不服")
        with pinned(dt.date(2026, 12, 25)):
            appeal = actions.file_appeal(actor=self.cadre_user, result=wang, text="为民办实事实际完成 10 件，统计漏报 2 件")
        with pinned(dt.date(2026, 12, 26)):
            actions.set_measure(
                actor=self.organiser_a, scheme=self.scheme, component="kpi", member=self.cadre_a.pk, actual="10", note="复核补报"
            )
            actions.decide_appeal(actor=self.organiser_a, appeal=appeal, decision="经复核，补报属实，重新计算", changed=True)
        self.scheme.refresh_from_db()
        appeal.refresh_from_db()
        new = Result.objects.get(run=self.scheme.published_run, ref=self.cadre_a.pk)
        self.assertEqual(self.scheme.published_run.number, 2)
        self.assertEqual(appeal.rerun_id, self.scheme.published_run_id)
        self.assertEqual(new.score, 95.0)  # 45 + 0.3 × 100 + 20
        self.assertEqual((new.grade, new.override_reason), ("优秀", "全年重点任务完成突出，考核委员会审定"))
        self.assertEqual(Result.objects.get(run=run, ref=self.cadre_a.pk).score, 89.0)  # both versions on record
        with pinned(dt.date(2027, 1, 5)), self.assertRaises(ValidationError):
            actions.file_appeal(actor=self.cadre_user, result=new, text="再申诉")
        talk = FollowUp.objects.get()
        with self.assertRaises(ValidationError):
            actions.schedule_follow_up(actor=self.organiser_a, follow_up=talk, due_on=None, done_on=dt.date(2026, 12, 1), note="")
        with pinned(dt.date(2027, 1, 10)):
            actions.schedule_follow_up(
                actor=self.organiser_a, follow_up=talk, due_on=dt.date(2027, 1, 8), done_on=dt.date(2027, 1, 8), note="已谈话"
            )
        talk.refresh_from_db()
        self.assertEqual((talk.done_on, talk.note), (dt.date(2027, 1, 8), "已谈话"))


class BadInput(AssessmentTestCase):
    def edited(self, **changes):
        definition = {**self.scheme.definition, **changes}
        return actions.save_definition(actor=self.organiser_a, scheme=self.scheme, definition=definition)

    def test_weights_must_sum_to_one(self):
        parts = [dict(c) for c in self.scheme.definition["components"]]
        parts[0]["weight"] = 0.6
        with self.assertRaisesMessage(ValidationError, "权重之和应为 1（现为 1.1）"):
            self.edited(components=parts)

    def test_a_campaign_of_another_region_or_unpublished_is_refused(self):
        self.assertEqual(self.campaign.status, "published")
        other, _group, _pairs = make_campaign(self, open_it=False)
        parts = [dict(c) for c in self.scheme.definition["components"]]
        parts[2]["campaigns"] = [other.pk]
        with self.assertRaisesMessage(ValidationError, "结果尚未发布"):
            self.edited(components=parts)
        other.region = self.district_b
        other.save()
        with self.assertRaisesMessage(ValidationError, "不在本区域"):
            self.edited(components=parts)

    def test_grades_quota_and_vetoes_must_be_meetable(self):
        with self.assertRaisesMessage(ValidationError, "名额指向的等次不存在"):
            self.edited(quota={"grade": "特等", "share": 0.2})
        with self.assertRaisesMessage(ValidationError, "比例应在 0.01 到 1 之间"):
            self.edited(quota={"grade": "优秀", "share": 1.5})
        with self.assertRaisesMessage(ValidationError, "最后一个等次从 0 分起"):
            self.edited(grades=[{"label": "优秀", "min": 90}, {"label": "合格", "min": 60}])

    def test_the_post_that_counts_for_a_cadre_who_moved(self):
        moved = make_cadre("吴书记", 905, self.community_a, started=dt.date(2019, 1, 1), ended=dt.date(2026, 8, 31))
        Post.objects.create(cadre=moved, region=self.community_b, title="社区书记", category="secretary", started_on=dt.date(2026, 9, 1))
        self.assertNotIn(moved.pk, [m["ref"] for m in sources.members(self.scheme)])  # 31 December: district B
        self.edited(post_rule="longest")
        self.scheme.refresh_from_db()
        self.assertIn(moved.pk, [m["ref"] for m in sources.members(self.scheme)])  # eight months in district A

    def test_only_named_raters_rate_and_outsiders_do_not_see_the_scheme(self):
        with self.assertRaises(PermissionDenied):
            actions.rate(actor=self.office_a, scheme=self.scheme, member=self.cadre_a.pk, scores={"overall": 100})
        with self.assertRaises(PermissionDenied):
            actions.run_scheme(actor=self.organiser_b, scheme=self.scheme)
        self.client.force_login(self.organiser_b)
        self.assertEqual(self.client.get(f"/assessment/{self.scheme.pk}/").status_code, 404)

    def test_an_adjustment_needs_its_reason_and_evidence(self):
        with self.assertRaisesMessage(ValidationError, "请填写依据"):
            actions.add_adjustment(actor=self.organiser_a, scheme=self.scheme, member=self.chen.pk, points="2", reason="表彰", evidence="")
        with self.assertRaisesMessage(ValidationError, "不在这个方案的参评范围内"):
            actions.add_adjustment(
                actor=self.organiser_a, scheme=self.scheme, member=self.cadre_b.pk, points="2", reason="表彰", evidence="文"
            )


class Pages(AssessmentTestCase):
    def test_the_cohort_page_explanation_and_files(self):
        run = self.run_it()
        self.client.force_login(self.organiser_a)
        page = self.client.get(f"/assessment/runs/{run.pk}/")
        self.assertContains(page, "陈书记")
        self.assertContains(page, "按留存的输入重算，结果一致")
        chen = run.results.get(ref=self.chen.pk)
        detail = self.client.get(f"/assessment/results/{chen.pk}/")
        self.assertContains(detail, "未参加所选测评")
        self.assertContains(detail, "区委〔2026〕12号")
        refused = self.client.post(f"/assessment/results/{chen.pk}/", {"grade": "优秀", "reason": ""})
        self.assertEqual(refused.status_code, 400)
        chen.refresh_from_db()
        self.assertEqual(chen.grade, "称职")
        workbook = self.client.get(f"/assessment/runs/{run.pk}/?format=xlsx")
        self.assertEqual(workbook.status_code, 200)
        from tests.base import typed_cells_only

        typed_cells_only(self, workbook.content)
        notice = self.client.get(f"/assessment/runs/{run.pk}/?format=docx")
        self.assertEqual(notice.status_code, 200)
        record = self.client.get(f"/assessment/cadres/{self.cadre_a.pk}/?format=pdf")
        self.assertEqual(record.content[:4], b"%PDF")


class Api(AssessmentTestCase):
    def test_schemes_runs_and_results_for_the_keys_region_only(self):
        from tests.base import api_key

        run = self.run_it()
        key = api_key(user=self.organiser_a, name="考核")
        headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
        listed = self.client.get("/api/assessment/schemes?year=2026", **headers).json()
        self.assertEqual([s["name"] for s in listed], ["书记年度考核"])
        runs = self.client.get(f"/api/assessment/schemes/{self.scheme.pk}/runs", **headers).json()
        self.assertEqual([(r["number"], r["published"]) for r in runs], [(1, False)])
        body = self.client.get(f"/api/assessment/runs/{run.pk}", **headers).json()
        chen = next(r for r in body["results"] if r["label"] == "陈书记")
        self.assertEqual((chen["score"], chen["grade"]), (90.5, "称职"))
        self.assertEqual(chen["parts"][2]["missing"], "未参加所选测评")
        other = {"HTTP_AUTHORIZATION": f"Bearer {api_key(user=self.organiser_b, name='乙')}"}
        self.assertEqual(self.client.get(f"/api/assessment/runs/{run.pk}", **other).status_code, 404)
        cadre = {"HTTP_AUTHORIZATION": f"Bearer {api_key(user=self.cadre_user, name='干部')}"}
        self.assertEqual(self.client.get("/api/assessment/schemes", **cadre).status_code, 403)


class CommunityDoubleEvaluation(BaseTestCase):
    """Seed 001's 双评: a community's residents' satisfaction and the superiors' sheet grade it 示范/标准/普通."""

    def test_a_community_is_graded_and_a_campaign_without_the_figure_is_refused(self):
        from minping.evaluations import actions as evaluations
        from minping.evaluations.models import Instrument

        evaluations.install_builtin_instruments()
        with pinned(dt.date(2026, 11, 2)):
            campaign = evaluations.create_campaign(
                actor=self.organiser_a,
                name="光明社区工作群众评议",
                region=self.community_a,
                instrument=Instrument.objects.get(builtin_key="community_work", region__isnull=True),
                channels=["qr"],
                quorum=3,
            )
            evaluations.add_subjects(actor=self.organiser_a, campaign=campaign, subjects=[self.community_a])
            pairs = evaluations.issue_codes(actor=self.organiser_a, campaign=campaign, group=campaign.groups.get(), count=5, channel="qr")
            campaign = evaluations.open_campaign(actor=self.organiser_a, campaign=campaign)
            cast_all(campaign, pairs, [answers_for(campaign, each="satisfied")] * 4 + [answers_for(campaign, each="dissatisfied")])
            results_actions.publish(actor=self.organiser_a, campaign=close_campaign(actor=self.organiser_a, campaign=campaign))
        with pinned(YEAR_END):
            scheme = actions.create_scheme(actor=self.organiser_a, region=self.district_a, template="community_double", year=2026)
            definition = scheme.definition
            for part in definition["components"][:2]:
                part["campaigns"] = [campaign.pk]
            with self.assertRaisesMessage(ValidationError, "的测评表没有优秀率"):
                actions.save_definition(actor=self.organiser_a, scheme=scheme, definition=definition)
            definition["components"][1]["weight"], definition["components"][1]["campaigns"] = 0, []
            definition["components"][0]["weight"] = 0.6
            scheme = actions.save_definition(actor=self.organiser_a, scheme=scheme, definition=definition)
            actions.set_raters(actor=self.organiser_a, scheme=scheme, raters=[self.organiser_a])
            actions.rate(
                actor=self.organiser_a, scheme=scheme, member=self.community_a.pk, scores={"service": 90, "order": 80, "party": 100}
            )
            result = actions.run_scheme(actor=self.organiser_a, scheme=scheme).results.get()
        # 满意率 4 of 5 = 80; the sheet 0.4 × 90 + 0.3 × 80 + 0.3 × 100 = 90; (0.6 × 80 + 0.4 × 90) ÷ 1.0 = 84 → 标准
        self.assertEqual((result.label, result.score, result.proposed), ("光明社区", 84.0, "标准"))


class EvidenceScan(AssessmentTestCase):
    def test_a_bonus_item_keeps_its_scan_and_a_refused_post_keeps_nothing(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from minping.assessment.models import Adjustment
        from minping.evidence.models import Evidence
        from tests.browser import jpeg

        self.client.force_login(self.organiser_a)
        scan = SimpleUploadedFile("表彰通报.jpg", jpeg(), content_type="image/jpeg")
        post = {"member": self.cadre_a.pk, "points": "1", "reason": "抗洪抢险表彰", "evidence": "区委〔2026〕20号", "file": scan}
        self.assertEqual(self.client.post(f"/assessment/{self.scheme.pk}/inputs/", post).status_code, 302)
        item = Adjustment.objects.get(reason="抗洪抢险表彰")
        self.assertEqual(item.file.purpose, "assessment.adjustment")
        page = self.client.get(f"/assessment/{self.scheme.pk}/inputs/")
        self.assertContains(page, f"/files/{item.file.pk}/")
        before = Evidence.objects.count()
        refused = {**post, "evidence": "", "file": SimpleUploadedFile("b.jpg", jpeg(), content_type="image/jpeg")}
        self.assertEqual(self.client.post(f"/assessment/{self.scheme.pk}/inputs/", refused).status_code, 400)
        self.assertEqual(Evidence.objects.count(), before)


class PerformanceSources(BaseTestCase):
    """The performance parts read the other modules' records: confirmed quarter scores and awards, a secondment's
    visits against its target, work logs against a target, and a department's dispatch rates."""

    def test_commitments_secondment_and_work_logs_of_a_cadre(self):
        from minping.commitments.models import Assessment, Score
        from minping.fieldwork import actions as fieldwork
        from minping.fieldwork.models import ContactKind
        from minping.grid import actions as grid
        from minping.org.models import Household

        with pinned(dt.date(2026, 11, 18)):
            for quarter, points, award in ((1, 80, ""), (2, 90, "excellent")):
                found = Assessment.objects.create(
                    region=self.community_a, year=2026, quarter=quarter, weights={}, status="confirmed", computed_by=self.organiser_a
                )
                Score.objects.create(
                    assessment=found, cadre=self.cadre_a, label="王书记", items=2, fulfilment=points, score=points, rank=1, award=award
                )
            Household.objects.create(code="HA002", address="幸福路2号", region=self.grid_a)
            grid.assign_worker(
                actor=self.office_a,
                grid=self.grid_a,
                worker=self.cadre_user,
                starts_on=dt.date(2026, 11, 1),
                secondment=True,
                target_visits=4,
            )
            for household in Household.objects.filter(region=self.grid_a):
                grid.record_visit(actor=self.cadre_user, household=household, visited_on=dt.date(2026, 11, 18))
            contact = fieldwork.add_contact(
                actor=self.office_a,
                cadre=self.cadre_a,
                kind=ContactKind.objects.get(code="community"),
                record=self.community_a,
                starts_on=dt.date(2026, 1, 1),
            )
            fieldwork.record_entry(actor=self.cadre_user, contact=contact, on=dt.date(2026, 11, 18), form="visit", discussed="走访")
            scheme = actions.create_scheme(actor=self.organiser_a, region=self.district_a, template="hard_work", year=2026)
            scheme = actions.save_definition(
                actor=self.organiser_a,
                scheme=scheme,
                definition={
                    **scheme.definition,
                    "components": [
                        {"key": "commitments", "label": "公开承诺", "kind": "commitments", "weight": 0.4, "award_points": {"excellent": 1}},
                        {"key": "secondment", "label": "下沉任务", "kind": "secondment", "weight": 0.3},
                        {"key": "logs", "label": "工作日志", "kind": "fieldwork", "weight": 0.3, "figure": "entries", "target": 2},
                    ],
                },
            )
            result = actions.run_scheme(actor=self.organiser_a, scheme=scheme).results.get(ref=self.cadre_a.pk)
        commitments, secondment, logs = result.parts
        self.assertEqual((commitments["value"], commitments["text"]), (85.0, "第1季度 80 分；第2季度 90 分"))
        self.assertEqual(secondment["value"], 50.0)  # 2 visits of the 4 expected
        self.assertIn("下沉 18 天", secondment["text"])  # 1 to 18 November, served so far
        self.assertEqual(logs["value"], 50.0)  # 1 entry of a target of 2
        # 0.4 × 85 + 0.3 × 50 + 0.3 × 50 = 64, plus 1 for the 优秀奖 of the second quarter
        self.assertEqual((result.score, result.adjustment), (65.0, 1.0))
        self.assertEqual(result.run.inputs["members"][0]["adjustments"][0]["reason"], "第2季度优秀奖")

    def test_a_departments_dispatch_rates(self):
        from minping.grid import actions as grid
        from minping.grid.models import Category

        grid.install_categories(Category)
        lamps = (
            Category.objects.get(code="street_lamp") if Category.objects.filter(code="street_lamp").exists() else Category.objects.first()
        )
        with pinned(dt.date(2026, 11, 18)):
            grid.save_route(actor=self.office_a, category=lamps, region=self.street_a, unit=self.unit_a)
            problem, _new = grid.report_problem(
                actor=self.grid_worker, category=lamps, region=self.grid_a, address="幸福路1号", description="路灯不亮"
            )
            grid.receive_problem(actor=self.handler, problem=problem)
            scheme = actions.create_scheme(actor=self.organiser_a, region=self.district_a, template="department_year", year=2026)
            definition = scheme.definition
            definition["components"][0]["weight"] = 0  # no evaluation of departments this year
            definition["components"][1]["weight"] = 0.7
            scheme = actions.save_definition(actor=self.organiser_a, scheme=scheme, definition=definition)
            results = {r.label: r for r in actions.run_scheme(actor=self.organiser_a, scheme=scheme).results.all()}
        received = next(p for p in results["一街道派出所"].parts if p["key"] == "received")
        on_time = next(p for p in results["一街道派出所"].parts if p["key"] == "on_time")
        self.assertEqual((received["value"], received["text"]), (100.0, "及时签收率 1/1"))
        self.assertEqual(on_time["value"], 0.0)  # received, not yet resolved: a real 0, not missing
        self.assertNotIn("二街道派出所", results)  # another district's unit
