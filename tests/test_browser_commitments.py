"""The monthly and quarterly commitment cycle in Debian's Chromium: a cadre files and submits a form, the street
office approves and posts it, a resident reads the board on a phone, the cadre records progress with a photo, the
organiser checks a sample on the ground, residents rate the commitments with one-time codes, and the organiser
assesses the quarter and confirms the awards."""

from django.contrib.staticfiles.testing import StaticLiveServerTestCase

from tests.base import id_number, make_region
from tests.browser import PASSWORD, PHONE, ChromiumMixin, jpeg, log_in, needs_chromium

pytestmark = needs_chromium


class CommitmentCycleBrowserTest(ChromiumMixin, StaticLiveServerTestCase):
    def setUp(self):
        from minping.accounts.models import User
        from minping.commitments import actions
        from minping.evaluations.actions import install_builtin_instruments
        from minping.lib.identity import id_digest, mask_id
        from minping.org.models import Cadre, Post

        install_builtin_instruments()
        self.district = make_region("甲区", "district")
        self.street = make_region("一街道", "street", self.district)
        self.community = make_region("光明社区", "community", self.street)
        number = id_number(31)
        self.cadre = Cadre.objects.create(
            name="王书记", id_digest=id_digest(number), id_masked=mask_id(number), gender="M", birth_year=1980, region=self.community
        )
        Post.objects.create(cadre=self.cadre, region=self.community, title="社区书记", category="secretary", started_on="2022-01-01")
        self.organiser = User.objects.create_user("org", password=PASSWORD, role="organiser", region=self.district)
        User.objects.create_user("office", password=PASSWORD, role="office", region=self.street)
        User.objects.create_user("cadre", password=PASSWORD, role="cadre", region=self.community, cadre=self.cadre)
        actions.save_sequence(
            actor=self.organiser,
            region=self.street,
            name="管理区",
            quotas={"innovation_quota": "1", "excellent_min": "0", "excellent_max": "2", "good_quota": "1"},
        )

    def log_in(self, username, **options):
        page = log_in(self.browser, self.live_server_url, username, **options)
        self.assertEqual(page.locator("h1").inner_text(), "我的工作台")
        return page

    def test_the_monthly_and_quarterly_cycle(self):
        from minping.commitments import periods
        from minping.commitments.models import Item
        from minping.evaluations import actions as evaluations
        from minping.evaluations.actions import casting
        from minping.evaluations.models import Campaign
        from minping.results.actions import close_campaign

        month = periods.month_of(__import__("django.utils.timezone", fromlist=["localdate"]).localdate())
        label = periods.label(month)

        # The cadre is asked for the month's form on the workbench, fills it in and submits it.
        cadre = self.log_in("cadre")
        cadre.click("a.button:has-text('我的全部承诺表')")
        cadre.click(f"button:has-text('填写{label}的承诺表')")
        cadre.wait_for_selector("h1:has-text('承诺表')")
        cadre.select_option("select[name=sequence]", label="管理区")
        cadre.click("form:has(select[name=sequence]) button")
        cadre.select_option("select[name=category]", "key_project")
        cadre.fill("input[name=target]", "更换路灯 20 盏，夜间全部亮灯")
        cadre.fill("textarea[name=content]", "完成幸福路老旧小区路灯改造")
        cadre.fill("input[name=deadline]", periods.last_day(month).isoformat())
        cadre.click("button:has-text('添加')")
        cadre.wait_for_selector("h2:has-text('完成幸福路老旧小区路灯改造')")
        cadre.click("button:has-text('提交审核')")
        self.assertEqual(cadre.inner_text("#form-status"), "已提交")

        # The street office sees it waiting, approves it and posts it on the board.
        office = self.log_in("office")
        office.click("section.workbench a:has-text('待审核')")
        office.click("a:has-text('王书记')")
        office.click("button:has-text('审核通过')")
        office.click("button:has-text('在公开栏公开')")
        self.assertEqual(office.inner_text("#form-status"), "已公开")

        # A resident opens the board on a phone.
        resident = self.browser.new_context(**PHONE).new_page()
        resident.goto(f"{self.live_server_url}/board/{self.street.pk}/{month:%Y-%m}/")
        self.assertIn("完成幸福路老旧小区路灯改造", resident.inner_text("main"))
        self.assertLessEqual(resident.evaluate("document.documentElement.scrollWidth"), 360)

        # The cadre records progress with a photo, then the outcome.
        cadre.reload()
        cadre.fill("input[name=percent]", "60")
        cadre.fill("textarea[name=text]", "已更换 12 盏")
        cadre.set_input_files("input[name=files]", files=[{"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}])
        cadre.click("button:has-text('记录践诺进展')")
        cadre.wait_for_selector("text=进展已记录")
        cadre.fill("input[name=percent]", "100")
        cadre.fill("textarea[name=text]", "20 盏全部更换，夜间亮灯")
        cadre.select_option("select[name=outcome]", "kept")
        cadre.click("button:has-text('记录践诺进展')")
        cadre.wait_for_selector("text=进展已记录")
        item = Item.objects.get()
        resident.goto(f"{self.live_server_url}/board/items/{item.pk}/")
        self.assertIn("已更换 12 盏", resident.inner_text("main"))
        photo = resident.locator("main img").first
        photo.scroll_into_view_if_needed()  # the photos load lazily: one below the fold is fetched once in view
        resident.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=photo.element_handle())

        # The organiser draws a sample and records what was found on the ground.
        organiser = self.log_in("org")
        organiser.click("nav >> text=公开承诺")
        organiser.select_option("form:has(input[name=size]) select[name=region]", label="一街道")
        organiser.fill("input[name=size]", "3")
        organiser.click("button:has-text('抽取')")
        organiser.select_option("select[name=verdict]", "confirmed")
        organiser.click("button:has-text('记录')")
        organiser.wait_for_selector("text=核查结论已记录")

        # Residents rate the commitments: the organiser prepares the rating campaign, codes are handed out, and a
        # resident votes on a phone; four more vote on theirs.
        organiser.click("nav >> text=公开承诺")
        organiser.select_option("form:has(input[name=quorum]) select[name=region]", label="一街道")
        organiser.fill("input[name=quorum]", "5")
        organiser.click("button:has-text('建立评诺测评')")
        organiser.wait_for_selector("text=评诺测评已建立")
        campaign = Campaign.objects.get()
        pairs = evaluations.issue_codes(actor=self.organiser, campaign=campaign, group=campaign.groups.get(), count=5, channel="qr")
        campaign = evaluations.open_campaign(actor=self.organiser, campaign=campaign)
        voter = self.browser.new_context(**PHONE).new_page()
        voter.goto(self.live_server_url + "/v/")
        voter.fill("input[name=code]", pairs[0][1])
        voter.click("button.primary")
        voter.wait_for_selector("section.subject")
        self.assertIn("完成幸福路老旧小区路灯改造", voter.inner_text("main"))
        voter.locator("label.option:has-text('满意')").first.click()
        voter.click("button.next")  # on to the general questions (a suggestion, optional)
        voter.click("button[name=step][value=review]")
        voter.wait_for_url("**/v/review/")
        voter.click("button[name=step][value=submit]")
        voter.wait_for_url("**/v/receipt/")
        subject = campaign.subjects.get()
        for token, _short in pairs[1:]:
            casting.cast_ballot(campaign=campaign, code=token, answers={"subjects": {str(subject.pk): {"kept": "fairly"}}, "general": {}})
        close_campaign(actor=self.organiser, campaign=campaign)

        # The organiser assesses the quarter and confirms the proposed awards.
        organiser.goto(self.live_server_url + "/commitments/quarters/")
        organiser.select_option("select[name=region]", label="一街道")
        organiser.click("button:has-text('计算得分并提出奖项建议')")
        organiser.wait_for_selector("#assessment-status")
        row = organiser.locator("tr:has-text('王书记')")
        self.assertIn("实干创新奖", row.inner_text())
        self.assertIn("100.00", row.inner_text())  # kept, confirmed, rated 100% satisfied
        # The quarter is still running (its forms are this month's): the organiser closes it early, with the reason.
        self.assertEqual(organiser.locator("button:has-text('确认奖项')").count(), 0)
        organiser.fill("input[name=reason]", "区委决定本季度提前评定")
        organiser.click("button:has-text('提前结束本季度')")
        organiser.wait_for_selector("#closed-early:has-text('区委决定本季度提前评定')")
        organiser.click("button:has-text('确认奖项')")
        self.assertEqual(organiser.inner_text("#assessment-status"), "已确认")
        for page in (cadre, office, resident, organiser, voter):
            page.context.close()
