"""A cadre's week in Debian's Chromium: on a phone, the cadre logs a visit to a contact point with a problem and a
photo; the supervisor reads the entry and comments; the cadre forwards the problem to the grid's dispatch, the
department receives and resolves it, the cadre confirms the fix, and the resident who raised it gets a text
message with the outcome."""

import datetime as dt

from django.contrib.staticfiles.testing import StaticLiveServerTestCase

from tests.base import id_number, make_region
from tests.browser import PASSWORD, PHONE, ChromiumMixin, jpeg, log_in, needs_chromium
from tests.gateway import Gateway

pytestmark = needs_chromium


class FieldworkBrowserTest(ChromiumMixin, StaticLiveServerTestCase):
    def setUp(self):
        from minping.accounts.models import User
        from minping.fieldwork import actions
        from minping.fieldwork.models import ContactKind
        from minping.grid import actions as grid
        from minping.grid.models import Category
        from minping.lib.identity import id_digest, mask_id
        from minping.org.models import Cadre, Unit

        grid.install_categories(Category)
        actions.install_contact_kinds(ContactKind)
        district = make_region("甲区", "district")
        street = make_region("一街道", "street", district)
        community = make_region("光明社区", "community", street)
        number = id_number(903)
        cadre = Cadre.objects.create(
            name="王书记", id_digest=id_digest(number), id_masked=mask_id(number), gender="M", birth_year=1980, region=community
        )
        self.cadre_user = User.objects.create_user("cadre", password=PASSWORD, role="cadre", region=community, cadre=cadre)
        office = User.objects.create_user("office", password=PASSWORD, role="office", region=street)
        actions.add_contact(
            actor=office, cadre=cadre, kind=ContactKind.objects.get(code="community"), record=community, starts_on=dt.date(2025, 1, 1)
        )
        unit = Unit.objects.create(name="一街道城管中队", kind="station", region=street)
        User.objects.create_user("handler", password=PASSWORD, role="handler", region=street, unit=unit)
        grid.save_route(actor=office, category=Category.objects.get(code="facilities"), region=street, unit=unit)

    def log_in(self, username, **options):
        page = log_in(self.browser, self.live_server_url, username, **options)
        self.assertEqual(page.locator("h1").inner_text(), "我的工作台")
        return page

    def test_a_cadres_week(self):
        from minping.fieldwork.models import Entry, FollowUp

        cadre = self.log_in("cadre", **PHONE)
        cadre.click("a:has-text('记工作日志')")
        cadre.select_option("#log-form select[name=form]", label="走访")
        cadre.fill("#log-form textarea[name=discussed]", "走访光明社区，了解老旧小区改造进度")
        cadre.fill("#log-form textarea[name=problems]", "幸福路3号路灯不亮")
        cadre.fill("#log-form input[name=raiser_contact]", "13900001111")
        cadre.set_input_files("#log-form input[name=photos]", files=[{"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}])
        cadre.click("#log-form button")
        cadre.wait_for_selector(".messages :has-text('日志已保存')")
        self.assertIn("走访光明社区", cadre.inner_text("#week"))
        self.assertIn("幸福路3号路灯不亮", cadre.inner_text("#owed"))
        entry = Entry.objects.get()
        self.assertEqual(entry.photos.count(), 1)

        supervisor = self.log_in("office")
        supervisor.click("a:has-text('条工作日志待批阅')")
        supervisor.click(f"td a:has-text('{entry.on:%Y-%m-%d}')")
        supervisor.fill("textarea[name=comment]", "情况清楚，路灯问题请转城管处理")
        supervisor.click("button:has-text('保存批阅意见')")
        supervisor.wait_for_selector("#comment:has-text('情况清楚')")

        cadre.reload()
        self.assertIn("已批阅", cadre.inner_text("#week"))
        cadre.click("#owed a")
        cadre.select_option("#forward-form select[name=category]", label="市政设施（路灯、道路、井盖）")
        cadre.fill("#forward-form input[name=address]", "幸福路3号")
        cadre.click("#forward-form button")
        cadre.wait_for_selector("#item-status:has-text('已转交部门办理')")
        self.assertIn("一街道城管中队", cadre.inner_text("#item-problem"))

        handler = self.log_in("handler")
        handler.click("a:has-text('市政设施')")
        handler.click("button:has-text('签收')")
        handler.wait_for_selector("#problem-status:has-text('已签收')")
        handler.fill("textarea[name=note]", "更换路灯 3 盏")
        handler.set_input_files("input[name=files]", files=[{"name": "修好.jpg", "mimeType": "image/jpeg", "buffer": jpeg((200, 200, 40))}])
        handler.click("button:has-text('办结')")
        handler.wait_for_selector("#problem-status:has-text('已办结')")

        item_page = cadre.url
        with Gateway() as received:
            cadre.click("#item-problem a")
            cadre.click("button:has-text('确认已解决')")
            cadre.wait_for_selector("#problem-status:has-text('已结案')")
            cadre.goto(item_page)
            cadre.wait_for_selector("#item-status:has-text('已办结')")
        self.assertIn("更换路灯 3 盏", cadre.inner_text("#item-outcome"))
        self.assertNotIn("尚未", cadre.inner_text("#item-told"))
        self.assertEqual([m["phone"] for m in received], ["13900001111"])
        self.assertIn("更换路灯 3 盏", received[0]["text"])
        item = FollowUp.objects.get()
        self.assertEqual((item.status, item.told_how, item.problem.status), ("closed", "message", "confirmed"))
