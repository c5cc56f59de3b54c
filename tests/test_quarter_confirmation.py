"""A quarter's awards are confirmed by the organiser once the quarter has ended (or was closed early with a
reason); a confirmed quarter reopened with a reason keeps its confirmed version; the proposal says in words why
it cannot fill a quota."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from minping.audit.models import AuditEvent as Event
from minping.commitments import actions, scoring
from minping.commitments.models import Assessment, Score
from tests.base import BaseTestCase
from tests.clock import pinned
from tests.committing import published_form

RUNNING = dt.date(2026, 8, 10)  # inside the third quarter
ENDED = dt.date(2026, 10, 1)


class QuarterConfirmationTest(BaseTestCase):
    def setUp(self):
        self.sequence = actions.save_sequence(
            actor=self.organiser_a,
            region=self.street_a,
            name="管理区",
            quotas={"innovation_quota": "1", "excellent_min": "3", "excellent_max": "4", "good_quota": "2"},
        )
        with pinned(RUNNING):
            published_form(self, items=1, sequence=self.sequence)
            self.assessment = actions.assess_quarter(actor=self.organiser_a, region=self.street_a, year=2026, quarter=3)

    def confirm(self, actor=None, day=ENDED):
        with pinned(day):
            return actions.confirm_awards(actor=actor or self.organiser_a, assessment=self.assessment)

    def test_a_running_quarter_is_not_confirmed(self):
        with self.assertRaisesMessage(ValidationError, "到 2026年9月30日 才结束"):
            self.confirm(day=RUNNING)
        self.assertEqual(Assessment.objects.get().status, "proposed")
        self.assertEqual(self.confirm().status, "confirmed")

    def test_an_organiser_may_close_it_early_with_a_reason_on_record(self):
        with pinned(RUNNING), self.assertRaisesMessage(ValidationError, "提前结束的理由"):
            actions.close_quarter_early(actor=self.organiser_a, assessment=self.assessment, reason=" ")
        with pinned(RUNNING):
            actions.close_quarter_early(actor=self.organiser_a, assessment=self.assessment, reason="区委九月底调整班子，提前评定")
        self.assertEqual(self.confirm(day=RUNNING).status, "confirmed")
        event = Event.objects.filter(action="commitment.close_early").get()
        self.assertEqual(event.data["reason"], "区委九月底调整班子，提前评定")

    def test_only_the_organiser_confirms(self):
        for outsider in (self.office_a, self.cadre_user, self.organiser_b):
            with self.subTest(outsider.username), self.assertRaises(PermissionDenied):
                self.confirm(actor=outsider)
        self.client.force_login(self.office_a)
        with pinned(ENDED):
            page = self.client.post(reverse("commitments:quarter", args=[self.assessment.pk]), {"step": "confirm"}, follow=True)
        self.assertContains(page, "季度奖项只能由组织部门（考核办）确认")
        self.assertEqual(Assessment.objects.get().status, "proposed")

    def test_a_reopened_quarter_keeps_both_versions(self):
        self.confirm()
        score = self.assessment.scores.get()
        with self.assertRaisesMessage(ValidationError, "重新打开的理由"):
            actions.reopen_quarter(actor=self.organiser_a, assessment=self.assessment, reason="")
        with self.assertRaises(PermissionDenied):
            actions.reopen_quarter(actor=self.office_a, assessment=self.assessment, reason="想改")
        version = actions.reopen_quarter(actor=self.organiser_a, assessment=self.assessment, reason="群众反映核查有误，复核后调整")
        self.assertEqual(version.scores[0]["award"], score.award)
        actions.set_award(actor=self.organiser_a, score=score, award="")
        self.confirm()
        self.assertEqual((Score.objects.get().award, self.assessment.versions.get().scores[0]["award"]), ("", score.award))
        self.assertEqual(
            [e.action for e in Event.objects.filter(action__in=["commitment.confirm", "commitment.reopen"]).order_by("seq")],
            ["commitment.confirm", "commitment.reopen", "commitment.confirm"],
        )
        self.client.force_login(self.organiser_a)
        page = self.client.get(reverse("commitments:quarter", args=[self.assessment.pk]))
        self.assertContains(page, "群众反映核查有误，复核后调整")

    def test_the_proposal_says_why_a_quota_cannot_be_met(self):
        self.assertEqual(
            self.assessment.notes,
            ["“管理区”序列只有 1 人参评，优秀奖应评 3 个，只能评出 0 个", "“管理区”序列只有 1 人参评，良好奖应评 2 个，只能评出 0 个"],
        )


class ProposalTest(BaseTestCase):
    """The engine's proposal for one sequence, on plain scores."""

    def proposal(self, points: list[float], quotas=(1, 2, 3, 1)):
        from minping.commitments.models import Sequence
        from minping.lib import stats

        sequence = Sequence(name="办所", innovation_quota=quotas[0], excellent_min=quotas[1], excellent_max=quotas[2], good_quota=quotas[3])
        scores = [
            Score(label=f"干部{n}", score=p, rank=r) for n, (p, r) in enumerate(zip(points, stats.competition_ranks(points), strict=True))
        ]
        notes = scoring.propose(scores, sequence)
        return [s.proposed for s in scores], notes

    def test_a_tie_at_the_excellence_minimum_fits_within_its_maximum(self):
        awards, notes = self.proposal([95, 90, 85, 85, 70])
        self.assertEqual((awards, notes), (["innovation", "excellent", "excellent", "excellent", "good"], []))

    def test_a_tie_beyond_the_maximum_is_left_to_the_organiser_and_said(self):
        awards, notes = self.proposal([95, 90, 85, 85, 85, 70])
        self.assertEqual(awards, ["innovation", "excellent", "", "", "", ""])
        self.assertEqual(len(notes), 2)
        self.assertIn("第 3 名并列（干部2、干部3、干部4），超出优秀奖的名额", notes[0])
