"""Results in Debian's Chromium: the organiser's results page, the projector announcement, a report download,
publishing, and the public notice with an objection answered."""

from urllib.parse import urlsplit

from django.contrib.staticfiles.testing import StaticLiveServerTestCase

from minping.results.actions import close_campaign
from tests.base import BaseTestCase
from tests.browser import ChromiumMixin, needs_chromium
from tests.evaluating import answers_for, cast_all, make_campaign

pytestmark = needs_chromium


class ResultsBrowserTest(ChromiumMixin, StaticLiveServerTestCase):
    def setUp(self):
        BaseTestCase.setUpTestData.__func__(self)
        self.organiser_a.set_password("secret-pass-1")
        self.organiser_a.save()
        campaign, _group, pairs = make_campaign(self, codes=12)
        texts = ["停车难，车位不够"] * 6 + ["路灯不亮"] * 5
        cast_all(
            campaign,
            pairs,
            [answers_for(campaign, overall="excellent" if i < 8 else "competent", suggestion=t) for i, t in enumerate(texts)],
        )
        self.campaign = close_campaign(actor=self.organiser_a, campaign=campaign)
        self.hosts = set()

    def page(self, **kwargs):
        page = self.browser.new_page(**kwargs)
        page.on("request", lambda request: self.hosts.add(urlsplit(request.url).hostname))
        return page

    def test_announce_download_publish_and_answer_an_objection(self):
        console = self.page()
        console.goto(self.live_server_url + "/accounts/login/")
        console.fill("input[name=username]", "org_a")
        console.fill("input[name=password]", "secret-pass-1")
        console.click("button.primary")
        console.goto(self.live_server_url + f"/console/campaigns/{self.campaign.pk}/")
        console.click("a:has-text('测评结果')")
        console.wait_for_selector("h1:has-text('测评结果')")
        chart = console.query_selector("svg.chart[role=img]")
        self.assertIn("王书记", chart.get_attribute("aria-label"))
        self.assertIn("车位 ×6", console.inner_text("body"))  # suggestion themes: 11 ballots ≥ 10

        console.click("a:has-text('投屏当场公布')")
        console.wait_for_selector("#results-projector")
        self.assertIn(self.campaign.head_at_close, console.inner_text("#results-projector"))
        self.assertIn("优秀率", console.inner_text("table.ranked"))
        self.assertIn("72.73%", console.inner_text("table.ranked"))  # 8 优秀 of 11
        console.go_back()

        with console.expect_download() as download:
            console.click("a:has-text('Excel 结果表')")
        self.assertTrue(download.value.suggested_filename.endswith(".xlsx"))
        with open(download.value.path(), "rb") as handle:
            self.assertEqual(handle.read(2), b"PK")

        console.once("dialog", lambda dialog: dialog.accept())
        console.click("button:has-text('发布公示')")
        console.wait_for_selector("a:has-text('公示页面')")

        phone = self.page(viewport={"width": 360, "height": 740})
        phone.goto(self.live_server_url + "/notice/")
        phone.click(f"a:has-text('{self.campaign.name}')")
        phone.wait_for_selector("table.results.cards")
        self.assertIn("王书记", phone.inner_text("table.results"))
        # On a 360 px phone the table reads as cards: every cell as wide as the card, under its column's name.
        widths = phone.eval_on_selector_all("table.results td", "cells => cells.map(c => c.getBoundingClientRect().width)")
        self.assertTrue(widths and min(widths) > 250, widths)
        self.assertIn("有效票", phone.eval_on_selector("table.results td:nth-child(4)", "c => getComputedStyle(c, '::before').content"))
        phone.fill("textarea[name=text]", "我认为票数统计有误")
        phone.click("button:has-text('提交申诉')")
        phone.wait_for_selector(".ok")

        console.reload()
        console.fill("textarea[name=answer]", "经复核，票数统计无误")
        console.click("button:has-text('提交答复')")
        console.wait_for_selector("text=答复已保存")
        phone.reload()
        self.assertIn("经复核，票数统计无误", phone.inner_text("body"))
        self.assertEqual(self.hosts, {urlsplit(self.live_server_url).hostname})  # nothing fetched from elsewhere
