"""Dispatch stays inside the problem's reach: a street's problem goes to the district's departments or the street's
own stations, offered grouped by where they sit; another street's station is refused. A street's scorecard shows
every department that handled the street's problems, district departments included, counted on them."""

from django.core.exceptions import ValidationError
from django.urls import reverse

from minping.grid import actions
from minping.grid.models import Category
from minping.org.models import Unit
from tests.base import BaseTestCase


class DispatchReachTest(BaseTestCase):
    def setUp(self):
        actions.install_categories(Category)
        self.dispute = Category.objects.get(code="dispute")
        self.bureau = Unit.objects.create(name="甲区城管局", kind="department", region=self.district_a)
        self.elsewhere = Unit.objects.create(name="三街道派出所", kind="station", region=self.other_street_a)
        self.problem, _new = actions.report_problem(
            actor=self.grid_worker, category=self.dispute, region=self.grid_a, address="幸福路1号", description="邻里纠纷"
        )

    def test_another_streets_station_is_refused(self):
        with self.assertRaisesMessage(ValidationError, "“三街道派出所”不服务第1网格"):
            actions.dispatch_problem(actor=self.office_a, problem=self.problem, unit=self.elsewhere)
        self.problem.refresh_from_db()
        self.assertEqual((self.problem.status, self.problem.unit), ("triage", None))
        with self.assertRaisesMessage(ValidationError, "不服务"):
            actions.save_route(actor=self.organiser_a, category=self.dispute, region=self.street_a, unit=self.elsewhere)

    def test_the_page_offers_the_units_serving_the_problem_grouped(self):
        self.client.force_login(self.office_a)
        page = self.client.get(reverse("grid:problem", args=[self.problem.pk])).content.decode()
        self.assertNotIn("三街道派出所", page)
        self.assertNotIn("二街道派出所", page)
        self.assertRegex(
            page,
            r'<optgroup label="甲区"><option value="\d+">甲区城管局</option></optgroup>'
            r'<optgroup label="一街道"><option value="\d+">一街道派出所</option></optgroup>',
        )

    def test_a_streets_scorecard_shows_the_district_departments_that_served_it(self):
        actions.dispatch_problem(actor=self.office_a, problem=self.problem, unit=self.bureau)
        actions.receive_problem(actor=self.handler_for(self.bureau), problem=self.problem)
        other, _new = actions.report_problem(
            actor=self.organiser_a, category=self.dispute, region=self.other_street_a, address="三街道", description="另一街道的纠纷"
        )
        actions.dispatch_problem(actor=self.organiser_a, problem=other, unit=self.bureau)
        self.client.force_login(self.office_a)
        page = self.client.get(reverse("grid:scorecards"))
        rows = {unit.name: dispatched for unit, dispatched, _rates in page.context["rows"]}
        self.assertEqual(rows, {"甲区城管局": 1})  # the street's one problem, not the other street's

    def handler_for(self, unit):
        from minping.accounts.models import User

        return User.objects.create_user(f"handler_{unit.pk}", password="x", role="handler", region=unit.region, unit=unit)
