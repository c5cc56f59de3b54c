"""A scheme for the assessment tests: three party secretaries of 甲区 with superiors' sheets, a custom indicator
and a published mass evaluation in which only 王书记 was rated (tests/test_assessment.py works it by hand)."""

import datetime as dt

from minping.assessment import actions
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
