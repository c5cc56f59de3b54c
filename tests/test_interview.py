"""Telephone interviews: an interviewer keys a ballot under a phone code; the ballot is on the phone channel and
carries nothing about the interviewer."""

from django.test import Client
from django.urls import reverse

from minping.accounts.models import User
from minping.audit.models import AuditEvent
from minping.evaluations import actions
from minping.evaluations.forms import field_name
from tests.base import BaseTestCase
from tests.evaluating import ballots_cast, make_campaign, only_ballot


class InterviewTest(BaseTestCase):
    def setUp(self):
        self.campaign, self.group, _pairs = make_campaign(self, channels=("qr", "phone"))
        self.codes = actions.issue_codes(actor=self.organiser_a, campaign=self.campaign, group=self.group, count=3, channel="phone")
        self.interviewer = User.objects.create_user("caller", password="x", role=User.Role.INTERVIEWER, region=self.district_a)
        self.client.force_login(self.interviewer)
        self.url = reverse("interview:campaign", args=[self.campaign.pk])

    def answers(self, code: str, **extra) -> dict:
        data = {"code": code, "submission": "call-1"}
        for subject in self.campaign.subjects.all():
            for q in self.campaign.definition["subject_questions"]:
                data[field_name(subject.pk, q["key"])] = "competent" if q["type"] == "grade" else "fairly"
        data.update(extra)
        return data

    def test_an_interviewer_keys_a_ballot_on_the_phone_channel(self):
        self.assertContains(self.client.get(reverse("home")), self.url)  # the workbench lists the campaign to call for
        self.assertContains(self.client.get(reverse("interview:list")), self.campaign.name)
        events = AuditEvent.objects.count()
        page = self.client.post(self.url, self.answers(self.codes[0][1]))
        ballot = only_ballot()
        self.assertContains(page, ballot.tracker)
        self.assertEqual((ballot.channel, ballot.group_id), ("phone", self.group.pk))
        self.assertEqual(AuditEvent.objects.count(), events)  # nothing per ballot, nothing about the caller
        self.assertEqual(page["Cache-Control"], "no-store")

    def test_a_missing_answer_or_a_qr_code_is_refused_and_nothing_is_stored(self):
        data = self.answers(self.codes[0][1])
        data.pop(next(k for k in data if k.endswith("__overall")))
        page = self.client.post(self.url, data)
        self.assertEqual(page.status_code, 422)
        self.assertContains(page, "必答题未作答", status_code=422)
        qr_code = actions.issue_codes(actor=self.organiser_a, campaign=self.campaign, group=self.group, count=1, channel="qr")[0][1]
        self.assertEqual(self.client.post(self.url, self.answers(qr_code)).status_code, 409)
        self.assertEqual(len(ballots_cast()), 0)

    def test_a_phone_code_is_refused_on_the_public_voting_page_and_api_with_a_message(self):
        voter = Client()
        token, short = self.codes[1]
        for code in (token, short):
            with self.subTest(code=code):
                page = voter.post(reverse("vote:start"), {"code": code})
                self.assertContains(page, "电话督评专用", status_code=409)
                self.assertEqual(voter.post(reverse("vote:ballot"), {"code": code, "step": "submit"}).status_code, 403)
                for path in ("/api/vote/ballot", "/api/vote/cast"):
                    answer = voter.post(path, {"code": code, "answers": {}}, content_type="application/json")
                    self.assertEqual((answer.status_code, answer.json()["error"]), (409, "phone_code"))
        self.assertEqual(len(ballots_cast()), 0)
        self.client.post(self.url, self.answers(short))  # the interviewer still keys it
        self.assertEqual(len(ballots_cast()), 1)

    def test_other_districts_and_other_roles_are_kept_out(self):
        outsider = User.objects.create_user("caller_b", password="x", role=User.Role.INTERVIEWER, region=self.district_b)
        self.client.force_login(outsider)
        self.assertNotContains(self.client.get(reverse("interview:list")), self.campaign.name)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.client.force_login(self.grid_worker)
        self.assertEqual(self.client.get(self.url).status_code, 403)
