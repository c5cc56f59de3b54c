"""What the assessment reads from the other modules: a community's 双评, quarter scores and awards, a secondment,
work logs and a department's dispatch rates."""

import datetime as dt

from django.core.exceptions import ValidationError

from minping.assessment import actions
from minping.results import actions as results_actions
from minping.results.actions import close_campaign
from tests.assessing import YEAR_END
from tests.base import BaseTestCase
from tests.clock import pinned
from tests.evaluating import answers_for, cast_all


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
