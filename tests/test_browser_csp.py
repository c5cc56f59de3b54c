"""The console under its Content-Security-Policy, in Debian's Chromium: nothing the pages do needs inline script,
so the policy blocks nothing; confirmations and the language menu work from console.js."""

import re
from pathlib import Path

from django.contrib.staticfiles.testing import StaticLiveServerTestCase

from tests.base import make_region
from tests.browser import ChromiumMixin, needs_chromium

pytestmark = needs_chromium
TEMPLATES = Path(__file__).resolve().parent.parent / "minping"


def test_no_template_carries_inline_script_or_event_handlers():
    inline = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for match in re.finditer(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>|\son[a-z]+=\"", text):
            inline.append(f"{path.relative_to(TEMPLATES)}: {match.group(0)}")
    assert inline == []


class ConsoleCspBrowserTest(ChromiumMixin, StaticLiveServerTestCase):
    def setUp(self):
        from minping.accounts.models import User

        district = make_region("甲区", "district")
        User.objects.create_user("org", password="secret-pass-1", role=User.Role.ORGANISER, region=district)
        self.page = self.browser.new_page()
        self.violations = []
        self.page.on("console", lambda message: self.violations.append(message.text) if "Content Security Policy" in message.text else None)

    def tearDown(self):
        self.page.close()

    def test_the_console_works_under_its_policy(self):
        page = self.page
        page.goto(self.live_server_url + "/accounts/login/")
        page.fill("input[name=username]", "org")
        page.fill("input[name=password]", "secret-pass-1")
        page.click("button.primary")
        page.wait_for_selector("h1:has-text('我的工作台')")
        page.goto(self.live_server_url + "/accounts/keys/")
        page.fill("input[name=name]", "报表脚本")
        page.click("button.primary")
        page.wait_for_selector("#new-key")
        page.once("dialog", lambda dialog: dialog.dismiss())  # "Revoke this key?" answered no: nothing happens
        page.click("button:has-text('吊销')")
        page.wait_for_timeout(300)
        self.assertEqual(page.locator("text=已吊销").count(), 0)
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("button:has-text('吊销')")
        page.wait_for_selector("td:has-text('已吊销')")
        page.select_option("select[name=language]", "en")  # data-autosubmit sends the form
        page.wait_for_selector("h1:has-text('API keys')")
        self.assertEqual(self.violations, [])
