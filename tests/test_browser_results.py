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


PROJECTOR_FITS = """() => {
  const rows = Array.from(document.querySelectorAll("table.ranked tbody tr:not(.category)"));
  const broken = rows.map((row) => row.querySelector("td.name")).filter((cell) => {
    const range = document.createRange();
    range.selectNodeContents(cell.firstChild);
    return range.getClientRects().length > 1;  // the name's text runs over more than one line
  }).map((cell) => cell.firstChild.textContent);
  return {
    width: document.documentElement.scrollWidth,
    rows: rows.length,
    below: rows.filter((row) => row.getBoundingClientRect().bottom > innerHeight).length,
    broken,
    headline: parseFloat(getComputedStyle(document.querySelector("td.headline")).fontSize),
  };
}"""


class ProjectorBrowserTest(ChromiumMixin, StaticLiveServerTestCase):
    """At 1920 × 1080, a campaign of thirty people rated on six graded questions (the demo's largest instrument):
    each screen is as wide as the projector, shows all of its ten people, and breaks no name."""

    def setUp(self):
        from minping.evaluations import actions
        from minping.evaluations.models import Instrument
        from minping.org.models import Cadre, Post
        from tests.base import id_number

        BaseTestCase.setUpTestData.__func__(self)
        actions.install_builtin_instruments()
        instrument = Instrument.objects.get(builtin_key="graduate_official", region__isnull=True)
        cadres = []
        for n in range(30):
            cadre = Cadre.objects.create(
                name=f"欧阳{'一二三四五六七八九十'[n % 10]}{n:02d}",
                id_digest=id_number(800 + n),
                id_masked="x",
                gender="F",
                birth_year=1995,
                region=self.community_a,
            )
            Post.objects.create(
                cadre=cadre, region=self.community_a, title="大学生村官（选聘生）", category="graduate_official", started_on="2024-01-01"
            )
            cadres.append(cadre)
        campaign = actions.create_campaign(
            actor=self.organiser_a, name="选聘生年度测评", region=self.community_a, instrument=instrument, channels=["qr"], quorum=3
        )
        actions.add_subjects(actor=self.organiser_a, campaign=campaign, subjects=cadres)
        pairs = actions.issue_codes(actor=self.organiser_a, campaign=campaign, group=campaign.groups.get(), count=6, channel="qr")
        campaign = actions.open_campaign(actor=self.organiser_a, campaign=campaign)
        cast_all(campaign, pairs, [answers_for(campaign, overall=grade) for grade in ["excellent"] * 3 + ["competent"] * 3])
        self.campaign = close_campaign(actor=self.organiser_a, campaign=campaign)
        self.organiser_a.set_password("secret-pass-1")
        self.organiser_a.save()

    def test_every_screen_of_a_thirty_person_six_question_campaign_fits_the_projector(self):
        page = self.browser.new_page(viewport={"width": 1920, "height": 1080})
        page.goto(self.live_server_url + "/accounts/login/")
        page.fill("input[name=username]", "org_a")
        page.fill("input[name=password]", "secret-pass-1")
        page.click("button.primary")
        for screen in (1, 2, 3):
            with self.subTest(screen=screen):
                page.goto(self.live_server_url + f"/console/campaigns/{self.campaign.pk}/results/projector/?page={screen}")
                fits = page.evaluate(PROJECTOR_FITS)
                print(f"projector screen {screen}: {fits}")
                self.assertEqual((fits["rows"], fits["below"], fits["broken"]), (10, 0, []))
                self.assertLessEqual(fits["width"], 1920)
                self.assertGreaterEqual(fits["headline"], 30)  # px: read from the back of a hall
