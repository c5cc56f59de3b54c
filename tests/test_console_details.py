"""The organiser's console says what happened and what is missing, and offers only links and choices that work."""

from django.contrib.messages import get_messages
from django.urls import reverse

from minping.audit.models import AuditEvent
from minping.commitments import actions as commitments
from minping.evaluations import actions
from minping.evaluations.models import Instrument
from tests.base import BaseTestCase
from tests.evaluating import make_campaign


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


class ConsoleDetailsTest(BaseTestCase):
    def setUp(self):
        actions.install_builtin_instruments()
        self.client.force_login(self.organiser_a)

    def test_an_empty_campaign_says_what_is_missing_and_asks_nothing_about_codes(self):
        instrument = Instrument.objects.get(builtin_key="party_secretary", region__isnull=True)
        campaign = actions.create_campaign(
            actor=self.organiser_a, name="空的测评", region=self.community_a, instrument=instrument, channels=["qr"]
        )
        page = self.client.get(reverse("evaluations:campaign-detail", args=[campaign.pk]))
        self.assertContains(page, "请先添加测评对象。")
        self.assertNotContains(page, "data-confirm")
        opened = self.client.post(reverse("evaluations:transition", args=[campaign.pk, "open"]))
        self.assertIn("请先添加测评对象，再开始测评", said(opened))

    def test_the_code_form_chooses_the_only_group(self):
        campaign, group, _pairs = make_campaign(self, open_it=False)
        page = self.client.get(reverse("evaluations:campaign-detail", args=[campaign.pk])).content.decode()
        self.assertIn(f'<option value="{group.pk}" selected>', page)
        self.assertNotIn('<option value="" selected>---------</option>', page)

    def test_closing_says_what_happened(self):
        campaign, _group, _pairs = make_campaign(self)
        closed = self.client.post(reverse("results:transition", args=[campaign.pk, "close"]))
        self.assertIn("投票已结束，选票已计票：结果见下方，尚未公开。", said(closed))

    def test_a_copied_instrument_is_renamed_on_its_edit_page(self):
        template = Instrument.objects.get(builtin_key="party_secretary", region__isnull=True)
        self.client.post(reverse("evaluations:instrument-copy", args=[template.pk]))
        copy = Instrument.objects.get(region__isnull=False)
        self.assertIn("（副本）", copy.name)
        url = reverse("evaluations:instrument-edit", args=[copy.pk])
        from tests.pageforms import form_fields

        fields = form_fields(self.client.get(url).content.decode(), "")
        self.client.post(url, {**fields, "instrument_name": "光明社区书记年度测评表"})
        copy.refresh_from_db()
        self.assertEqual(copy.name, "光明社区书记年度测评表")
        self.assertTrue(AuditEvent.objects.filter(action="instrument.rename").exists())

    def test_the_campaign_links_to_its_public_duty_page_only_once_it_exists(self):
        campaign, _group, _pairs = make_campaign(self, open_it=False)
        url = reverse("board:duty", args=[campaign.pk])
        self.assertNotContains(self.client.get(reverse("evaluations:campaign-detail", args=[campaign.pk])), url)
        commitments.write_duty_report(actor=self.organiser_a, subject=campaign.subjects.get(), text="一年来，我主要做了以下工作……")
        self.assertContains(self.client.get(reverse("evaluations:campaign-detail", args=[campaign.pk])), url)
        self.assertEqual(self.client.get(url).status_code, 200)
