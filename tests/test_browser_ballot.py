"""The ballot on a 360 px phone in Debian's Chromium, with and without JavaScript: a 6- and a 30-subject campaign
voted through to the receipt, counting taps and screens; axe-core (WCAG 2.2 A and AA) on every voter page; text of
at least 18 px and targets of at least 48 px; going back after voting shows the receipt."""

import math
import os
from pathlib import Path

from django.contrib.staticfiles.testing import StaticLiveServerTestCase

from minping.evaluations import actions
from minping.evaluations.models import Instrument
from minping.org.models import Cadre, Post
from tests.base import BaseTestCase, id_number
from tests.browser import ChromiumMixin, needs_chromium
from tests.evaluating import ballots_cast

pytestmark = needs_chromium
VISIBLE = """() => innerHeight - document.querySelector(".stepper").offsetHeight - document.querySelector(".step-nav").offsetHeight"""
# The person being rated: their name is the element at the centre of its own box, not under the sticky stepper.
NAME_SHOWN = """() => {
  const name = document.querySelector("section.subject:not([hidden]) h2");
  const box = name.getBoundingClientRect();
  const found = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  return [name.contains(found), Math.round(box.top), found && found.className];
}"""
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "bypass_csp": True}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Small print and targets: every visible text node's font size, every control's height (labels wrapping a radio
# count as the control), on the page as laid out at 360 px.
MEASURE = """() => {
  const small = [], tiny = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!node.textContent.trim() || !el.offsetParent) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < 18) small.push(el.tagName + ":" + node.textContent.trim().slice(0, 20) + ":" + size);
  }
  document.querySelectorAll("button, a, summary, input, textarea, select, label.option").forEach((el) => {
    if (!el.offsetParent || el.closest("label.option") && el.tagName === "INPUT") return;
    const box = el.getBoundingClientRect();
    if (box.height < 48) tiny.push(el.tagName + ":" + (el.textContent || el.name || "").trim().slice(0, 20) + ":" + Math.round(box.height));
  });
  return {small, tiny};
}"""


def axe_source() -> str:
    import axe_playwright_python

    return (Path(os.path.dirname(axe_playwright_python.__file__)) / "axe.min.js").read_text()


class PhoneBallotTest(ChromiumMixin, StaticLiveServerTestCase):
    def setUp(self):
        BaseTestCase.setUpTestData.__func__(self)
        actions.install_builtin_instruments()  # a TransactionTestCase's flush removes what migrations installed
        self.instrument = Instrument.objects.get(builtin_key="party_secretary", region__isnull=True)
        self.figures = {}
        self.made = 0

    def campaign_of(self, subjects: int):
        cadres = []
        for n in range(subjects):
            self.made += 1
            number = id_number(700 + self.made)
            cadre = Cadre.objects.create(
                name=f"干部{n + 1:02d}", id_digest=number, id_masked="x", gender="M", birth_year=1980, region=self.community_a
            )
            Post.objects.create(cadre=cadre, region=self.community_a, title="社区委员", category="member", started_on="2024-01-01")
            cadres.append(cadre)
        campaign = actions.create_campaign(
            actor=self.organiser_a,
            name=f"{subjects}位干部测评",
            region=self.community_a,
            instrument=self.instrument,
            channels=["qr"],
            quorum=1,
        )
        actions.add_subjects(actor=self.organiser_a, campaign=campaign, subjects=cadres)
        from minping.commitments.actions import write_duty_report

        for subject in campaign.subjects.all()[:2]:  # read before voting: the page starts with them
            write_duty_report(actor=self.organiser_a, subject=subject, text="一年来，我主要做了三件事……")
        pairs = actions.issue_codes(actor=self.organiser_a, campaign=campaign, group=campaign.groups.get(), count=4, channel="qr")
        return actions.open_campaign(actor=self.organiser_a, campaign=campaign), pairs

    def screens(self, page) -> int:
        return math.ceil(page.evaluate("document.documentElement.scrollHeight") / 740)

    def check_page(self, page, name: str, script: bool = True) -> None:
        """axe-core finds no violation (it needs scripts: run where the page has them); text and targets are
        large enough."""
        if script:
            page.add_script_tag(content=axe_source())
            found = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
            violations = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in found["violations"]]
            self.assertEqual(violations, [], name)
        sizes = page.evaluate(MEASURE)
        self.assertEqual(sizes["small"], [], f"{name}: text under 18 px")
        self.assertEqual(sizes["tiny"], [], f"{name}: targets under 48 px")

    def vote(self, subjects: int, script: bool) -> tuple[int, int]:
        """Vote a whole ballot as a resident would: the code, every question, checking, sending. Taps and
        screens (a screen being 740 px of page scrolled through or a new page)."""
        campaign, pairs = self.campaign_of(subjects)
        context = self.browser.new_context(java_script_enabled=script, **PHONE)
        page = context.new_page()
        taps, screens = 0, 0
        page.goto(self.live_server_url + "/v/")
        self.check_page(page, "code page", script)
        page.fill("input[name=code]", pairs[0][1])
        page.click("button.primary")
        taps, screens = taps + 2, screens + 1
        page.wait_for_selector("section.subject")
        self.check_page(page, "ballot", script)
        if script:
            self.assertEqual(page.evaluate("scrollY"), 0)  # the title and the duty reports first, not the questions
            self.assertLess(page.eval_on_selector(".duty-reports", "e => e.getBoundingClientRect().top"), 740)
            self.assertIn(f"第 1 / {subjects} 位", page.inner_text(".stepper"))  # people, not the other questions
            for step in range(subjects + 1):
                section = page.locator("section.subject:not([hidden])")
                shown, top, found = page.evaluate(NAME_SHOWN)
                self.assertTrue(shown, f"step {step + 1}: the name at {top} px is under {found}")
                if step == subjects:
                    self.assertIn("最后一步：其他问题", page.inner_text(".stepper"))
                for fieldset in section.locator("fieldset.question").all():
                    radios = fieldset.locator("label.option")
                    if radios.count():
                        radios.first.click()
                        taps += 1
                # The screens scrolled through: the step's questions between the stepper and the buttons' bar.
                screens += math.ceil(section.bounding_box()["height"] / page.evaluate(VISIBLE))
                if step < subjects:
                    page.click("button.next")
                    taps += 1
        else:
            screens += self.screens(page)
            for fieldset in page.locator("fieldset.question").all():
                radios = fieldset.locator("label.option")
                if radios.count():
                    radios.first.click()
                    taps += 1
        page.click("button[name=step][value=review]")
        taps += 1
        page.wait_for_url("**/v/review/")
        self.check_page(page, "review", script)
        screens += self.screens(page)
        page.click("button[name=step][value=submit]")
        taps += 1
        page.wait_for_url("**/v/receipt/")
        self.check_page(page, "receipt", script)
        screens += 1
        tracker = page.inner_text("#tracker")
        box = page.eval_on_selector("#tracker", "e => [e.scrollWidth, e.clientWidth, e.getBoundingClientRect().height]")
        self.assertLessEqual(box[0], box[1], "the receipt number fits its box")
        self.assertLess(box[2], 100, "the receipt number stays on one line")
        page.go_back()  # going back after voting: the receipt again, never "Confirm Form Resubmission"
        page.wait_for_load_state()
        self.assertIn(tracker, page.inner_text("body"))
        context.close()
        self.figures[(subjects, script)] = (taps, screens)
        return taps, screens

    def test_six_and_thirty_subjects_with_and_without_javascript(self):
        for subjects in (6, 30):
            for script in (True, False):
                with self.subTest(subjects=subjects, script=script):
                    self.vote(subjects, script)
        self.assertEqual(len(ballots_cast()), 4)
        for (subjects, script), (taps, screens) in sorted(self.figures.items()):
            print(f"{subjects} subjects, {'with' if script else 'without'} JavaScript: {taps} taps, {screens} screens")
        # One person a step with scripts costs one tap a person (下一位) over the one long form, and nothing else.
        for subjects in (6, 30):
            self.assertEqual(self.figures[(subjects, True)][0], self.figures[(subjects, False)][0] + subjects)

    def test_unanswered_subjects_are_named_before_the_answers_are_sent(self):
        campaign, pairs = self.campaign_of(3)
        page = self.browser.new_context(**PHONE).new_page()
        page.goto(self.live_server_url + "/v/")
        page.fill("input[name=code]", pairs[1][1])
        page.click("button.primary")
        page.wait_for_selector(".stepper")
        page.click("button.jump")  # nothing answered: the first subject
        self.assertIn("第 1 / 3 位", page.inner_text(".stepper"))
        for _ in range(3):
            page.click("button.next")
        page.click("button[name=step][value=review]")
        warning = page.inner_text(".unanswered")
        self.assertIn("干部01", warning)
        self.assertIn("题未答", warning)
        self.assertIn("/v/ballot/", page.url)  # nothing sent yet
        page.click(".unanswered button.link >> nth=1")  # straight to 干部02
        self.assertIn("第 2 / 3 位", page.inner_text(".stepper"))
        page.click("button.jump")
        self.assertIn("第 1 / 3 位", page.inner_text(".stepper"))
        # Sent anyway, the server checks too and marks the questions.
        for _ in range(3):
            page.click("button.next")
        page.click("button[name=step][value=review]")
        page.wait_for_selector(".has-error")
        self.assertEqual(len(ballots_cast()), 0)
