"""A grid worker's day and a problem's whole life in Debian's Chromium: the field page on a phone with the network
cut records visits (one changing an address another phone changed meanwhile) and a problem with a photo, sends
them when the network returns and each is stored exactly once; the department receives and resolves the problem
with evidence, and the worker confirms the fix. Records made offline outlive an expired login: they stay queued
until the worker logs in again, and are then stored once each."""

import datetime as dt

from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.utils import timezone

from tests.base import make_region
from tests.browser import PASSWORD, PHONE, ChromiumMixin, jpeg, log_in, needs_chromium

pytestmark = needs_chromium


class GridBrowserTest(ChromiumMixin, StaticLiveServerTestCase):
    def setUp(self):
        from minping.accounts.models import User
        from minping.grid import actions
        from minping.grid.models import Category
        from minping.org.models import Household, Unit

        actions.install_categories(Category)
        district = make_region("甲区", "district")
        self.street = make_region("一街道", "street", district)
        self.grid = make_region("第1网格", "grid", make_region("光明社区", "community", self.street))
        self.households = [Household.objects.create(code=f"HA00{n}", address=f"幸福路{n}号", region=self.grid) for n in (1, 2, 3)]
        office = User.objects.create_user("office", password=PASSWORD, role="office", region=self.street)
        self.office = office
        self.worker = User.objects.create_user("worker", password=PASSWORD, role="grid_worker", region=self.grid)
        actions.assign_worker(actor=office, grid=self.grid, worker=self.worker, starts_on=dt.date(2025, 1, 1))
        unit = Unit.objects.create(name="一街道城管中队", kind="station", region=self.street)
        User.objects.create_user("handler", password=PASSWORD, role="handler", region=self.street, unit=unit)
        actions.save_route(actor=office, category=Category.objects.get(code="facilities"), region=self.street, unit=unit)
        actions.add_site(actor=office, grid=self.grid, name="幸福小吃店", kind="small_venue", address="幸福路5号")

    def log_in(self, username, **options):
        page = log_in(self.browser, self.live_server_url, username, **options)
        self.assertEqual(page.locator("h1").inner_text(), "我的工作台")
        return page

    def test_a_day_offline_then_a_problems_whole_life(self):
        from minping.grid.models import Problem, Visit
        from minping.org import actions as registry
        from minping.org.models import Household

        worker = self.log_in("worker", **PHONE)
        worker.click("a:has-text('网格外勤')")
        worker.wait_for_selector("#field-due li")
        self.assertTrue(worker.evaluate("navigator.serviceWorker.ready.then(() => true)"))
        worker.reload()  # now served through the service worker, which keeps the page and its data
        worker.wait_for_selector("#field-due li")

        worker.context.set_offline(True)
        worker.reload()  # the page and the households come from the phone
        worker.wait_for_selector("#field-due li")
        self.assertIn("离线", worker.inner_text("#field-status"))
        lamps = "市政设施（路灯、道路、井盖）"
        worker.select_option("#problem-form select[name=category]", label=lamps)  # chosen before the visits are saved
        for record, notes, address in (
            ("HA001 幸福路1号", "家中一切正常", ""),
            ("HA003 幸福路3号", "已搬迁", "幸福路3号之一"),
            ("幸福小吃店 幸福路5号", "消防通道畅通", ""),
        ):
            worker.select_option("#visit-form select[name=household]", label=record)
            worker.fill("#visit-form textarea[name=notes]", notes)
            worker.fill("#visit-form input[name=address]", address)
            worker.click("#visit-form button")
        # The list is redrawn after each visit (HA003 now last visited today); the problem's category stays chosen.
        worker.wait_for_selector(f"#field-due li:has-text('幸福路3号之一'):has-text('{timezone.localdate():%Y-%m-%d}')")
        self.assertEqual(worker.eval_on_selector("#problem-form select[name=category]", "s => s.selectedOptions[0].textContent"), lamps)
        worker.fill("#problem-form input[name=address]", "幸福路3号路口")
        worker.fill("#problem-form textarea[name=description]", "路灯不亮")
        worker.set_input_files("#problem-form input[name=photos]", files=[{"name": "灯.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}])
        worker.click("#problem-form button")
        worker.wait_for_selector("#field-queue:has-text('4 条记录等待发送')")
        self.assertEqual((Visit.objects.count(), Problem.objects.count()), (0, 0))

        # Meanwhile another phone changed HA003's address.
        registry.update_household(actor=self.office, household=Household.objects.get(code="HA003"), address="幸福路3号甲")
        worker.context.set_offline(False)
        worker.evaluate("window.dispatchEvent(new Event('online'))")
        worker.wait_for_selector("#field-queue:has-text('已全部发送')")
        self.assertIn("地址已被他人改为“幸福路3号甲”", worker.inner_text("#field-messages"))
        self.assertEqual(Visit.objects.count(), 3)
        self.assertEqual(Visit.objects.get(site__name="幸福小吃店").notes, "消防通道畅通")
        self.assertEqual(Household.objects.get(code="HA003").address, "幸福路3号甲")  # not silently overwritten
        problem = Problem.objects.get()
        self.assertEqual((problem.status, problem.steps.get(action="report").evidence.count()), ("dispatched", 1))
        # The same visit sent again is found, not stored twice.
        visit = Visit.objects.get(household__code="HA001")
        again = worker.evaluate(
            """([id, household, day]) => fetch('/grid/field/visits', {method: 'POST', credentials: 'same-origin',
            headers: {'Content-Type': 'application/json', 'X-CSRFToken': document.getElementById('field').dataset.csrf},
            body: JSON.stringify({id: id, household: household, visited_on: day, kind: 'routine', notes: '家中一切正常'})}).then(r => r.status)""",
            [str(visit.pk), visit.household_id, visit.visited_on.isoformat()],
        )
        self.assertEqual((again, Visit.objects.count()), (200, 3))

        # The department receives it and resolves it with a photo; the worker confirms the fix.
        handler = self.log_in("handler")
        handler.click("section.workbench a:has-text('幸福路3号路口')")
        handler.click("button:has-text('签收')")
        handler.fill("textarea[name=note]", "已更换灯泡")
        handler.set_input_files("input[name=files]", files=[{"name": "修好.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}])
        handler.click("button:has-text('办结')")
        self.assertEqual(handler.inner_text("#problem-status"), "已办结")
        worker.goto(self.live_server_url + "/")
        worker.click("section.workbench a:has-text('#')")
        worker.click("button:has-text('确认已解决')")
        self.assertEqual(worker.inner_text("#problem-status"), "已结案")
        self.assertEqual([s.action for s in Problem.objects.get().steps.all()], ["report", "dispatch", "receive", "resolve", "confirm"])
        for page in (worker, handler):
            page.context.close()

    def test_records_made_offline_outlive_an_expired_login(self):
        from minping.accounts.models import Session
        from minping.grid.models import Problem, Visit

        worker = self.log_in("worker", **PHONE)
        worker.goto(self.live_server_url + "/grid/field/")
        worker.wait_for_selector("#field-due li")
        worker.evaluate("navigator.serviceWorker.ready.then(() => true)")
        worker.context.set_offline(True)
        worker.select_option("#visit-form select[name=household]", label="HA002 幸福路2号")
        worker.fill("#visit-form textarea[name=notes]", "独居老人，身体尚好")
        worker.click("#visit-form button")
        worker.fill("#problem-form input[name=address]", "幸福路2号楼道")
        worker.fill("#problem-form textarea[name=description]", "楼道灯不亮")
        worker.click("#problem-form button")
        worker.wait_for_selector("#field-queue:has-text('2 条记录等待发送')")

        Session.objects.filter(user=self.worker).delete()  # the login lapses while the phone is offline
        worker.context.set_offline(False)
        worker.evaluate("window.dispatchEvent(new Event('online'))")
        worker.wait_for_selector("#field-problem:has-text('登录已过期')")
        self.assertIn("2 条记录等待发送", worker.inner_text("#field-queue"))
        self.assertEqual((Visit.objects.count(), Problem.objects.count()), (0, 0))
        worker.evaluate("window.dispatchEvent(new Event('online'))")  # tried again, still logged out: still kept
        worker.wait_for_timeout(500)
        self.assertIn("2 条记录等待发送", worker.inner_text("#field-queue"))

        with worker.expect_navigation():
            worker.click("#field-problem a:has-text('重新登录')")
        worker.fill("input[name=username]", "worker")
        worker.fill("input[name=password]", PASSWORD)
        with worker.expect_navigation():
            worker.click("button.primary")
        worker.wait_for_selector("#field-queue:has-text('已全部发送')")
        self.assertEqual(Visit.objects.get().household.code, "HA002")
        self.assertEqual(Visit.objects.get().notes, "独居老人，身体尚好")
        self.assertEqual(Problem.objects.get().description, "楼道灯不亮")
        worker.evaluate("window.dispatchEvent(new Event('online'))")
        worker.wait_for_timeout(500)
        self.assertEqual((Visit.objects.count(), Problem.objects.count()), (1, 1))
        self.assertTrue(worker.is_hidden("#field-problem"))
        worker.context.close()
