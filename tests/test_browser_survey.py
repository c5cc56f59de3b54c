"""A phone survey end to end in Debian's Chromium with two interviewers: the organiser draws the sample and names
the interviewers; each interviewer gets a different number, masked until they dial it, reads the script, keys the
answers under a printed phone code and records the outcome; the organiser reads the outcome rates."""

from django.contrib.staticfiles.testing import StaticLiveServerTestCase

from minping.accounts.models import User
from minping.evaluations import actions as evaluations
from minping.sampling.models import Case, Survey
from tests.base import BaseTestCase, make_region, make_resident
from tests.browser import PASSWORD, ChromiumMixin, log_in, needs_chromium
from tests.evaluating import make_campaign

pytestmark = needs_chromium


class PhoneSurveyTest(ChromiumMixin, StaticLiveServerTestCase):
    def setUp(self):
        BaseTestCase.setUpTestData.__func__(self)
        village = make_region("新村社区", "community", self.street_a)
        for serial in range(100, 112):
            make_resident(f"居民{serial}", self.grid_a, serial, phone=f"139{serial:08d}")
            make_resident(f"村民{serial}", village, serial + 100, phone=f"137{serial:08d}")
        self.second = User.objects.create_user("caller_b", password=PASSWORD, role=User.Role.INTERVIEWER, region=self.district_a)
        for user in (self.organiser_a, self.interviewer):
            user.set_password(PASSWORD)
            user.save()
        self.campaign, _group, _pairs = make_campaign(self, channels=("phone",), open_it=False)

    def test_two_interviewers_call_and_the_rates_are_read(self):
        url = self.live_server_url
        organiser = log_in(self.browser, url, self.organiser_a.username)
        organiser.goto(url + "/surveys/")
        organiser.select_option("#new-survey select[name=region]", str(self.street_a.pk))
        organiser.fill("#new-survey input[name=margin]", "0.25")
        organiser.fill("#new-survey input[name=response]", "1")
        organiser.click("#new-survey button.primary")
        organiser.wait_for_selector("text=样本已抽取")
        survey = Survey.objects.get()
        organiser.select_option("#interviewers-form select[name=interviewers]", [str(self.interviewer.pk), str(self.second.pk)])
        organiser.click("#interviewers-form button")
        organiser.wait_for_selector("text=已保存")
        # The campaign opens with a printed phone code per stratum's group.
        self.campaign = evaluations.open_campaign(actor=self.organiser_a, campaign=self.campaign)
        codes = {}
        for stratum, group in survey.groups.items():
            group_row = self.campaign.groups.get(pk=group)
            codes[int(stratum)] = [
                short
                for _t, short in evaluations.issue_codes(
                    actor=self.organiser_a, campaign=self.campaign, group=group_row, count=3, channel="phone"
                )
            ]
        first, second = log_in(self.browser, url, self.interviewer.username), log_in(self.browser, url, self.second.username)
        for page in (first, second):
            page.goto(url + f"/surveys/{survey.pk}/call/")
            page.wait_for_selector("#case")
        numbers = [page.text_content("#number").strip() for page in (first, second)]
        self.assertNotEqual(numbers[0], numbers[1])
        self.assertTrue(all("****" in n for n in numbers))  # masked until dialled
        mine = Case.objects.get(interviewer=self.interviewer)
        first.click("#dial")
        first.wait_for_selector(f"a[href='tel:{mine.resident.phone}']")
        # The first interviewer completes the interview: the answers under a phone code of the case's stratum.
        interview = first.context.new_page()
        interview.goto(url + f"/interview/{self.campaign.pk}/")
        interview.fill("#code", codes[mine.stratum_id][0])
        subject = self.campaign.subjects.get()
        for question in self.campaign.definition["subject_questions"]:
            if question["type"] in {"scale", "grade", "yesno"}:
                value = {"scale": "satisfied", "grade": "competent", "yesno": "yes"}[question["type"]]
                interview.check(f"input[name=s{subject.pk}__{question['key']}][value={value}]")
        interview.click("button.primary")
        interview.wait_for_selector(".ok")  # ballot counted, its receipt read out
        first.click("#outcome button[value=complete]")
        first.wait_for_selector("text=已记录拨打结果")
        # The second one's resident refuses; a replacement of that stratum is released.
        theirs = Case.objects.get(interviewer=self.second)
        released = Case.objects.filter(survey=survey, stratum=theirs.stratum, released=True).count()
        second.click("#outcome button[value=refusal]")
        second.wait_for_selector("text=已记录拨打结果")
        self.assertEqual(Case.objects.filter(survey=survey, stratum=theirs.stratum, released=True).count(), released + 1)
        self.assertEqual(sorted(Case.objects.filter(final=True).values_list("outcome", flat=True)), ["complete", "refusal"])
        organiser.goto(url + f"/surveys/{survey.pk}/")
        organiser.wait_for_selector("#rates")
        self.assertIn("caller_a", organiser.text_content("#rates"))
        self.assertIn("caller_b", organiser.text_content("#rates"))
