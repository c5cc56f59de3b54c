"""A street office's month in Debian's Chromium: it puts a new grid worker on a grid and a cadre on another for a
day (我当网格员), the cadre works the grid on a phone and the work is counted to them, a commitment is reworded
after approval with its date input as shown, and the month page names who has not filed."""

import datetime as dt

from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.utils import timezone

from minping.accounts.models import User
from minping.grid import actions as grid
from minping.grid.models import Assignment, Category, Visit
from minping.org.models import Cadre, Household, Post
from tests.base import BaseTestCase, id_number, make_region
from tests.browser import PASSWORD, ChromiumMixin, log_in, needs_chromium
from tests.committing import published_form

pytestmark = needs_chromium
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


class StreetOfficeMonthTest(ChromiumMixin, StaticLiveServerTestCase):
    def setUp(self):
        BaseTestCase.setUpTestData.__func__(self)
        grid.install_categories(Category)
        self.grid_a2 = make_region("第2网格", "grid", self.community_a)
        Household.objects.create(code="HA021", address="幸福路21号", region=self.grid_a2)
        self.newcomer = User.objects.create_user("newcomer", password=PASSWORD, role=User.Role.GRID_WORKER, region=self.community_a)
        for user in (self.office_a, self.cadre_user):
            user.set_password(PASSWORD)
            user.save()
        # A second cadre of the community with an account and no form this month.
        late = Cadre.objects.create(
            name="迟交者", id_digest=id_number(990), id_masked="x", gender="M", birth_year=1985, region=self.community_a
        )
        Post.objects.create(cadre=late, region=self.community_a, title="社区委员", category="member", started_on="2024-01-01")
        User.objects.create_user("late", password=PASSWORD, role=User.Role.CADRE, region=self.community_a, cadre=late)
        self.form = published_form(self, items=1)

    def test_a_street_offices_month(self):
        today = timezone.localdate().isoformat()
        office = log_in(self.browser, self.live_server_url, self.office_a.username)
        # A new grid worker has no grid: the office puts them on 第1网格.
        office.goto(self.live_server_url + "/grid/assignments/")
        office.select_option("#assign select[name=grid]", str(self.grid_a.pk))
        office.fill("#assign input[name=username]", "newcomer")
        office.click("#assign button.primary")
        office.wait_for_selector("text=已保存")
        worker = log_in(self.browser, self.live_server_url, "newcomer", **PHONE)
        worker.goto(self.live_server_url + "/grid/field/")
        worker.wait_for_selector("option:has-text('第1网格')", state="attached")  # the field page offers its grid
        # A cadre takes 第2网格 over for today, with four visits expected.
        office.select_option("#assign select[name=grid]", str(self.grid_a2.pk))
        office.fill("#assign input[name=username]", self.cadre_user.username)
        office.fill("#assign input[name=ends_on]", today)
        office.check("#assign input[name=secondment]")
        office.fill("#assign input[name=target_visits]", "4")
        office.click("#assign button.primary")
        office.wait_for_selector("text=已保存")
        self.assertTrue(Assignment.objects.filter(worker=self.cadre_user, is_secondment=True, target_visits=4).exists())
        # On their phone the cadre finds the grid on their workbench and records a visit from its due list.
        cadre = log_in(self.browser, self.live_server_url, self.cadre_user.username, **PHONE)
        cadre.click("section.workbench a:has-text('第2网格')")
        cadre.wait_for_selector("text=HA021")
        cadre.click(f"#household-{Household.objects.get(code='HA021').pk} button.primary")
        cadre.wait_for_selector("text=已记录")
        self.assertEqual(Visit.objects.filter(worker=self.cadre_user, grid=self.grid_a2).count(), 1)
        office.goto(self.live_server_url + "/grid/assignments/")
        self.assertIn("走访 1 户次", office.inner_text("#assignments"))
        # The cadre rewords an approved commitment: the date input shows the deadline as it reads it.
        item = self.form.items.get()
        cadre.goto(self.live_server_url + f"/commitments/items/{item.pk}/")
        self.assertEqual(cadre.input_value("input[name=deadline]"), item.deadline.isoformat())
        cadre.fill("input[name=target]", "修复路灯 25 盏")
        cadre.fill("input[name=reason]", "街道增加了任务量")
        cadre.click(f"form[action='/commitments/items/{item.pk}/'] button.primary")
        cadre.wait_for_url(f"**/commitments/forms/{self.form.pk}/")
        item.refresh_from_db()
        self.assertEqual(item.target, "修复路灯 25 盏")
        # The month page names the cadre who has not filed.
        office.goto(self.live_server_url + f"/commitments/month/?month={self.form.month:%Y-%m}")
        missing = office.inner_text("#missing")
        self.assertIn("迟交者", missing)
        self.assertNotIn(self.cadre_a.name, missing)
        self.assertEqual(dt.date.fromisoformat(today), timezone.localdate())
