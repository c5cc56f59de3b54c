"""Items followed to closure, handed to the grid's dispatch, and whoever raised them told."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from minping.fieldwork import actions
from minping.fieldwork.models import (
    FollowUp,
)
from minping.grid import actions as grid
from minping.grid.models import Category, Problem
from minping.notifications.models import SentMessage
from tests.fieldworking import FieldworkTestCase
from tests.gateway import Gateway
from tests.test_evidence import photo


class ItemTest(FieldworkTestCase):
    def item(self, **kwargs) -> FollowUp:
        return self.log(problems="幸福路路灯不亮", raiser_contact=kwargs.pop("contact", "13900001111"), **kwargs).items.get()

    def test_an_item_acted_on_is_closed_and_the_raiser_told_by_text_message(self):
        item = self.item()
        actions.propose_solution(actor=self.cadre_user, item=item, solution="协调物业更换灯泡")
        actions.act_on_item(actor=self.cadre_user, item=item, note="物业已更换灯泡")
        with Gateway() as received, self.captureOnCommitCallbacks(execute=True):
            actions.close_item(actor=self.cadre_user, item=item, outcome="路灯已修好")
        item.refresh_from_db()
        self.assertEqual((item.status, item.told_how), ("closed", "message"))
        self.assertEqual(received[0]["phone"], "13900001111")
        self.assertIn("路灯已修好", received[0]["text"])
        self.assertEqual(list(item.steps.values_list("action", flat=True)), ["accept", "propose", "act", "close", "tell"])
        self.assertEqual(SentMessage.objects.get().topic, "fieldwork.told")

    def test_without_a_channel_the_cadre_records_a_call(self):
        item = self.item()
        actions.act_on_item(actor=self.cadre_user, item=item, note="已处理")
        actions.close_item(actor=self.cadre_user, item=item, outcome="已处理")
        with self.assertRaisesMessage(ValidationError, "未配置短信"):
            actions.tell_raiser(actor=self.cadre_user, item=item, how="message")
        actions.tell_raiser(actor=self.cadre_user, item=item, how="phone")
        with self.assertRaisesMessage(ValidationError, "已告知过"):
            actions.tell_raiser(actor=self.cadre_user, item=item, how="in_person")
        item.refresh_from_db()
        self.assertEqual(item.told_how, "phone")

    def test_steps_out_of_order_and_outsiders_are_refused(self):
        item = self.item()
        with self.assertRaisesMessage(ValidationError, "不能办结"):
            actions.close_item(actor=self.cadre_user, item=item, outcome="x")
        with self.assertRaises(PermissionDenied):
            actions.act_on_item(actor=self.office_b, item=item, note="x")
        with self.assertRaisesMessage(ValidationError, "办结后才能告知"):
            actions.tell_raiser(actor=self.cadre_user, item=item, how="phone")

    def test_a_forwarded_problem_is_one_grid_problem_and_closes_when_the_fix_is_confirmed(self):
        item = self.item()
        actions.forward_item(actor=self.cadre_user, item=item, category=self.lamps, address="幸福路3号")
        item.refresh_from_db()
        problem = item.problem
        self.assertEqual(
            (item.status, problem.unit, problem.region, problem.reporter, problem.reporter_kind),
            ("forwarded", self.urban, self.community_a, self.cadre_user, "cadre"),
        )
        self.assertEqual(Problem.objects.count(), 1)
        with self.assertRaisesMessage(ValidationError, "不能转交"):
            actions.forward_item(actor=self.cadre_user, item=item, category=self.lamps, address="幸福路3号")
        grid.receive_problem(actor=self.urban_handler, problem=problem)
        grid.resolve_problem(
            actor=self.urban_handler,
            problem=problem,
            note="更换路灯 3 盏",
            files=[SimpleUploadedFile("fixed.png", photo("PNG"), content_type="image/png")],
        )
        with Gateway() as received, self.captureOnCommitCallbacks(execute=True):
            grid.confirm_fix(actor=self.cadre_user, problem=problem)
        item.refresh_from_db()
        self.assertEqual((item.status, item.told_how), ("closed", "message"))
        self.assertIn("更换路灯 3 盏", item.outcome)
        self.assertIn("更换路灯 3 盏", received[0]["text"])

    def test_a_problem_with_no_route_waits_for_the_streets_dispatch(self):
        item = self.item()
        actions.forward_item(actor=self.cadre_user, item=item, category=Category.objects.get(code="dispute"), address="幸福路3号")
        item.refresh_from_db()
        self.assertEqual((item.problem.status, item.problem.unit), ("triage", None))
        self.assertIn("待街道分派", item.steps.last().note)

    def test_the_item_page_forwards_and_shows_the_grid_problem(self):
        item = self.item()
        self.client.force_login(self.cadre_user)
        url = reverse("fieldwork:item", args=[item.pk])
        self.client.post(url, {"step": "forward", "category": self.lamps.pk, "address": "幸福路3号"})
        page = self.client.get(url)
        self.assertContains(page, "已转交部门办理")
        self.assertContains(page, "一街道城管中队")
        refused = self.client.post(url, {"step": "close", "outcome": "x"}, follow=True)
        self.assertContains(refused, "尚未办结")
        self.client.force_login(self.office_b)
        self.assertEqual(self.client.get(url).status_code, 404)
