"""The console in Debian's Chromium, driven by Playwright: log in, walk the region tree, import a file."""

from django.conf import settings
from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.test import override_settings

from tests.base import id_number, make_region
from tests.browser import ChromiumMixin, needs_chromium
from tests.importing import csv_bytes

pytestmark = needs_chromium


# Background steps run in a thread as in the embedded default; on the in-memory SQLite of the test run, whose
# shared cache locks whole tables, they run inline at the end of the request instead.
IN_MEMORY = "sqlite" in settings.DATABASES["default"]["ENGINE"]


@override_settings(TASK_RUNNER="inline" if IN_MEMORY else "thread")
class ConsoleBrowserTest(ChromiumMixin, StaticLiveServerTestCase):
    def setUp(self):
        from minping.accounts.models import User

        district = make_region("甲区", "district")
        street = make_region("一街道", "street", district)
        make_region("第1网格", "grid", make_region("光明社区", "community", street))
        User.objects.create_user("org", password="secret-pass-1", role=User.Role.ORGANISER, region=district)
        self.page = self.browser.new_page(viewport={"width": 390, "height": 844})  # a phone

    def tearDown(self):
        self.page.close()

    def log_in(self):
        self.page.goto(self.live_server_url + "/")
        self.page.fill("input[name=username]", "org")
        self.page.fill("input[name=password]", "secret-pass-1")
        self.page.click("button.primary")
        self.page.wait_for_selector("text=概况")

    def test_the_region_tree_expands_lazily(self):
        self.log_in()
        self.page.click("nav >> text=区域")
        self.page.click("summary:has-text('甲区')")
        self.page.wait_for_selector("summary:has-text('一街道')")
        self.page.click("summary:has-text('一街道')")
        self.page.wait_for_selector("text=光明社区")

    def test_an_import_goes_from_upload_through_preview_to_commit(self):
        self.log_in()
        self.page.goto(self.live_server_url + "/console/imports/")
        rows = [
            ["姓名", "身份证号", "手机号", "住址", "所属区域", "户编号"],
            ["李四", id_number(10), "13900001111", "", "甲区/一街道/光明社区/第1网格", ""],
        ]
        self.page.select_option("select[name=register]", "residents")
        self.page.set_input_files("input[name=file]", files=[{"name": "居民.csv", "mimeType": "text/csv", "buffer": csv_bytes(rows)}])
        self.page.click("text=上传并检查")
        self.page.wait_for_selector("[data-status=valid]", timeout=20_000)
        self.page.click("button:has-text('导入 1 行')")
        self.page.wait_for_selector("[data-status=done]", timeout=20_000)
        self.assertIn("新增 1", self.page.inner_text("#job-status"))
        self.page.goto(self.live_server_url + "/console/residents/")
        self.assertIn("139****1111", self.page.inner_text("table"))
