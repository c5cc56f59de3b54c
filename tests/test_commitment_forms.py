"""The monthly commitment form: filed, submitted, sent back, approved, posted; edits after approval kept as revisions."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from minping.commitments import actions, periods
from minping.commitments.models import (
    CommitmentForm,
)
from tests.base import BaseTestCase
from tests.committing import item_data, published_form, this_month
from tests.pageforms import form_fields


class FormLifecycleTest(BaseTestCase):
    def test_a_form_goes_from_draft_to_the_public_board(self):
        month = this_month()
        form = actions.start_form(actor=self.cadre_user, owner=self.cadre_a, month=month)
        self.assertEqual((form.status, form.region), (CommitmentForm.Status.DRAFT, self.community_a))
        actions.save_item(actor=self.cadre_user, form=form, data=item_data(month))
        actions.submit_form(actor=self.cadre_user, form=form)
        actions.return_form(actor=self.office_a, form=form, reason="目标不够具体")
        form.refresh_from_db()
        self.assertEqual((form.status, form.return_reason), ("returned", "目标不够具体"))
        actions.save_item(
            actor=self.cadre_user, form=form, data=item_data(month, target="修复路灯 20 盏，月底前全部亮灯"), item=form.items.get()
        )
        actions.submit_form(actor=self.cadre_user, form=form)
        actions.approve_form(actor=self.office_a, form=form)
        self.assertEqual(actions.publish_forms(actor=self.office_a, forms=[form]), 1)
        form.refresh_from_db()
        self.assertEqual(form.status, "published")
        page = self.client.get(reverse("board:board", args=[self.community_a.pk, month.strftime("%Y-%m")]))
        self.assertContains(page, "月底前全部亮灯")
        street_board = self.client.get(reverse("board:board", args=[self.street_a.pk, month.strftime("%Y-%m")]))
        self.assertContains(street_board, "王书记")

    def test_approving_a_form_that_is_not_submitted_is_refused(self):
        form = actions.start_form(actor=self.cadre_user, owner=self.cadre_a, month=this_month())
        with self.assertRaisesMessage(ValidationError, "只能审核已提交的承诺表"):
            actions.approve_form(actor=self.office_a, form=form)

    def test_an_unpublished_form_is_not_on_the_board(self):
        month = this_month()
        form = actions.start_form(actor=self.cadre_user, owner=self.cadre_a, month=month)
        actions.save_item(actor=self.cadre_user, form=form, data=item_data(month, content="尚未公开的承诺"))
        actions.submit_form(actor=self.cadre_user, form=form)
        page = self.client.get(reverse("board:board", args=[self.community_a.pk, month.strftime("%Y-%m")]))
        self.assertNotContains(page, "尚未公开的承诺")
        item = form.items.get()
        self.assertEqual(self.client.get(reverse("board:item", args=[item.pk])).status_code, 404)

    def test_bad_items_and_closed_months_are_refused_in_chinese(self):
        month = this_month()
        form = actions.start_form(actor=self.cadre_user, owner=self.cadre_a, month=month)
        cases = [
            (item_data(month, target=""), "请填写可衡量的目标"),
            (item_data(month, content="  "), "请填写承诺内容"),
            (item_data(month, deadline=periods.next_month(month)), "完成时限应在"),
            (item_data(month, deadline=month - dt.timedelta(days=1)), "完成时限应在"),
            (item_data(month, deadline="明天"), "请填写正确的完成时限"),
            (item_data(month, category="whatever"), "请选择承诺类别"),
        ]
        for data, message in cases:
            with self.subTest(message=message), self.assertRaisesMessage(ValidationError, message):
                actions.save_item(actor=self.cadre_user, form=form, data=data)
        self.assertFalse(form.items.exists())
        last_month = (month - dt.timedelta(days=1)).replace(day=1)
        with self.assertRaisesMessage(ValidationError, "已经结束"):
            actions.start_form(actor=self.cadre_user, owner=self.cadre_a, month=last_month)
        far = periods.next_month(periods.next_month(month))
        with self.assertRaisesMessage(ValidationError, "起填报"):
            actions.start_form(actor=self.cadre_user, owner=self.cadre_a, month=far)
        with self.assertRaisesMessage(ValidationError, "请至少填写一项承诺"):
            actions.submit_form(actor=self.cadre_user, form=form)

    def test_a_form_for_a_closed_month_is_refused_on_the_page_with_a_400_free_message(self):
        self.client.force_login(self.cadre_user)
        response = self.client.post(reverse("commitments:mine"), {"month": "2020-01"})
        self.assertContains(response, "2020年1月已经结束", status_code=400)
        self.assertFalse(CommitmentForm.objects.exists())
        self.assertContains(self.client.post(reverse("commitments:mine"), {"month": "2020-13"}), "月份格式应为“2026-09”", status_code=400)

    def test_editing_an_approved_item_needs_a_reason_and_keeps_a_visible_revision(self):
        form = published_form(self, items=1)
        item = form.items.get()
        with self.assertRaisesMessage(ValidationError, "请填写修改理由"):
            actions.save_item(actor=self.cadre_user, form=form, item=item, data=item_data(form.month, content="改过的承诺"))
        with self.assertRaisesMessage(ValidationError, "不能再增加承诺"):
            actions.save_item(actor=self.cadre_user, form=form, data=item_data(form.month), reason="补充")
        actions.save_item(
            actor=self.cadre_user, form=form, item=item, data=item_data(form.month, content="改过的承诺"), reason="街道调整了工作重点"
        )
        item.refresh_from_db()
        self.assertEqual((item.content, item.revision), ("改过的承诺", 2))
        page = self.client.get(reverse("board:item", args=[item.pk]))
        self.assertContains(page, "承诺事项1")  # the earlier wording
        self.assertContains(page, "街道调整了工作重点")
        with self.assertRaisesMessage(ValidationError, "只有草稿或退回"):
            actions.remove_item(actor=self.cadre_user, item=item)
        CommitmentForm.objects.filter(pk=form.pk).update(month=(form.month - dt.timedelta(days=1)).replace(day=1))
        with self.assertRaisesMessage(ValidationError, "承诺期已经结束，承诺不能再修改"):
            actions.save_item(
                actor=self.cadre_user,
                form=CommitmentForm.objects.get(pk=form.pk),
                item=item,
                data=item_data(form.month, content="事后改写"),
                reason="补记",
            )

    def test_people_outside_the_region_can_neither_file_nor_approve(self):
        form = actions.start_form(actor=self.cadre_user, owner=self.cadre_a, month=this_month())
        actions.save_item(actor=self.cadre_user, form=form, data=item_data(form.month))
        actions.submit_form(actor=self.cadre_user, form=form)
        with self.assertRaises(PermissionDenied):
            actions.approve_form(actor=self.organiser_b, form=form)
        with self.assertRaises(PermissionDenied):
            actions.start_form(actor=self.organiser_b, owner=self.cadre_a, month=form.month)
        with self.assertRaises(PermissionDenied):
            actions.start_form(actor=self.cadre_user, owner=self.cadre_b, month=form.month)
        with self.assertRaises(PermissionDenied):
            actions.approve_form(actor=self.cadre_user, form=form)  # nobody approves their own form
        self.client.force_login(self.organiser_b)
        self.assertEqual(self.client.get(reverse("commitments:form", args=[form.pk])).status_code, 404)
        self.assertEqual(self.client.post(reverse("commitments:form-step", args=[form.pk]), {"step": "approve"}).status_code, 404)
        form.refresh_from_db()
        self.assertEqual(form.status, "submitted")


class EditFormTest(BaseTestCase):
    def test_an_approved_item_saved_unchanged_from_its_edit_page_is_kept(self):
        """The edit page shows every field as its input reads it (a deadline as 2026-12-20, which a date input
        accepts, not 2026/12/20): posted back as shown, with a reason, it saves."""
        form = published_form(self, items=1)
        item = form.items.get()
        self.client.force_login(self.cadre_user)
        url = reverse("commitments:item-edit", args=[item.pk])
        shown = form_fields(self.client.get(url).content.decode(), url)
        self.assertEqual(shown["deadline"], item.deadline.isoformat())
        response = self.client.post(url, {**shown, "target": "月底前全部修复", "reason": "细化目标"})
        self.assertRedirects(response, reverse("commitments:form", args=[form.pk]), fetch_redirect_response=False)
        item.refresh_from_db()
        self.assertEqual((item.target, item.content, item.deadline.isoformat()), ("月底前全部修复", shown["content"], shown["deadline"]))

    def test_a_refused_new_item_keeps_everything_typed(self):
        form = actions.start_form(actor=self.cadre_user, owner=self.cadre_a, month=this_month())
        self.client.force_login(self.cadre_user)
        typed = {**item_data(form.month, content="为辖区老人上门测血压"), "deadline": "2019-01-01", "place": ""}
        response = self.client.post(reverse("commitments:item-add", args=[form.pk]), typed)
        self.assertContains(response, "为辖区老人上门测血压", status_code=400)
        self.assertEqual(form_fields(response.content.decode(), reverse("commitments:item-add", args=[form.pk]))["deadline"], "2019-01-01")
        self.assertFalse(form.items.exists())

    def test_every_date_field_of_a_form_is_rendered_as_a_date_input_reads_it(self):
        """The class of the bug above: a DateInput renders in the locale's format unless told otherwise."""
        import importlib
        import pkgutil

        from django import forms

        import minping

        found = []
        for module in pkgutil.walk_packages(minping.__path__, "minping."):
            if module.name.endswith(".forms"):
                for value in vars(importlib.import_module(module.name)).values():
                    if isinstance(value, type) and issubclass(value, forms.BaseForm):
                        for name, field in value.base_fields.items():
                            if isinstance(field.widget, forms.DateInput):
                                found.append((value.__name__, name, field.widget.format))
        self.assertEqual(found, [("ItemForm", "deadline", "%Y-%m-%d")])
