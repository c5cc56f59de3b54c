"""Every public page on a 360 px phone in Debian's Chromium: no word of a label or a name broken over two lines,
text of 16 px or more (charts included, as drawn), nothing wider than the screen but a table that scrolls in its
own box."""

from django.contrib.staticfiles.testing import StaticLiveServerTestCase

from minping.commitments.actions import write_duty_report
from minping.fieldwork.actions import create_schedule
from minping.results.actions import close_campaign, publish
from tests.base import BaseTestCase
from tests.browser import ChromiumMixin, needs_chromium
from tests.committing import published_form
from tests.evaluating import answers_for, cast_all, make_campaign

pytestmark = needs_chromium
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
MEASURE = """() => {
  const small = [], broken = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement, text = node.textContent.trim();
    if (!text || !el.getClientRects().length || el.closest("script, style")) continue;
    let size = parseFloat(getComputedStyle(el).fontSize);
    const svg = el.closest("svg");
    if (svg) size *= svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;  // as the chart is drawn
    if (size < 15.5) small.push(text.slice(0, 16) + ":" + size.toFixed(1));
    if (!svg && text.length <= 8 && !/\\s/.test(text)) {  // a label or a name: on one line
      const range = document.createRange();
      range.selectNodeContents(node);
      const lines = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)));
      if (lines.size > 1) broken.push(text);
    }
  }
  return {small, broken, width: document.documentElement.scrollWidth};
}"""


class PublicPagesTest(ChromiumMixin, StaticLiveServerTestCase):
    def setUp(self):
        BaseTestCase.setUpTestData.__func__(self)
        self.cadre_a.name = "何珍秀"
        self.cadre_a.save()
        campaign, _group, pairs = make_campaign(self, codes=8)
        write_duty_report(actor=self.organiser_a, subject=campaign.subjects.get(), text="一年来，我主要做了三件事。")
        cast_all(campaign, pairs, [answers_for(campaign) for _ in range(8)])
        self.campaign = publish(actor=self.organiser_a, campaign=close_campaign(actor=self.organiser_a, campaign=campaign)).campaign
        self.form = published_form(self, items=2)
        create_schedule(actor=self.office_a, region=self.community_a, place="光明社区党群服务中心", day=28, cadres=[self.cadre_a], months=2)

    def test_every_public_page_reads_on_a_phone(self):
        item = self.form.items.first()
        month = self.form.month.strftime("%Y-%m")
        pages = {
            "results notice": f"/notice/{self.campaign.pk}/",
            "notices": "/notice/",
            "board": "/board/",
            "board month": f"/board/{self.district_a.pk}/{month}/",
            "board item": f"/board/items/{item.pk}/",
            "duty reports": f"/board/duty/{self.campaign.pk}/",
            "reception days": "/reception/",
        }
        page = self.browser.new_context(**PHONE).new_page()
        for name, path in pages.items():
            with self.subTest(page=name):
                response = page.goto(self.live_server_url + path)
                self.assertEqual(response.status, 200)
                found = page.evaluate(MEASURE)
                self.assertEqual(found["broken"], [], f"{name}: a label or name broken over lines")
                self.assertEqual(found["small"], [], f"{name}: text under 16 px")
                self.assertLessEqual(found["width"], 360, f"{name}: wider than the phone")
