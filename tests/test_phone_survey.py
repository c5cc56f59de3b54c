"""Phone surveys: a stratified sample drawn for a campaign taking telephone interviews, two interviewers' queues,
callbacks and replacements, outcome rates by hand, back-checks, the refusals of bad input, and no record linking a
phone number to a ballot."""

import datetime as dt
from unittest import mock

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from minping.evaluations import actions as evaluations
from minping.lib import sampling
from minping.sampling import actions, figures
from minping.sampling.models import Case, Survey
from tests.base import BaseTestCase, make_region, make_resident
from tests.clock import pinned
from tests.evaluating import make_campaign

DAY = dt.date(2026, 11, 16)


class PhoneSurveyTestCase(BaseTestCase):
    def setUp(self):
        self.new_village = make_region("新村社区", "community", self.street_a)
        for serial in range(100, 129):  # 29 more in 光明社区 (30 with 张三), 20 in 新村社区, 5 without a phone
            make_resident(f"居民{serial}", self.grid_a, serial)
        for serial in range(200, 220):
            make_resident(f"村民{serial}", self.new_village, serial)
        for serial in range(300, 305):
            make_resident(f"无电话{serial}", self.new_village, serial, phone="")
        with pinned(DAY):
            self.campaign, self.on_site, _pairs = make_campaign(self, channels=("phone", "qr"), open_it=False)

    def open(self):
        with pinned(DAY):
            self.campaign = evaluations.open_campaign(actor=self.organiser_a, campaign=self.campaign)

    def survey(self, **given):
        fields = {"campaign": self.campaign, "region": self.street_a, "name": "", "strata_level": "community", "margin": "0.2"}
        with pinned(DAY):
            return actions.create_survey(actor=self.organiser_a, **{**fields, **given})


class Draw(PhoneSurveyTestCase):
    def test_the_sample_size_allocation_and_a_redraw_from_the_recorded_seed(self):
        survey = self.survey()
        # 1.96² × 0.25 ÷ 0.2² = 24.01; ÷ (1 + 23.01 ÷ 50) = 16.45 → 17, allocated 10.2 and 6.8 → 10 and 7
        self.assertEqual(survey.population, {str(self.community_a.pk): 30, str(self.new_village.pk): 20})
        self.assertEqual(survey.quotas, {str(self.community_a.pk): 10, str(self.new_village.pk): 7})
        self.assertEqual(Case.objects.filter(survey=survey, released=True).count(), 17)
        strata = actions.strata_of(self.street_a, "community")
        frame = actions.frame(self.street_a, strata, set(), False, False, 2026)
        redrawn = sampling.draw(frame, survey.quotas, int(survey.seed), 10, sampling.int_key)
        for cell, residents in redrawn.items():
            self.assertEqual(
                list(Case.objects.filter(survey=survey, cell=cell).order_by("rank").values_list("resident_id", flat=True)), residents
            )
        self.assertFalse(Case.objects.filter(survey=survey, resident__phone="").exists())

    def test_a_margin_the_frame_cannot_give_and_a_stratum_without_phones_are_refused(self):
        with self.assertRaisesMessage(ValidationError, "需要完成 17 次访问，按预计应答率 30% 要抽取 57 人，名册中有电话的只有 50 人"):
            self.survey(response="0.3")
        make_region("空社区", "community", self.street_a)
        with self.assertRaisesMessage(ValidationError, "这些社区没有可拨打的电话号码：空社区"):
            self.survey()

    def test_people_called_within_the_window_are_left_out(self):
        first = self.survey()
        self.open()
        actions.set_interviewers(actor=self.organiser_a, survey=first, interviewers=[self.interviewer])
        with pinned(DAY):
            case = actions.next_case(actor=self.interviewer, survey=first)
            actions.record_outcome(actor=self.interviewer, case=case, outcome="refusal")
            self.campaign, _group, _pairs = make_campaign(self, channels=("phone",), open_it=False)
        second = self.survey()
        self.assertEqual(second.excluded, 1)
        self.assertFalse(Case.objects.filter(survey=second, resident_id=case.resident_id).exists())


class Cells(PhoneSurveyTestCase):
    def test_strata_crossed_with_sex_and_age_band_from_the_register(self):
        from minping.org.models import Resident

        # 光明社区's 30 adults: make ten of them women born in 1950 (76 in 2026); children are not in the frame
        for resident in Resident.objects.filter(region=self.grid_a).order_by("pk")[:10]:
            resident.gender, resident.birth_year = "F", 1950
            resident.save()
        child = Resident.objects.filter(region=self.new_village).first()
        child.birth_year = 2015
        child.save()
        with pinned(DAY):
            survey = actions.create_survey(
                actor=self.organiser_a,
                campaign=self.campaign,
                region=self.street_a,
                name="",
                strata_level="community",
                margin="0.2",
                by_sex=True,
                by_age=True,
            )
        bright, village = self.community_a.pk, self.new_village.pk
        # make_resident's people are men born in 1980 (46: the 35–59 band)
        self.assertEqual(survey.population, {f"{bright}-F-2": 10, f"{bright}-M-1": 20, f"{village}-M-1": 19})
        labels = set(self.campaign.groups.values_list("name", flat=True))
        self.assertTrue({"电话·光明社区·女·60岁以上", "电话·光明社区·男·35–59岁", "电话·新村社区·男·35–59岁"} <= labels)
        self.assertFalse(Case.objects.filter(survey=survey, resident=child).exists())
        for cell in survey.quotas:
            sexes = set(Case.objects.filter(survey=survey, cell=cell).values_list("resident__gender", flat=True))
            self.assertEqual(sexes, {cell.split("-")[1]})
        frame = actions.frame(self.street_a, actions.strata_of(self.street_a, "community"), set(), True, True, 2026)
        redrawn = sampling.draw(frame, survey.quotas, int(survey.seed), max(survey.quotas.values()), sampling.int_key)
        for cell, residents in redrawn.items():  # what PostgreSQL drew is what anyone redraws here
            self.assertEqual(
                list(Case.objects.filter(survey=survey, cell=cell).order_by("rank").values_list("resident_id", flat=True)), residents
            )


class Calling(PhoneSurveyTestCase):
    def setUp(self):
        super().setUp()
        self.survey_ = self.survey(max_attempts="2")
        self.open()
        actions.set_interviewers(actor=self.organiser_a, survey=self.survey_, interviewers=[self.interviewer, self.office_a])

    def test_two_interviewers_get_different_numbers_and_keep_to_their_own(self):
        with pinned(DAY):
            mine = actions.next_case(actor=self.interviewer, survey=self.survey_)
            theirs = actions.next_case(actor=self.office_a, survey=self.survey_)
            self.assertNotEqual(mine.pk, theirs.pk)
            self.assertEqual(actions.next_case(actor=self.interviewer, survey=self.survey_).pk, mine.pk)  # held until recorded
            with self.assertRaises(PermissionDenied):
                actions.record_outcome(actor=self.interviewer, case=theirs, outcome="complete")
            with self.assertRaises(PermissionDenied):
                actions.next_case(actor=self.grid_worker, survey=self.survey_)

    def test_callbacks_at_another_time_up_to_the_attempts_then_a_replacement(self):
        with pinned(DAY, hour=10):
            case = actions.next_case(actor=self.interviewer, survey=self.survey_)
            actions.record_outcome(actor=self.interviewer, case=case, outcome="no_answer")
            case.refresh_from_db()
            self.assertEqual((case.final, case.attempts, case.interviewer_id), (False, 1, None))
            self.assertEqual(timezone.localtime(case.next_call_at).hour, 13)  # three hours later, not the same hour
            self.assertNotEqual(actions.next_case(actor=self.interviewer, survey=self.survey_).pk, case.pk)  # not yet due
        spares = Case.objects.filter(survey=self.survey_, stratum=case.stratum, released=True).count()
        with pinned(DAY, hour=15):
            Case.objects.filter(interviewer=self.interviewer).update(interviewer=None)  # the other number put back
            taken = actions.next_case(actor=self.interviewer, survey=self.survey_)
            self.assertEqual(taken.pk, case.pk)  # a due callback comes first
            actions.record_outcome(actor=self.interviewer, case=taken, outcome="busy")
        case.refresh_from_db()
        self.assertEqual((case.final, case.outcome), (True, "busy"))  # two attempts: no more
        self.assertEqual(Case.objects.filter(survey=self.survey_, stratum=case.stratum, released=True).count(), spares + 1)

    def test_outcome_rates_by_hand_and_back_checks(self):
        outcomes = ["complete", "complete", "complete", "refusal", "wrong_number"]
        with pinned(DAY):
            for outcome in outcomes:
                case = actions.next_case(actor=self.interviewer, survey=self.survey_)
                actions.record_outcome(actor=self.interviewer, case=case, outcome=outcome)
        found = figures.rates(self.survey_)
        overall, counts = found["all"]
        # 19 released (17 + 2 replacements): 3 complete, 1 refusal, 1 wrong number, 14 not yet reached (unknown)
        self.assertEqual((counts["complete"], counts["refusal"], counts["wrong_number"], counts["no_answer"]), (3, 1, 1, 14))
        self.assertAlmostEqual(overall.rr1, 3 / 18)
        self.assertAlmostEqual(overall.rr3, 3 / (4 + 0.8 * 14))  # e = 4 ÷ 5
        self.assertAlmostEqual(overall.coop1, 3 / 4)
        ((name, mine, _counts),) = found["interviewers"]
        self.assertEqual((name, mine.cases), ("caller_a", 5))
        refused = Case.objects.get(survey=self.survey_, outcome="refusal")
        with self.assertRaisesMessage(ValidationError, "只能回访已完成的电话访问"):
            actions.back_check(actor=self.organiser_a, case=refused, answer="yes")
        done = Case.objects.filter(survey=self.survey_, outcome="complete").first()
        actions.back_check(actor=self.organiser_a, case=done, answer="yes")

    def test_a_closed_survey_takes_no_more_calls(self):
        with pinned(DAY):
            held = actions.next_case(actor=self.interviewer, survey=self.survey_)
            actions.close_survey(actor=self.organiser_a, survey=self.survey_)
            with self.assertRaisesMessage(ValidationError, "不再拨打"):
                actions.next_case(actor=self.office_a, survey=self.survey_)
            with self.assertRaisesMessage(ValidationError, "不再拨打"):
                actions.record_outcome(actor=self.interviewer, case=held, outcome="complete")
            with self.assertRaisesMessage(ValidationError, "已经关闭"):
                actions.close_survey(actor=self.organiser_a, survey=self.survey_)

    def test_no_call_after_the_campaign_closed(self):
        from minping.results.actions import close_campaign

        close_campaign(actor=self.organiser_a, campaign=self.campaign)
        self.survey_.campaign.refresh_from_db()
        with self.assertRaisesMessage(ValidationError, "不再拨打"):
            actions.next_case(actor=self.interviewer, survey=self.survey_)


class NoLink(PhoneSurveyTestCase):
    def test_no_record_links_a_phone_number_or_a_call_to_a_ballot(self):
        """No field of a survey's records points at a ballot, a code or a cast; no field of a ballot points at a
        person or a call, or keeps a time finer than the day."""
        survey_models = [m for m in apps.get_app_config("sampling").get_models()]
        ballot_side = {"Ballot", "PooledBallot", "Code", "CodeBatch", "Submission", "Tally", "TextAnswer"}
        for model in survey_models:
            for field in model._meta.get_fields():
                target = getattr(field, "related_model", None)
                self.assertFalse(target is not None and target.__name__ in ballot_side, f"{model.__name__}.{field.name}")
        for name in ("Ballot", "PooledBallot"):
            model = apps.get_model("evaluations", name)
            for field in model._meta.concrete_fields:
                self.assertNotEqual(field.get_internal_type(), "DateTimeField", f"{name}.{field.name}")
                target = getattr(field, "related_model", None)
                self.assertFalse(target is not None and target._meta.app_label in {"sampling", "org", "accounts"}, f"{name}.{field.name}")


class Pages(PhoneSurveyTestCase):
    def test_draw_call_and_read_the_rates_through_the_pages(self):
        self.client.force_login(self.organiser_a)
        post = {"campaign": self.campaign.pk, "region": self.street_a.pk, "strata_level": "community", "margin": "0.2", "response": "1"}
        post.update(confidence="0.95", allocation="proportional", exclusion_days="90", max_attempts="3")
        with pinned(DAY):
            drawn = self.client.post("/surveys/", post)
        self.assertEqual(drawn.status_code, 302)
        survey = Survey.objects.get()
        self.open()
        self.assertEqual(self.client.post("/surveys/", {**post, "margin": "abc"}).status_code, 400)
        self.client.post(f"/surveys/{survey.pk}/", {"step": "interviewers", "interviewers": [self.interviewer.pk]})
        self.assertEqual(list(survey.interviewers.all()), [self.interviewer])
        self.client.force_login(self.interviewer)
        with pinned(DAY):
            page = self.client.get(f"/surveys/{survey.pk}/call/")
            case = Case.objects.get(interviewer=self.interviewer)
            self.assertContains(page, "138****1234")
            self.assertNotContains(page, "13800001234")
            dialled = self.client.post(f"/surveys/{survey.pk}/call/", {"step": "dial", "case": case.pk})
            self.assertContains(dialled, 'href="tel:13800001234"')
            self.client.post(f"/surveys/{survey.pk}/call/", {"case": case.pk, "outcome": "complete"})
        case.refresh_from_db()
        self.assertEqual((case.final, case.outcome), (True, "complete"))
        self.client.force_login(self.organiser_b)
        self.assertEqual(self.client.get(f"/surveys/{survey.pk}/").status_code, 404)
        self.client.force_login(self.organiser_a)
        self.assertContains(self.client.get(f"/surveys/{survey.pk}/"), "应答率（AAPOR 口径）")


class Results(PhoneSurveyTestCase):
    def test_weighted_and_unweighted_figures_and_the_difference_between_modes(self):
        from minping.evaluations.actions import casting
        from minping.evaluations.models import EvaluatorGroup
        from minping.results.actions import close_campaign
        from tests.evaluating import answers_for

        survey = self.survey()
        self.open()
        village, bright = (EvaluatorGroup.objects.get(pk=survey.groups[str(r.pk)]) for r in (self.new_village, self.community_a))
        self.on_site.refresh_from_db()
        self.assertEqual([float(g.weight) for g in (bright, village, self.on_site)], [0.6, 0.4, 0])
        with pinned(DAY):
            for group, answers in (
                (bright, ["satisfied"] * 4 + ["dissatisfied"]),
                (village, ["satisfied"] * 5),
                (self.on_site, ["satisfied"] * 2 + ["dissatisfied"] * 4),
            ):
                channel = "qr" if group == self.on_site else "phone"
                pairs = evaluations.issue_codes(
                    actor=self.organiser_a, campaign=self.campaign, group=group, count=len(answers), channel=channel
                )
                for (token, _short), each in zip(pairs, answers):
                    casting.cast_ballot(campaign=self.campaign, code=token, answers=answers_for(self.campaign, each=each), channel=channel)
            close_campaign(actor=self.organiser_a, campaign=self.campaign)
        survey.refresh_from_db()
        found = figures.estimates(survey)
        self.assertEqual((found["question"]["key"], found["metric"]), ("de", "满意率"))
        (row,) = found["rows"]
        self.assertAlmostEqual(row["unweighted"].value, 0.9)  # 9 of 10 phone answers
        self.assertAlmostEqual(row["weighted"].value, 0.6 * 0.8 + 0.4 * 1.0)  # 0.88: 光明社区 is 60% of the frame
        # respondents weigh 0.6 ÷ 0.5 = 1.2 and 0.4 ÷ 0.5 = 0.8: deff = 10 × (5 × 1.44 + 5 × 0.64) ÷ 10² = 1.04
        self.assertAlmostEqual(row["weighted"].deff, 1.04)
        ((channel, on_site, difference),) = row["modes"]
        self.assertEqual(channel, "qr")
        self.assertAlmostEqual(on_site.value, 2 / 6)
        self.assertAlmostEqual(difference.value, 0.88 - 2 / 6)
        self.assertTrue(difference.flagged)
        self.client.force_login(self.organiser_a)
        page = self.client.get(f"/surveys/{survey.pk}/")
        self.assertContains(page, "0.880")


class QualityControl(PhoneSurveyTestCase):
    def test_short_calls_and_ballots_all_alike_are_counted_per_interviewer_without_naming_a_ballot(self):
        from minping.sampling.models import InterviewerStats

        survey = self.survey()
        self.open()
        actions.set_interviewers(actor=self.organiser_a, survey=survey, interviewers=[self.interviewer])
        pairs = evaluations.issue_codes(actor=self.organiser_a, campaign=self.campaign, group=self.on_site, count=5, channel="phone")
        self.client.force_login(self.interviewer)
        for minutes, (token, _short) in zip([0.5, 0.5, 0.5, 5, 5], pairs):
            with pinned(DAY, hour=9):
                case = actions.next_case(actor=self.interviewer, survey=survey)
                actions.reveal_number(actor=self.interviewer, case=case)
            moment = timezone.make_aware(dt.datetime.combine(DAY, dt.time(9))) + dt.timedelta(minutes=minutes)
            with mock.patch("django.utils.timezone.now", return_value=moment):
                actions.record_outcome(actor=self.interviewer, case=case, outcome="complete")
            answers = {
                f"s{s.pk}__{q['key']}": "satisfied" if q["type"] == "scale" else "competent"
                for s in self.campaign.subjects.all()
                for q in self.campaign.definition["subject_questions"]
            }
            self.client.post(f"/interview/{self.campaign.pk}/", {"code": token, **answers})
        stats = InterviewerStats.objects.get()
        self.assertEqual((stats.completes, stats.short, stats.seconds, stats.entered, stats.straightlined), (5, 3, 3 * 30 + 2 * 300, 5, 5))
        (row,) = figures.quality(survey)
        self.assertEqual(row["flags"], ["60% 的访问过短", "100% 的选票各题答案相同"])
        self.assertEqual([f.name for f in InterviewerStats._meta.concrete_fields if f.is_relation], ["survey", "interviewer"])


class BackCheckSample(PhoneSurveyTestCase):
    def test_a_tenth_of_the_completed_calls_the_same_each_time(self):
        survey = self.survey(margin="0.1")
        self.open()
        actions.set_interviewers(actor=self.organiser_a, survey=survey, interviewers=[self.interviewer])
        with pinned(DAY):
            for _ in range(12):
                case = actions.next_case(actor=self.interviewer, survey=survey)
                actions.record_outcome(actor=self.interviewer, case=case, outcome="complete")
        first = figures.back_check_sample(survey)
        self.assertEqual(len(first), 2)  # 12 completed: a tenth, rounded up
        self.assertEqual(figures.back_check_sample(survey), first)
        self.assertTrue(all(c.outcome == "complete" for c in first))
