"""An outcome is the owner's word until it is verified: 已践诺 needs the target reached and evidence; until the
office (or a sample audit) confirms it, the public board shows it as 自报 and the quarter's score counts it as an
open item; a refuted claim reopens the item and stays in its history."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from minping.commitments import actions, periods
from minping.commitments.models import Item
from tests.base import BaseTestCase
from tests.clock import pinned
from tests.committing import published_form
from tests.test_evidence import photo

DAY = dt.date(2026, 8, 10)


def evidence():
    return [SimpleUploadedFile("现场.jpg", photo())]


class OutcomeVerificationTest(BaseTestCase):
    def setUp(self):
        with pinned(DAY):
            self.form = published_form(self, items=1)
        self.item = self.form.items.get()

    def fulfilment(self) -> float:
        year, quarter = periods.quarter_of(self.form.month)
        with pinned(DAY):
            assessment = actions.assess_quarter(actor=self.organiser_a, region=self.street_a, year=year, quarter=quarter)
        return assessment.scores.get().fulfilment

    def board(self) -> str:
        return self.client.get(reverse("board:item", args=[self.item.pk])).content.decode()

    def test_kept_needs_the_target_reached(self):
        with self.assertRaisesMessage(ValidationError, "须达到承诺目标（进度 100%），现在填的是 10%"):
            actions.add_progress(actor=self.cadre_user, item=self.item, percent=10, text="刚开始", outcome="kept", files=evidence())
        self.item.refresh_from_db()
        self.assertEqual((self.item.outcome, self.item.progress, self.item.updates.count()), ("open", 0, 0))

    def test_kept_needs_evidence(self):
        with self.assertRaisesMessage(ValidationError, "须有佐证材料"):
            actions.add_progress(actor=self.cadre_user, item=self.item, percent=100, text="已完成", outcome="kept")
        actions.add_progress(actor=self.cadre_user, item=self.item, percent=60, text="修了一半", files=evidence())
        actions.add_progress(actor=self.cadre_user, item=self.item, percent=100, text="已完成", outcome="kept")  # evidence on record
        self.item.refresh_from_db()
        self.assertEqual(self.item.outcome, "kept")

    def test_a_claim_is_self_reported_and_counted_as_open_until_verified(self):
        actions.add_progress(actor=self.cadre_user, item=self.item, percent=100, text="已完成", outcome="kept", files=evidence())
        self.assertIn("自报", self.board())
        self.assertEqual(self.fulfilment(), 60.0)  # 100% progress × 0.6, as an open item
        actions.review_outcome(actor=self.office_a, item=self.item, verdict="confirmed")
        self.assertNotIn("自报", self.board())
        self.assertIn("已核实", self.board())
        self.assertEqual(self.fulfilment(), 100.0)

    def test_the_owner_cannot_verify_their_own_claim(self):
        actions.add_progress(actor=self.cadre_user, item=self.item, percent=100, text="已完成", outcome="kept", files=evidence())
        with self.assertRaises(PermissionDenied):
            actions.review_outcome(actor=self.cadre_user, item=self.item, verdict="confirmed")
        with self.assertRaises(PermissionDenied):
            actions.review_outcome(actor=self.organiser_b, item=self.item, verdict="confirmed")
        self.client.force_login(self.cadre_user)
        self.client.post(reverse("commitments:item-review", args=[self.item.pk]), {"verdict": "confirmed"})
        self.item.refresh_from_db()
        self.assertEqual((self.item.verification, self.item.reviews.count()), ("", 0))

    def test_a_refuted_claim_reopens_the_item_counts_nothing_and_stays_in_its_history(self):
        actions.add_progress(actor=self.cadre_user, item=self.item, percent=100, text="已完成", outcome="kept", files=evidence())
        with self.assertRaisesMessage(ValidationError, "核实说明"):
            actions.review_outcome(actor=self.office_a, item=self.item, verdict="refuted")
        actions.review_outcome(actor=self.office_a, item=self.item, verdict="refuted", note="现场仍有 12 盏路灯不亮")
        self.item.refresh_from_db()
        self.assertEqual((self.item.outcome, self.item.verification), ("open", "refuted"))
        self.assertEqual(self.fulfilment(), 0.0)
        page = self.board()
        self.assertIn("现场仍有 12 盏路灯不亮", page)
        self.assertIn("核实未通过", page)
        actions.add_progress(actor=self.cadre_user, item=self.item, percent=100, text="全部修好", outcome="kept")
        self.item.refresh_from_db()
        self.assertEqual((self.item.outcome, self.item.verification), ("kept", ""))
        self.assertIn("现场仍有 12 盏路灯不亮", self.board())  # the refuted claim stays visible

    def test_a_sample_audit_verifies_a_claim_on_the_ground(self):
        actions.add_progress(actor=self.cadre_user, item=self.item, percent=100, text="已完成", outcome="kept", files=evidence())
        with pinned(DAY):
            sample = actions.draw_sample(actor=self.organiser_a, region=self.street_a, month=self.form.month, size=5)
        actions.record_check(actor=self.organiser_a, check=sample.checks.get(), verdict="partly", note="一段未修")
        self.item.refresh_from_db()
        self.assertEqual((self.item.verification, self.item.reviews.get().by_sample), (Item.Verification.PARTLY, True))
        self.assertEqual(self.fulfilment(), 60.0)
