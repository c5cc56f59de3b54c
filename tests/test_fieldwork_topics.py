"""Research topics and meetings, and 蹲点 pairings with their cadence."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError

from minping.fieldwork import actions, figures
from tests.fieldworking import TODAY, FieldworkTestCase


class TopicAndPairingTest(FieldworkTestCase):
    def test_a_meeting_records_participants_documents_and_one_suggestion_a_line(self):
        topic = actions.create_topic(
            actor=self.organiser_a,
            region=self.district_a,
            title="基层减负调研",
            owner=self.cadre_a,
            team=[self.graduate],
            deliverables="调研报告一篇",
            starts_on=TODAY() - dt.timedelta(days=30),
            due_on=TODAY() + dt.timedelta(days=60),
        )
        meeting = actions.record_meeting(
            actor=self.organiser_a,
            region=self.community_a,
            kind="forum",
            title="基层干部座谈会",
            held_on=TODAY(),
            convener=self.cadre_a,
            participants=16,
            documents="关于为基层减负的若干措施",
            suggestions="减少报表\n合并检查",
            topic=topic,
        )
        self.assertEqual((meeting.documents, meeting.items.count()), (["关于为基层减负的若干措施"], 2))
        with self.assertRaisesMessage(ValidationError, "不是甲区的干部"):
            actions.record_meeting(
                actor=self.admin, region=self.community_a, kind="forum", title="x", held_on=TODAY(), convener=self.cadre_b, participants=1
            )
        with self.assertRaisesMessage(ValidationError, "尚未召开"):
            actions.record_meeting(
                actor=self.organiser_a,
                region=self.community_a,
                kind="site",
                title="x",
                held_on=TODAY() + dt.timedelta(days=1),
                convener=self.cadre_a,
                participants=1,
            )

    def test_cadence_counts_weeks_and_months_that_have_ended(self):
        project = actions.create_project(actor=self.organiser_a, region=self.district_a, name="幸福路改造工程")
        today = TODAY()
        start = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)  # the first of last month
        pairing = actions.create_pairing(
            actor=self.organiser_a,
            project=project,
            cadre=self.cadre_a,
            senior=self.graduate,
            starts_on=start,
            ends_on=today + dt.timedelta(days=90),
        )
        first_monday = start + dt.timedelta(days=(7 - start.weekday()) % 7)
        actions.record_activity(actor=self.cadre_user, pairing=pairing, kind="site_day", on=first_monday, text="到工地")
        with self.assertRaisesMessage(ValidationError, "已记录过在现场"):
            actions.record_activity(actor=self.cadre_user, pairing=pairing, kind="site_day", on=first_monday, text="到工地")
        actions.record_activity(actor=self.cadre_user, pairing=pairing, kind="exchange", on=start, text="与老领导交流")
        with self.assertRaisesMessage(ValidationError, "请填写报告标题"):
            actions.record_activity(actor=self.cadre_user, pairing=pairing, kind="report", on=start, text="报告")
        actions.record_activity(actor=self.cadre_user, pairing=pairing, kind="report", on=start, title="关于工程进度的报告", text="报告")
        result = figures.compliance(pairing)
        weeks = [w for w in result.weeks]
        self.assertTrue(weeks[0][2] and not any(w[2] for w in weeks[1:]))
        self.assertEqual(result.months, [(start, 1, 1, True)])  # this month has not ended
        self.assertEqual(result.met, 2)
        self.assertAlmostEqual(figures.cadre_figures([self.cadre_a.pk], start, today)[self.cadre_a.pk]["cadence"], 2 / result.periods)
        with self.assertRaises(PermissionDenied):
            actions.record_activity(actor=self.office_b, pairing=pairing, kind="exchange", on=today, text="x")
        with self.assertRaisesMessage(ValidationError, "同一人"):
            actions.create_pairing(
                actor=self.organiser_a, project=project, cadre=self.cadre_a, senior=self.cadre_a, starts_on=start, ends_on=today
            )
