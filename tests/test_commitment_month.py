"""The month page lists who is expected to file and has not, within the office's region."""

from django.urls import reverse

from minping.accounts.models import User
from minping.commitments import actions
from tests.base import BaseTestCase
from tests.committing import this_month


class MissingFilersTest(BaseTestCase):
    def test_the_month_page_lists_the_staff_who_have_not_filed(self):
        User.objects.create_user("cadre_b", password="x", role=User.Role.CADRE, region=self.community_b, cadre=self.cadre_b)
        self.client.force_login(self.organiser_a)
        url = f"{reverse('commitments:month')}?month={this_month():%Y-%m}"
        missing = self.client.get(url).content.decode().split('id="missing"')[1].split("</section>")[0]
        self.assertIn(self.cadre_a.name, missing)
        self.assertIn("应填报的 1 人", missing)
        self.assertNotIn(self.cadre_b.name, missing)  # another district's staff
        actions.start_form(actor=self.cadre_user, owner=self.cadre_a, month=this_month())
        missing = self.client.get(url).content.decode().split('id="missing"')[1].split("</section>")[0]
        self.assertNotIn(self.cadre_a.name, missing)
        self.assertIn("0 人本月尚未填报", missing)
