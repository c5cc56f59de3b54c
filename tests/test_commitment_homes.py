"""Where commitments appear on each role's first page."""

from django.urls import reverse

from minping.commitments import actions, periods
from tests.base import BaseTestCase
from tests.committing import item_data, this_month


class HomesTest(BaseTestCase):
    def test_a_cadre_is_asked_for_the_months_form_and_an_approver_sees_forms_waiting(self):
        self.client.force_login(self.cadre_user)
        home = self.client.get("/")
        self.assertContains(home, "我的承诺")
        self.assertContains(home, f"填写{periods.label(this_month())}的承诺表")
        form = actions.start_form(actor=self.cadre_user, owner=self.cadre_a, month=this_month())
        actions.save_item(actor=self.cadre_user, form=form, data=item_data(form.month))
        actions.submit_form(actor=self.cadre_user, form=form)
        self.client.force_login(self.office_a)
        home = self.client.get("/")
        self.assertContains(home, "待审核")
        self.client.force_login(self.handler)
        self.assertContains(self.client.get("/"), "我的承诺")
        self.assertContains(self.client.get(reverse("commitments:mine")), self.handler.unit.name)
