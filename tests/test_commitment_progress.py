"""Progress on a posted commitment, with evidence, and the public board that shows it."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.urls import reverse

from minping.commitments import actions
from minping.commitments.models import (
    Progress,
)
from minping.evidence.models import Evidence
from tests.base import BaseTestCase
from tests.committing import item_data, published_form, this_month, upload
from tests.test_evidence import photo


class FulfilmentTest(BaseTestCase):
    def test_progress_with_a_photo_is_public_and_the_history_stays(self):
        form = published_form(self, items=1)
        item = form.items.get()
        actions.add_progress(actor=self.cadre_user, item=item, percent="40", text="已修复 8 盏", files=[upload("现场.jpg", photo())])
        actions.add_progress(actor=self.cadre_user, item=item, percent="100", text="全部修复", outcome="kept")
        item.refresh_from_db()
        self.assertEqual((item.progress, item.outcome), (100, "kept"))
        evidence = Evidence.objects.get(purpose="commitment.progress")
        self.assertTrue(evidence.is_public)
        page = self.client.get(reverse("board:item", args=[item.pk]))
        self.assertContains(page, "已修复 8 盏")
        self.assertContains(page, "全部修复")
        self.assertContains(page, reverse("evidence:download", args=[evidence.pk]))
        self.assertEqual(self.client.get(reverse("evidence:download", args=[evidence.pk])).status_code, 200)
        with self.assertRaisesMessage(ValidationError, "已有最终结果"):
            actions.add_progress(actor=self.cadre_user, item=item, percent="100", text="再记一次")

    def test_bad_evidence_and_bad_progress_leave_nothing_behind(self):
        form = published_form(self, items=1)
        item = form.items.get()
        cases = [
            ({"files": [upload("发票.jpg", b"MZ\x90\x00" + b"\x00" * 200)]}, "不接受可执行程序"),
            ({"files": [upload("a.exe", b"MZ\x90\x00" + b"\x00" * 200)]}, "不接受"),
            ({"files": [upload("big.jpg", b"\xff\xd8\xff" + b"\x00" * 100)]}, ""),
            ({"percent": "120"}, "进度应为 0 到 100"),
            ({"percent": "abc"}, "进度应为 0 到 100"),
            ({"outcome": "not_kept"}, "请填写未完全践诺的原因"),
            ({"text": ""}, "请填写进展情况"),
        ]
        for extra, message in cases:
            kwargs = {"percent": "50", "text": "进展", **extra}
            with self.subTest(message=message or "bad jpeg"), self.assertRaisesMessage(ValidationError, message):
                actions.add_progress(actor=self.cadre_user, item=item, **kwargs)
        self.assertFalse(Progress.objects.exists())
        self.assertFalse(Evidence.objects.exists())
        item.refresh_from_db()
        self.assertEqual((item.progress, item.outcome), (0, "open"))

    @override_settings(EVIDENCE_MAX_BYTES=500)
    def test_a_file_over_the_limit_is_refused(self):
        item = published_form(self, items=1).items.get()
        with self.assertRaisesMessage(ValidationError, "文件超过"):
            actions.add_progress(actor=self.cadre_user, item=item, percent="50", text="进展", files=[upload("大.jpg", photo())])
        self.assertFalse(Progress.objects.exists())

    def test_a_disguised_upload_on_the_page_gets_a_chinese_message(self):
        form = published_form(self, items=1)
        item = form.items.get()
        self.client.force_login(self.cadre_user)
        response = self.client.post(
            reverse("commitments:item-progress", args=[item.pk]),
            {"percent": "50", "text": "进展", "files": upload("x.jpg", b"MZ" + b"\x00" * 60)},
            follow=True,
        )
        self.assertContains(response, "不接受可执行程序")
        self.assertFalse(Progress.objects.exists())

    def test_progress_needs_a_published_form(self):
        form = actions.start_form(actor=self.cadre_user, owner=self.cadre_a, month=this_month())
        item = actions.save_item(actor=self.cadre_user, form=form, data=item_data(form.month))
        with self.assertRaisesMessage(ValidationError, "承诺公开后"):
            actions.add_progress(actor=self.cadre_user, item=item, percent="10", text="开始")

    def test_a_sample_is_drawn_from_published_items_and_verdicts_are_recorded(self):
        form = published_form(self, items=3)
        sample = actions.draw_sample(actor=self.organiser_a, region=self.district_a, month=form.month, size=2)
        checks = list(sample.checks.all())
        self.assertEqual(len(checks), 2)
        self.assertTrue({c.item_id for c in checks} <= set(form.items.values_list("pk", flat=True)))
        with self.assertRaisesMessage(ValidationError, "请填写核查说明"):
            actions.record_check(actor=self.organiser_a, check=checks[0], verdict="refuted")
        actions.record_check(actor=self.organiser_a, check=checks[0], verdict="confirmed")
        with self.assertRaisesMessage(ValidationError, "抽查数量应为 1 到 100"):
            actions.draw_sample(actor=self.organiser_a, region=self.district_a, month=form.month, size=0)
        with self.assertRaises(PermissionDenied):
            actions.draw_sample(actor=self.organiser_b, region=self.district_a, month=form.month, size=1)
