"""What an organiser meets while setting a campaign up: warnings, pickers that tell places and people apart,
sensible defaults, and campaigns that concern an office although another office runs them."""

from django.urls import reverse

from minping.accounts.models import User
from minping.evaluations import actions
from minping.evaluations.models import Instrument
from minping.org.models import Post
from tests.base import BaseTestCase, make_region
from tests.evaluating import make_campaign


class OrganiserConsoleTest(BaseTestCase):
    def setUp(self):
        self.client.force_login(self.organiser_a)

    def test_opening_with_fewer_codes_than_the_quorum_is_warned_about(self):
        campaign, group, _pairs = make_campaign(self, open_it=False, codes=5)  # quorum 3
        page = self.client.get(reverse("evaluations:campaign-detail", args=[campaign.pk]))
        self.assertNotContains(page, 'class="warning"')
        actions.add_group(actor=self.organiser_a, campaign=campaign, name="企业", kind="enterprises", weight=0, quorum=4)
        page = self.client.get(reverse("evaluations:campaign-detail", args=[campaign.pk]))
        self.assertContains(page, 'class="warning"')
        self.assertContains(page, "企业：已发放 0 个测评码")
        self.assertContains(page, "data-confirm=")

    def test_the_region_picker_shows_each_regions_place_and_can_be_searched(self):
        make_region("光明社区", "community", self.other_street_a)  # the same name under another street
        page = self.client.get(reverse("evaluations:campaign-list"))
        self.assertContains(page, "甲区/一街道/光明社区")
        self.assertContains(page, "甲区/三街道/光明社区")
        self.assertContains(page, "data-searchable")

    def test_the_cadre_picker_shows_post_and_place(self):
        campaign, _group, _pairs = make_campaign(self, open_it=False)
        other = self.cadre_a.__class__.objects.create(
            name="王书记", id_digest="x" * 64, id_masked="x", gender="M", birth_year=1975, region=self.community_a
        )
        Post.objects.create(cadre=other, unit=self.unit_a, title="副所长", category="director", started_on="2023-01-01")
        page = self.client.get(reverse("evaluations:campaign-detail", args=[campaign.pk]))
        self.assertContains(page, "一街道派出所 副所长")

    def test_the_enterprise_questionnaire_starts_with_an_enterprise_group(self):
        for key, kind in (("enterprise_cadre", "enterprises"), ("grassroots_department", "grassroots"), ("party_secretary", "masses")):
            instrument = Instrument.objects.get(builtin_key=key, region__isnull=True)
            copy = actions.copy_instrument(actor=self.organiser_a, instrument=instrument, region=self.district_a)
            for used in (instrument, copy):
                with self.subTest(instrument=key, copy=used is copy):
                    campaign = actions.create_campaign(
                        actor=self.organiser_a, name="测评", region=self.community_a, instrument=used, channels=["qr"]
                    )
                    self.assertEqual(campaign.groups.get().kind, kind)

    def test_a_community_sees_the_campaigns_a_street_runs_about_it(self):
        community = User.objects.create_user("community_a", password="x", role=User.Role.OFFICE, region=self.community_a)
        instrument = Instrument.objects.get(builtin_key="party_secretary", region__isnull=True)
        street_run = actions.create_campaign(
            actor=self.organiser_a, name="一街道书记测评", region=self.street_a, instrument=instrument, channels=["qr"]
        )
        actions.add_subjects(actor=self.organiser_a, campaign=street_run, subjects=[self.cadre_a])
        elsewhere = actions.create_campaign(
            actor=self.organiser_a, name="三街道测评", region=self.other_street_a, instrument=instrument, channels=["qr"]
        )
        self.client.force_login(community)
        page = self.client.get(reverse("evaluations:campaign-list"))
        self.assertContains(page, "一街道书记测评")
        self.assertNotContains(page, elsewhere.name)
        self.assertEqual(self.client.get(reverse("evaluations:turnout", args=[street_run.pk])).status_code, 200)
        self.assertEqual(self.client.get(reverse("evaluations:campaign-detail", args=[street_run.pk])).status_code, 404)
        self.assertEqual(self.client.get(reverse("evaluations:turnout", args=[elsewhere.pk])).status_code, 404)


class ProjectorTest(BaseTestCase):
    def test_the_projector_shows_every_subject_ten_to_a_screen_turning_by_itself(self):
        from minping.org.models import Unit
        from minping.results.actions import close_campaign

        units = [Unit.objects.create(name=f"第{n:02d}站所", kind="station", region=self.street_a) for n in range(25)]
        instrument = Instrument.objects.get(builtin_key="grassroots_department", region__isnull=True)
        campaign = actions.create_campaign(
            actor=self.organiser_a, name="基层考部门", region=self.street_a, instrument=instrument, channels=["qr"], quorum=1
        )
        actions.add_subjects(actor=self.organiser_a, campaign=campaign, subjects=units)
        actions.issue_codes(actor=self.organiser_a, campaign=campaign, group=campaign.groups.get(), count=1, channel="qr")
        campaign = close_campaign(actor=self.organiser_a, campaign=actions.open_campaign(actor=self.organiser_a, campaign=campaign))
        self.client.force_login(self.organiser_a)
        url = reverse("results:projector", args=[campaign.pk])
        seen = set()
        for page, following in ((1, 2), (2, 3), (3, 1)):
            with self.subTest(page=page):
                response = self.client.get(url, {"page": page})
                self.assertContains(response, f"第 {page} / 3 屏")
                self.assertContains(response, f'content="15;url=?page={following}"')
                names = {unit.name for unit in units if unit.name in response.content.decode()}
                self.assertLessEqual(len(names), 10)
                seen |= names
        self.assertEqual(seen, {unit.name for unit in units})
        self.assertContains(self.client.get(url, {"page": "99999999999999999999"}), "第 1 / 3 屏")


class AuditCountTest(BaseTestCase):
    def test_the_audit_logs_count_matches_the_entries_listed(self):
        import re

        for n in range(3):
            make_region(f"新社区{n}", "community", self.street_a)
            actions.create_campaign(
                actor=self.organiser_a,
                name=f"测评{n}",
                region=self.community_a,
                instrument=Instrument.objects.get(builtin_key="party_secretary", region__isnull=True),
                channels=["qr"],
            )
        for user in (self.organiser_a, self.admin):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                page = self.client.get(reverse("audit:event-list")).content.decode()
                rows = page.count("<tr><td>")
                count = int(re.search(r"(\d+) 条记录", page).group(1))
                self.assertEqual(count, rows)
                self.assertGreaterEqual(rows, 3)
                self.assertIn("创建测评活动", page)
                self.assertNotIn("campaign.create", page)  # the label in Chinese, not the code beside it
