from django.test import TestCase

from minping.accounts.models import User
from minping.audit.actions import verify_chain
from minping.demo.management.commands.demo import demo_users
from minping.demo.seed import seed_district
from minping.org.models import Cadre, Enterprise, Post, Region, Resident
from tests.evaluating import ballots_cast, only_ballot


class DemoSeedTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.district = seed_district(residents=2000)

    def test_the_district_has_streets_communities_and_grids(self):
        levels = dict(Region.objects.within(self.district).values_list("level").annotate(n=__import__("django").db.models.Count("id")))
        self.assertEqual(levels["street"], 6)
        self.assertEqual(levels["community"], 40)
        self.assertEqual(levels["grid"], 200)

    def test_cadres_hold_real_posts_and_residents_are_counted(self):
        self.assertGreaterEqual(Cadre.objects.count(), 300)
        self.assertTrue(Post.objects.current().filter(category="first_secretary").exists())
        self.assertEqual(Resident.objects.count(), 2000)
        self.assertEqual(Enterprise.objects.count(), 200)

    def test_there_is_one_user_per_role_and_a_rerun_keeps_their_passwords(self):
        first = demo_users(self.district)
        second = demo_users(self.district)
        self.assertEqual(first, second)
        self.assertEqual(set(User.objects.values_list("role", flat=True)), set(User.Role.values))
        username, password, _role = first[1]
        self.assertTrue(self.client.login(username=username, password=password))

    def test_seeding_is_audited(self):
        checked, _broken, reason = verify_chain()
        self.assertEqual((checked, reason), (1, ""))


class DemoCampaignsTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        from minping.demo.campaigns import seed_campaigns

        cls.district = seed_district(residents=500)
        demo_users(cls.district)
        cls.seeded = seed_campaigns(actor=User.objects.get(username="organiser"), district=cls.district)

    def test_the_seed_001_and_000_campaigns_are_closed_with_a_quorum_of_ballots(self):
        from minping.evaluations.ballots import verify_ballot_box
        from minping.evaluations.models import Campaign
        from minping.evaluations.turnout import turnout
        from minping.results.tally import verify

        closed = Campaign.objects.filter(status__in=["closed", "published"])
        self.assertEqual(closed.count(), 4)
        self.assertEqual(closed.filter(status="published").count(), 2)
        self.assertTrue(closed.filter(name__contains="光明社区").exists())
        self.assertTrue(closed.filter(name__contains="三考", subjects__detail__contains="第一书记").exists())
        for campaign in closed:
            self.assertEqual(verify_ballot_box(campaign), [])
            self.assertEqual(verify(campaign), [])
            self.assertTrue(all(row["met"] for row in turnout(campaign)["subjects"]), campaign.name)

    def test_the_open_campaigns_printed_codes_vote(self):
        from minping.evaluations.actions import casting

        campaign = self.seeded["open"]
        subject_ids = campaign.subjects.values_list("pk", flat=True)
        casting.cast_ballot(
            campaign=campaign,
            code=self.seeded["codes"][0],
            channel="qr",
            answers={"subjects": {str(pk): {"unknown": True} for pk in subject_ids}},
        )
        self.assertEqual(len(ballots_cast(campaign=campaign)), 1)

    def test_an_open_campaign_rates_thirty_people_and_its_slips_point_at_the_port_served(self):
        import io

        from pypdf import PdfReader

        from minping.demo.campaigns import slips
        from minping.evaluations.models import Campaign

        large = Campaign.objects.get(status="open", name__contains="30人")
        self.assertEqual(large.subjects.count(), 30)
        self.assertEqual(len(self.seeded["large_codes"]), 60)
        pdf = PdfReader(io.BytesIO(slips("http://127.0.0.1:8123/v/", self.seeded["slips"])))
        self.assertEqual(len(pdf.pages), 8 + 8)  # 60 slips of each open campaign, eight to a page
        self.assertIn("http://127.0.0.1:8123/v/", pdf.pages[-1].extract_text().replace("\n", ""))

    def test_the_demo_interviewer_keys_a_phone_code(self):
        from django.urls import reverse

        campaign = self.seeded["open"]
        self.client.force_login(User.objects.get(username="interviewer"))
        self.assertContains(self.client.get(reverse("interview:list")), campaign.name)
        data = {"code": self.seeded["phone_codes"][0], "submission": "demo-call"}
        data.update({f"s{pk}__unknown": "1" for pk in campaign.subjects.values_list("pk", flat=True)})
        page = self.client.post(reverse("interview:campaign", args=[campaign.pk]), data)
        self.assertEqual(page.status_code, 200, page.content[:500])
        self.assertEqual(only_ballot(campaign=campaign).channel, "phone")


class DemoCommitmentsTest(TestCase):
    @classmethod
    def setUpTestData(cls):

        from minping.demo.campaigns import seed_campaigns
        from minping.demo.commitments import seed_commitments

        cls.district = seed_district(residents=300)
        demo_users(cls.district)
        organiser = User.objects.get(username="organiser")
        seeded = seed_campaigns(actor=organiser, district=cls.district)
        cls.commitments = seed_commitments(
            organiser=organiser,
            office=User.objects.get(username="office"),
            cadre_user=User.objects.get(username="cadre"),
            district=cls.district,
            open_campaign=seeded["open"],
        )

    def test_a_quarter_of_commitments_is_assessed_and_this_month_has_work_for_each_role(self):
        from django.utils import timezone

        from minping.commitments import periods
        from minping.commitments.models import CommitmentForm, DutyReport, Pledge
        from minping.results.tally import verify

        assessment = self.commitments["assessment"]
        self.assertEqual(assessment.status, "confirmed")
        months = periods.quarter_months(assessment.year, assessment.quarter)
        posted = CommitmentForm.objects.filter(month__in=months, status="published")
        self.assertEqual(set(posted.values_list("month", flat=True)), set(months))
        self.assertTrue(assessment.scores.filter(rating__isnull=False).exists())  # the rating entered the scores
        self.assertEqual({s.award for s in assessment.scores.filter(rank=1)} - {"innovation"}, set())
        self.assertEqual(verify(self.commitments["rating"]), [])
        this = CommitmentForm.objects.filter(month=periods.month_of(timezone.localdate()))
        self.assertTrue({"published", "submitted", "returned"} <= set(this.values_list("status", flat=True)))
        self.assertTrue(DutyReport.objects.exists())
        self.assertEqual(Pledge.objects.count(), 1)
        self.client.force_login(User.objects.get(username="cadre"))
        self.assertContains(self.client.get("/"), "我的承诺")
        self.client.force_login(User.objects.get(username="office"))
        self.assertContains(self.client.get("/"), "待审核")


class DemoGridTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        from minping.demo.grid import seed_grid

        cls.district = seed_district(residents=600)
        demo_users(cls.district)
        get = User.objects.get
        cls.seeded = seed_grid(
            district=cls.district,
            organiser=get(username="organiser"),
            office=get(username="office"),
            grid_user=get(username="grid"),
            handler=get(username="handler"),
        )

    def test_a_year_of_visits_and_problems_and_todays_work(self):
        from django.utils import timezone

        from minping.grid import scorecards
        from minping.grid.models import Problem, Visit
        from minping.org.models import Unit

        self.assertTrue(Visit.objects.exists())
        self.assertEqual(Problem.objects.filter(status="triage").count(), 1)
        self.assertTrue(Problem.objects.filter(status="resolved", reporter__username="grid").exists())
        self.assertTrue(Problem.objects.filter(escalation__gt=0).exists())
        year_ago = timezone.now() - timezone.timedelta(days=366)
        cards = scorecards.scorecard(Unit.objects.all(), year_ago, timezone.now())
        on_time = {card["按时办结率"].value for card in cards.values() if card["dispatched"] >= 20}
        self.assertGreater(max(on_time) - min(on_time), 0.1)  # departments differ
        self.client.force_login(User.objects.get(username="grid"))
        self.assertContains(self.client.get("/"), "处场所待走访")
        self.client.force_login(User.objects.get(username="handler"))
        self.assertContains(self.client.get("/"), "派给本单位的事件")
        from minping.grid.models import Task, Team

        self.assertEqual((Task.objects.get().baseline, Task.objects.get().progress), (30, 83))
        self.assertEqual(Team.objects.get().grids.count(), 3)


class DemoFieldworkTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        from minping.demo.fieldwork import seed_fieldwork
        from minping.demo.grid import seed_grid

        cls.district = seed_district(residents=600)
        demo_users(cls.district)
        get = User.objects.get
        seed_grid(
            district=cls.district,
            organiser=get(username="organiser"),
            office=get(username="office"),
            grid_user=get(username="grid"),
            handler=get(username="handler"),
        )
        seed_fieldwork(
            district=cls.district, organiser=get(username="organiser"), office=get(username="office"), cadre_user=get(username="cadre")
        )

    def test_a_year_of_field_work_in_seed_004s_figures(self):
        import datetime as dt

        from django.utils import timezone

        from minping.fieldwork import figures
        from minping.fieldwork.models import Entry, FollowUp, Pairing

        today = timezone.localdate()
        year = figures.summary(self.district, today - dt.timedelta(days=364), today)
        self.assertEqual(
            (year["topics"], year["forums"], year["site_meetings"], year["participants"], year["documents"]), (8, 15, 3, 237, 4)
        )
        self.assertGreater(year["entries"], 500)
        self.assertGreater(year["sessions"], 20)
        self.assertGreater(year["suggestions"], 50)
        self.assertEqual(
            year["entries"], Entry.objects.filter(on__gte=today - dt.timedelta(days=364)).count()
        )  # rollups agree with the entries
        self.assertEqual(FollowUp.objects.filter(status="forwarded", problem__unit__isnull=False).count(), 1)
        self.client.force_login(User.objects.get(username="cadre"))
        home = self.client.get("/")
        self.assertContains(home, "我的联系点")
        self.assertContains(self.client.get("/fieldwork/"), "走访社区，听取居民对老旧小区改造的意见")
        self.client.force_login(User.objects.get(username="office"))
        self.assertContains(self.client.get("/"), "条工作日志待批阅")
        self.client.force_login(User.objects.get(username="organiser"))
        for url in (
            "/fieldwork/figures/",
            "/fieldwork/figures/?units=1",
            "/fieldwork/coverage/",
            "/fieldwork/pairings/",
            "/fieldwork/topics/",
            "/fieldwork/receptions/",
            "/fieldwork/items/",
            "/fieldwork/logs/",
            "/reception/",
        ):
            with self.subTest(url):
                self.assertEqual(self.client.get(url).status_code, 200)
        pairing_rates = [figures.compliance(p).rate for p in Pairing.objects.all()]
        self.assertGreater(max(pairing_rates) - min(pairing_rates), 0.1)  # the pairings keep the cadence differently


class DemoAssessmentTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        from minping.demo.assessment import seed_assessment
        from minping.evaluations import actions as evaluation_actions

        evaluation_actions.install_builtin_instruments()
        cls.district = seed_district(residents=600)
        demo_users(cls.district)
        get = User.objects.get
        cls.schemes = seed_assessment(
            district=cls.district, organiser=get(username="organiser"), office=get(username="office"), cadre_user=get(username="cadre")
        )

    def test_two_years_with_a_calibration_an_appeal_and_a_follow_up(self):
        from minping.assessment.engine import recompute
        from minping.assessment.models import Appeal, FollowUp, Result

        last, this = sorted(self.schemes.items())
        last[1].refresh_from_db()
        this[1].refresh_from_db()
        self.assertEqual((last[1].status, this[1].status), ("published", "run"))
        appeal = Appeal.objects.get()
        self.assertEqual((appeal.status, appeal.rerun.number, appeal.rerun_id), ("changed", 2, last[1].published_run_id))
        self.assertEqual(Result.objects.filter(run__scheme=this[1]).exclude(override_reason="").count(), 1)
        self.assertTrue(FollowUp.objects.filter(done_on__isnull=False).exists())
        for run in (last[1].published_run, this[1].runs.get()):
            self.assertEqual(
                recompute(run.definition, run.inputs),
                [
                    (r.ref, r.score, r.proposed, r.rank)
                    for r in sorted(run.results.all(), key=lambda r: [m["ref"] for m in run.inputs["members"]].index(r.ref))
                ],
            )
        self.client.force_login(User.objects.get(username="cadre"))
        mine = self.client.get("/assessment/mine/")
        self.assertContains(mine, "经复核")
        self.client.force_login(User.objects.get(username="organiser"))
        for url in (
            "/assessment/",
            f"/assessment/{this[1].pk}/",
            f"/assessment/runs/{this[1].runs.get().pk}/",
            f"/assessment/{this[1].pk}/ratings/",
            f"/assessment/{this[1].pk}/inputs/",
            f"/assessment/cadres/{User.objects.get(username='cadre').cadre_id}/",
        ):
            with self.subTest(url):
                self.assertEqual(self.client.get(url).status_code, 200)


class DemoSurveyTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        from minping.demo.grid import seed_grid
        from minping.demo.surveys import seed_surveys
        from minping.evaluations import actions as evaluation_actions

        evaluation_actions.install_builtin_instruments()
        cls.district = seed_district(residents=1500)
        demo_users(cls.district)
        get = User.objects.get
        seed_grid(
            district=cls.district,
            organiser=get(username="organiser"),
            office=get(username="office"),
            grid_user=get(username="grid"),
            handler=get(username="handler"),
        )
        cls.seeded = seed_surveys(
            district=cls.district,
            organiser=get(username="organiser"),
            office=get(username="office"),
            interviewer=get(username="interviewer"),
        )

    def test_a_survey_with_calls_on_record_and_numbers_left_to_call(self):
        from minping.sampling.models import Attempt, Audit

        survey = self.seeded["survey"]
        self.assertGreater(self.seeded["waiting"], 0)
        self.assertEqual(Attempt.objects.filter(case__survey=survey).count(), 12)
        self.assertEqual(set(self.seeded["sheets"]), set(survey.campaign.groups.exclude(weight=0).values_list("name", flat=True)))
        self.assertTrue(Audit.objects.filter(kind="problems").exists())
        self.client.force_login(User.objects.get(username="interviewer"))
        self.assertContains(self.client.get("/"), f"还有 {self.seeded['waiting']} 个号码待联系")
        self.assertContains(self.client.get(f"/surveys/{survey.pk}/call/"), "****")
        self.client.force_login(User.objects.get(username="organiser"))
        self.assertContains(self.client.get(f"/surveys/{survey.pk}/"), "RR3")
