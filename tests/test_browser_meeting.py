"""A meeting end to end in Debian's Chromium: scan, vote, receipt, live turnout, close, public ballot box."""

import re

from django.contrib.staticfiles.testing import StaticLiveServerTestCase

from minping.accounts.models import User
from minping.results.actions import close_campaign, publish
from tests.base import BaseTestCase
from tests.browser import ChromiumMixin, needs_chromium
from tests.evaluating import ballots_cast, make_campaign, only_ballot

pytestmark = needs_chromium


class MeetingBrowserTest(ChromiumMixin, StaticLiveServerTestCase):
    def setUp(self):
        BaseTestCase.setUpTestData.__func__(self)
        self.organiser_a.set_password("secret-pass-1")
        self.organiser_a.save()
        self.campaign, self.group, self.pairs = make_campaign(self, codes=3)

    def vote(self, page, *, choice: str):
        for fieldset in page.query_selector_all("fieldset.question"):
            options = fieldset.query_selector_all("input[type=radio]")
            if not options:  # the free-text suggestion
                continue
            labels = [o.evaluate("e => e.parentElement.textContent.trim()") for o in options]
            target = next((o for o, label in zip(options, labels) if label in (choice, "称职")), options[0])
            target.check()
        while page.is_visible("button.next"):  # on a phone, one subject a screen: on to the last
            page.click("button.next")
        page.click("button:has-text('下一步')")
        page.wait_for_selector("text=请核对您的选择")
        page.click("button:has-text('提交')")
        page.wait_for_selector("#tracker")
        return page.inner_text("#tracker")

    def test_a_meeting_runs_from_scan_to_public_box(self):
        console = self.browser.new_page()
        console.goto(self.live_server_url + "/accounts/login/")
        console.fill("input[name=username]", "org_a")
        console.fill("input[name=password]", "secret-pass-1")
        console.click("button.primary")
        console.goto(self.live_server_url + f"/console/campaigns/{self.campaign.pk}/projector/")
        self.assertIn("0", console.inner_text(".big .n"))

        phone = self.browser.new_page(viewport={"width": 360, "height": 740})
        phone.goto(self.live_server_url + "/v/#" + self.pairs[0][0])  # what scanning the slip's QR code opens
        phone.wait_for_selector("text=王书记")
        self.assertNotIn(self.pairs[0][0], phone.url)
        tracker = self.vote(phone, choice="满意")
        self.assertEqual(only_ballot().tracker, tracker)
        console.locator(".big .n").filter(has_text=re.compile(r"^\s*1\s*$")).wait_for(
            timeout=10_000
        )  # a locator: no eval, which the CSP forbids

        old_phone = self.browser.new_context(java_script_enabled=False, viewport={"width": 320, "height": 640}).new_page()
        old_phone.goto(self.live_server_url + "/v/")
        old_phone.fill("input[name=code]", self.pairs[1][1])
        old_phone.click("button.primary")
        old_phone.wait_for_selector("text=王书记")
        self.vote(old_phone, choice="基本满意")
        self.assertEqual(len(ballots_cast()), 2)

        close_campaign(actor=User.objects.get(username="org_a"), campaign=self.campaign)
        # The projector turns into the announcement of results by itself (当场公布).
        console.wait_for_url("**/results/projector/", timeout=10_000)
        self.assertIn("王书记", console.inner_text("#results-projector"))
        publish(actor=User.objects.get(username="org_a"), campaign=self.campaign)
        box = self.browser.new_page()
        box.goto(self.live_server_url + f"/v/box/{self.campaign.pk}/")
        box.fill("input[name=tracker]", tracker)
        box.click("button.primary")
        box.wait_for_selector(".ok")
        self.assertIn(tracker, box.inner_text(".ok"))
