"""Duty reports (述职) shown on the ballot, and residents' questions with their answers."""

import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from minping.commitments import actions
from minping.commitments.models import (
    Question,
)
from minping.evaluations import actions as evaluations
from minping.evaluations.models import Campaign, Instrument, Subject
from tests.base import BaseTestCase


class DutyReportTest(BaseTestCase):
    def setUp(self):
        evaluations.install_builtin_instruments()
        instrument = Instrument.objects.get(builtin_key="party_secretary", region__isnull=True)
        self.campaign = evaluations.create_campaign(
            actor=self.organiser_a, name="光明社区书记述职测评", region=self.community_a, instrument=instrument, channels=["qr"], quorum=3
        )
        evaluations.add_subjects(actor=self.organiser_a, campaign=self.campaign, subjects=[self.cadre_a])
        self.subject = self.campaign.subjects.get()

    def test_the_report_is_on_the_ballot_and_questions_are_answered_in_public(self):
        actions.write_duty_report(actor=self.cadre_user, subject=self.subject, text="一年来，我带领社区完成了老旧小区改造。")
        with self.assertRaises(PermissionDenied):
            actions.write_duty_report(actor=self.handler, subject=self.subject, text="冒名")
        public = reverse("board:duty", args=[self.campaign.pk])
        response = self.client.post(public, {"subject": self.subject.pk, "text": "停车难什么时候解决？"}, REMOTE_ADDR="10.1.2.3")
        self.assertEqual(response.status_code, 302)
        question = Question.objects.get()
        self.assertEqual((question.asker, question.at_meeting), ("", False))
        stored = json.dumps([getattr(question, f.attname) for f in Question._meta.fields], default=str)
        self.assertNotIn("10.1.2.3", stored)
        self.assertNotIn("停车难", self.client.get(public).content.decode())  # shown once answered
        actions.answer_question(actor=self.cadre_user, question=question, answer="已协调夜间共享车位 40 个。")
        self.assertContains(self.client.get(public), "已协调夜间共享车位")
        # at the meeting
        actions.ask_question(subject=self.subject, text="会上提问", asker="张三", at_meeting=True, actor=self.organiser_a)
        # on the ballot, before voting
        pairs = evaluations.issue_codes(
            actor=self.organiser_a, campaign=self.campaign, group=self.campaign.groups.get(), count=1, channel="qr"
        )
        evaluations.open_campaign(actor=self.organiser_a, campaign=self.campaign)
        self.client.post(reverse("vote:start"), {"code": pairs[0][1]})
        ballot = self.client.get(reverse("vote:ballot"))
        self.assertContains(ballot, "完成了老旧小区改造")

    def test_a_campaign_in_preparation_is_not_public_until_a_report_is_written(self):
        public = reverse("board:duty", args=[self.campaign.pk])
        self.assertEqual(self.client.get(public).status_code, 404)
        actions.write_duty_report(actor=self.cadre_user, subject=self.subject, text="述职")
        self.assertEqual(self.client.get(public).status_code, 200)

    def test_questions_are_throttled_per_client_and_refused_after_close(self):
        actions.write_duty_report(actor=self.cadre_user, subject=self.subject, text="述职")
        public = reverse("board:duty", args=[self.campaign.pk])
        for n in range(5):
            self.assertEqual(
                self.client.post(public, {"subject": self.subject.pk, "text": f"问题{n}"}, REMOTE_ADDR="10.9.9.9").status_code, 302
            )
        self.assertEqual(self.client.post(public, {"subject": self.subject.pk, "text": "再问"}, REMOTE_ADDR="10.9.9.9").status_code, 429)
        self.assertEqual(self.client.post(public, {"subject": self.subject.pk, "text": "别人"}, REMOTE_ADDR="10.9.9.8").status_code, 302)
        self.assertEqual(self.client.post(public, {"subject": "", "text": "无对象"}, REMOTE_ADDR="10.9.9.7").status_code, 400)
        self.assertEqual(self.client.post(public, {"subject": self.subject.pk, "text": ""}, REMOTE_ADDR="10.9.9.7").status_code, 400)
        Campaign.objects.filter(pk=self.campaign.pk).update(status="closed")
        with self.assertRaisesMessage(ValidationError, "不再收集群众提问"):
            actions.ask_question(subject=Subject.objects.get(pk=self.subject.pk), text="晚了")
