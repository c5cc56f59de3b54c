"""Work logs: the window for late entries, the history of edits, the supervisor's reading."""

import datetime as dt
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from minping.evidence.models import Evidence
from minping.fieldwork import actions
from minping.fieldwork.models import (
    CadreMonth,
    ContactYear,
    Entry,
    FollowUp,
)
from tests.fieldworking import TODAY, FieldworkTestCase, kind
from tests.test_evidence import photo


class LogTest(FieldworkTestCase):
    def test_an_entry_makes_one_item_a_line_and_counts_in_its_month(self):
        entry = self.log(problems="路灯不亮\n- 垃圾清运不及时", suggestions="增加停车位", raiser_contact="13900001111")
        self.assertEqual(
            sorted(entry.items.values_list("kind", "text")),
            [("problem", "垃圾清运不及时"), ("problem", "路灯不亮"), ("suggestion", "增加停车位")],
        )
        item = entry.items.get(text="增加停车位")
        self.assertEqual(
            (item.cadre, item.region, item.raised_by, item.raiser_contact, item.status),
            (self.cadre_a, self.community_a, "光明社区", "13900001111", "accepted"),
        )
        self.log(contact=self.enterprise_contact, form="phone")
        self.assertEqual([(r.cadre_id, r.entries, r.visits) for r in CadreMonth.objects.all()], [(self.cadre_a.pk, 2, 1)])
        bit = 1 << (TODAY().month - 1)
        self.assertEqual(
            {(r.contact_id, r.months) for r in ContactYear.objects.all()},
            {(self.community_contact.pk, bit), (self.enterprise_contact.pk, bit)},
        )

    def test_a_form_sent_twice_is_stored_once(self):
        client_id = uuid.uuid4()
        first = self.log(client_id=client_id, problems="路灯不亮")
        again, created = actions.record_entry(
            actor=self.cadre_user,
            contact=self.community_contact,
            on=TODAY(),
            form="visit",
            discussed="了解老旧小区改造进度",
            problems="路灯不亮",
            client_id=client_id,
        )
        self.assertEqual((again, created), (first, False))
        self.assertEqual((Entry.objects.count(), FollowUp.objects.count(), CadreMonth.objects.get().entries), (1, 1, 1))

    def test_bad_entries_are_refused_with_a_reason(self):
        other = actions.add_contact(actor=self.organiser_b, cadre=self.cadre_b, kind=kind("community"), record=self.community_b)
        cases = [
            ({"contact": other}, "这不是您的联系点"),
            ({"on": TODAY() + dt.timedelta(days=1)}, "不能为将来的日期"),
            ({"on": TODAY() - dt.timedelta(days=8)}, "请说明原因"),
            ({"discussed": " "}, "请填写交流内容"),
            ({"on": dt.date(2024, 12, 31), "late_reason": "补记"}, "尚未（或已不再）联系"),
            ({"form": "clock_in"}, "请选择工作方式"),
        ]
        for kwargs, message in cases:
            with self.subTest(message), self.assertRaisesMessage(ValidationError, message):
                self.log(**kwargs)
        late = self.log(on=TODAY() - dt.timedelta(days=8), late_reason="下乡期间无信号，回来补记")
        self.assertEqual(late.late_reason, "下乡期间无信号，回来补记")
        self.assertEqual(Entry.objects.count(), 1)

    def test_a_disguised_photo_leaves_neither_entry_nor_item_nor_file(self):
        bad = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00" + b"\x00" * 200, content_type="image/jpeg")
        with self.assertRaises(ValidationError):
            self.log(problems="路灯不亮", files=[bad])
        self.assertEqual(
            (Entry.objects.count(), FollowUp.objects.count(), Evidence.objects.count(), CadreMonth.objects.count()), (0, 0, 0, 0)
        )
        entry = self.log(files=[SimpleUploadedFile("site.png", photo("PNG"), content_type="image/png")])
        self.assertEqual(entry.photos.get().purpose, "fieldwork.log")

    def test_edits_keep_the_earlier_text_and_the_supervisor_reads_within_their_region(self):
        entry = self.log(form="phone")
        actions.edit_entry(
            actor=self.cadre_user, entry=entry, reason="补充细节", form="visit", discussed="了解老旧小区改造进度和加装电梯意愿"
        )
        entry.refresh_from_db()
        self.assertEqual(
            (entry.revisions, entry.history.get().before["discussed"], entry.history.get().reason), (1, "了解老旧小区改造进度", "补充细节")
        )
        self.assertEqual(CadreMonth.objects.get().visits, 1)
        with self.assertRaisesMessage(ValidationError, "请填写修改原因"):
            actions.edit_entry(actor=self.cadre_user, entry=entry, reason="", discussed="x")
        with self.assertRaises(PermissionDenied):
            actions.edit_entry(actor=self.office_a, entry=entry, reason="改", discussed="x")
        with self.assertRaises(PermissionDenied):
            actions.review_entry(actor=self.office_b, entry=entry, comment="已阅")
        with self.assertRaises(PermissionDenied):
            actions.review_entry(actor=self.cadre_user, entry=entry, comment="已阅")
        actions.review_entry(actor=self.office_a, entry=entry, comment="情况清楚，抓紧落实加装电梯")
        entry.refresh_from_db()
        self.assertEqual((entry.reviewed_by, entry.comment), (self.office_a, "情况清楚，抓紧落实加装电梯"))

    def test_the_cadre_logs_from_the_page_and_sees_the_week_and_what_is_owed(self):
        self.client.force_login(self.cadre_user)
        home = self.client.get("/")
        self.assertContains(home, "我的联系点")
        self.assertContains(home, "记工作日志")
        page = self.client.get(reverse("fieldwork:home"))
        self.assertContains(page, "甲区科技有限公司")
        form = {
            "contact": self.enterprise_contact.pk,
            "on": TODAY().isoformat(),
            "form": "visit",
            "discussed": "走访企业，了解用工需求",
            "problems": "企业门前道路破损",
            "id": str(uuid.uuid4()),
        }
        response = self.client.post(reverse("fieldwork:home"), form)
        self.assertEqual(response.status_code, 302)
        again = self.client.post(reverse("fieldwork:home"), form, follow=True)
        self.assertContains(again, "已保存过")
        page = self.client.get(reverse("fieldwork:home"))
        self.assertContains(page, "走访企业，了解用工需求")
        self.assertContains(page, "企业门前道路破损")
        refused = self.client.post(reverse("fieldwork:home"), {**form, "id": str(uuid.uuid4()), "on": "2099-01-01"})
        self.assertEqual(refused.status_code, 400)
        self.assertContains(refused, "不能为将来的日期", status_code=400)
        self.assertContains(refused, "走访企业，了解用工需求", status_code=400)  # what was typed stays
        month = self.client.get(reverse("fieldwork:month", args=[self.cadre_a.pk, TODAY().strftime("%Y-%m")]))
        self.assertContains(month, "走访企业，了解用工需求")
        self.assertEqual(self.client.get(reverse("fieldwork:month", args=[self.cadre_b.pk, TODAY().strftime("%Y-%m")])).status_code, 404)
        self.assertEqual(self.client.get(reverse("fieldwork:month", args=[self.cadre_a.pk, "2026-13"])).status_code, 404)

    def test_the_supervisor_reads_the_unread_and_comments_from_the_page(self):
        entry = self.log()
        self.client.force_login(self.office_a)
        self.assertContains(self.client.get("/"), "条工作日志待批阅")
        logs = self.client.get(reverse("fieldwork:logs"), {"unread": 1})
        self.assertContains(logs, "王书记")
        self.client.post(reverse("fieldwork:entry", args=[entry.pk]), {"step": "review", "comment": "已阅，注意跟进"})
        self.assertContains(self.client.get(reverse("fieldwork:entry", args=[entry.pk])), "已阅，注意跟进")
        self.assertNotContains(self.client.get(reverse("fieldwork:logs"), {"unread": 1}), "王书记")
        self.client.force_login(self.office_b)
        self.assertEqual(self.client.get(reverse("fieldwork:entry", args=[entry.pk])).status_code, 404)
