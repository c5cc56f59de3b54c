"""A year-end cycle of the composite assessment in Debian's Chromium: the organisation department makes a scheme
from the 德能勤绩廉 template, points it at the published mass evaluation, rates on the superiors' sheet, runs it,
calibrates a grade with its reason and publishes; the cadre appeals from their page; the organiser corrects the
sheet, decides the appeal with a rerun and records the follow-up talk."""

from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.utils import timezone

from minping.assessment.models import Appeal, FollowUp, Result, Scheme
from minping.results import actions as results_actions
from minping.results.actions import close_campaign
from tests.base import BaseTestCase
from tests.browser import PASSWORD, ChromiumMixin, log_in, needs_chromium
from tests.evaluating import answers_for, cast_all, make_campaign

pytestmark = needs_chromium


class YearEndCycleTest(ChromiumMixin, StaticLiveServerTestCase):
    def setUp(self):
        BaseTestCase.setUpTestData.__func__(self)
        for user in (self.organiser_a, self.cadre_user):
            user.set_password(PASSWORD)
            user.save()
        campaign, _group, pairs = make_campaign(self, codes=6)
        cast_all(campaign, pairs, [answers_for(campaign, each="satisfied", overall="competent")] * 6)
        results_actions.publish(actor=self.organiser_a, campaign=close_campaign(actor=self.organiser_a, campaign=campaign))
        self.campaign = campaign

    def test_run_calibrate_publish_appeal_and_follow_up(self):
        url = self.live_server_url
        organiser = log_in(self.browser, url, self.organiser_a.username)
        organiser.goto(url + "/assessment/")
        organiser.check("#new-scheme input[value=secretary_year]")
        organiser.select_option("#new-scheme select[name=region]", str(self.district_a.pk))
        organiser.click("#new-scheme button.primary")
        organiser.wait_for_selector("text=已用模板新建方案")
        scheme = Scheme.objects.get()
        self.assertEqual(scheme.year, timezone.localdate().year)
        # Point the mass evaluation at the published campaign; a weight that breaks the sum is refused first.
        organiser.select_option("select[name=campaigns-mass]", str(self.campaign.pk))
        organiser.fill("input[name=weight-mass]", "0.6")
        organiser.click("#definition button.primary")
        organiser.wait_for_selector("text=各考核部分的权重之和应为 1（现为 1.1）")
        organiser.select_option("select[name=campaigns-mass]", str(self.campaign.pk))
        organiser.fill("input[name=weight-mass]", "0.5")
        organiser.click("#definition button.primary")
        organiser.wait_for_selector("text=方案已保存")
        organiser.select_option("#raters-form select[name=raters]", str(self.organiser_a.pk))
        organiser.click("#raters-form button")
        organiser.wait_for_selector("text=评分人已保存")
        # The superiors' sheet: 王书记 rated 80 on every criterion.
        organiser.goto(url + f"/assessment/{scheme.pk}/ratings/")
        for key in ("de", "neng", "qin", "ji", "lian"):
            organiser.fill(f"#member-{self.cadre_a.pk} input[name=score-{key}]", "80")
        organiser.click(f"#member-{self.cadre_a.pk} button")
        organiser.wait_for_selector("text=评分表已保存")
        organiser.goto(url + f"/assessment/{scheme.pk}/")
        organiser.click("#run button.primary")
        organiser.wait_for_selector("text=按留存的输入重算，结果一致")
        # 0.3 × 80 + 0.5 × 满意度 (6 of 6 称职 = 80) ÷ 0.8, no 蹲点: 80.00, 称职; the last → 诫勉谈话
        self.assertEqual(organiser.text_content(f"#result-{self.cadre_a.pk} td.score").strip(), "80.00")
        result = Result.objects.get()
        self.assertEqual((result.score, result.proposed), (80.0, "称职"))
        organiser.click(f"#result-{self.cadre_a.pk} a")
        organiser.wait_for_selector("text=没有蹲点安排")
        organiser.select_option("#override-form select[name=grade]", "优秀")
        organiser.click("#override-form button")
        organiser.wait_for_selector("text=请填写调整等次的理由")
        organiser.select_option("#override-form select[name=grade]", "优秀")
        organiser.fill("#override-form textarea[name=reason]", "考核委员会审定：牵头完成老旧小区改造")
        organiser.click("#override-form button")
        organiser.wait_for_selector("text=等次已调整，理由已记录")
        organiser.click("text=第 1 次计算")
        organiser.click("#publish")
        organiser.wait_for_selector("text=考核结果已发布，申诉期开始")
        # The cadre appeals from their page.
        cadre = log_in(self.browser, url, self.cadre_user.username)
        cadre.goto(url + "/")
        cadre.wait_for_selector("text=我的考核结果")  # the workbench's section, while the appeal window is open
        cadre.click("a[href='/assessment/mine/'] >> nth=0")
        cadre.fill("textarea[name=text]", "“勤”一项未计入全年驻社区天数")
        cadre.click("text=提出申诉")
        cadre.wait_for_selector("text=申诉已提交")
        appeal = Appeal.objects.get()
        # The organiser corrects the sheet under the appeal, decides it with a rerun and records the talk.
        organiser.goto(url + f"/assessment/{scheme.pk}/ratings/")
        organiser.fill(f"#member-{self.cadre_a.pk} input[name=score-qin]", "100")
        organiser.click(f"#member-{self.cadre_a.pk} button")
        organiser.wait_for_selector("text=评分表已保存")
        organiser.goto(url + f"/assessment/{scheme.pk}/")
        organiser.fill(f"#appeal-{appeal.pk} textarea[name=decision]", "经复核，补充驻社区记录后重新计算")
        organiser.check(f"#appeal-{appeal.pk} input[name=changed]")
        organiser.click(f"#appeal-{appeal.pk} button")
        organiser.wait_for_selector("text=申诉已作出复核结论")
        scheme.refresh_from_db()
        appeal.refresh_from_db()
        rerun = Result.objects.get(run=scheme.published_run)
        self.assertEqual((appeal.status, scheme.published_run.number), ("changed", 2))
        self.assertEqual(
            (rerun.score, rerun.grade), (81.5, "优秀")
        )  # 勤 0.2 × 100 lifts the sheet to 84: (0.3 × 84 + 0.5 × 80) ÷ 0.8; calibration kept
        talk = FollowUp.objects.get()
        organiser.fill(f"#follow-up-{talk.pk} input[name=done_on]", timezone.localdate().isoformat())
        organiser.fill(f"#follow-up-{talk.pk} input[name=note]", "街道党工委书记谈话")
        organiser.click(f"#follow-up-{talk.pk} button")
        organiser.wait_for_selector("text=跟进措施已记录")
        talk.refresh_from_db()
        self.assertEqual(talk.note, "街道党工委书记谈话")
        cadre.goto(url + "/assessment/mine/")
        cadre.wait_for_selector("text=经复核，补充驻社区记录后重新计算")
        cadre.click("text=我的实绩档案")
        cadre.wait_for_selector("text=诫勉谈话")
