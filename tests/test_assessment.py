"""The composite assessment's computation: a hand-worked scheme (superiors' sheets, a custom indicator and a mass
evaluation with a part missing for two members), quota, veto and follow-up rules, and a year-end cycle of
calibration, publication, appeals and follow-ups."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError

from minping.assessment import actions, engine
from minping.assessment.models import FollowUp, Result, Scheme
from minping.results import actions as results_actions
from minping.results.actions import close_campaign
from tests.assessing import YEAR_END, AssessmentTestCase
from tests.clock import pinned
from tests.evaluating import answers_for, cast_all


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
