"""双诺: a community and a unit signing mutual commitments, filling them in and evaluating each other."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.urls import reverse

from minping.commitments import actions
from minping.commitments.models import (
    Pledge,
)
from minping.evaluations import actions as evaluations
from minping.evaluations.actions import casting
from minping.evaluations.models import Campaign
from minping.results.actions import close_campaign
from tests.base import BaseTestCase
from tests.committing import item_data, this_month, upload
from tests.test_evidence import PDF


class PledgeTest(BaseTestCase):
    def setUp(self):
        evaluations.install_builtin_instruments()
        from minping.org.models import Unit

        self.resident_unit = Unit.objects.create(name="一街道供电所", kind="resident_unit", region=self.street_a)

    def test_sign_fill_and_evaluate_each_other(self):
        today = this_month()
        pledge = actions.sign_pledge(
            actor=self.office_a, community=self.community_a, unit=self.resident_unit, signed_on=today, agreement=upload("协议.pdf", PDF)
        )
        self.assertEqual((pledge.community_form.collective, pledge.unit_form.unit), (self.community_a, self.resident_unit))
        self.assertTrue(pledge.agreement.is_public)
        # a pledge's items may run to the end of the year
        actions.save_item(actor=self.office_a, form=pledge.unit_form, data=item_data(today, deadline=dt.date(today.year, 12, 31)))
        with self.assertRaisesMessage(ValidationError, "已经签订"):
            actions.sign_pledge(actor=self.office_a, community=self.community_a, unit=self.resident_unit, signed_on=today)
        with self.assertRaisesMessage(ValidationError, "应为社区"):
            actions.sign_pledge(actor=self.office_a, community=self.street_a, unit=self.resident_unit, signed_on=today)
        of_unit, of_community = actions.evaluate_pledges(actor=self.office_a, community=self.community_a, year=today.year)
        self.assertEqual(list(of_unit.subjects.values_list("kind", "ref")), [("unit", self.resident_unit.pk)])
        self.assertEqual(list(of_community.subjects.values_list("kind", "ref")), [("region", self.community_a.pk)])
        self.assertEqual([g.name for g in of_unit.groups.all()], ["社区代表"])
        self.assertEqual(Pledge.objects.get().of_unit, of_unit)
        with self.assertRaisesMessage(ValidationError, "双评已经建立"):
            actions.evaluate_pledges(actor=self.office_a, community=self.community_a, year=today.year)
        # 双评: each side's figure is on the pledges page once its campaign has closed
        for campaign, option in ((of_unit, "satisfied"), (of_community, "dissatisfied")):
            campaign.quorum = 5
            campaign.save(update_fields=["quorum"])
            subject = campaign.subjects.get()
            pairs = evaluations.issue_codes(actor=self.office_a, campaign=campaign, group=campaign.groups.get(), count=5, channel="qr")
            evaluations.open_campaign(actor=self.office_a, campaign=campaign)
            for token, _short in pairs:
                casting.cast_ballot(
                    campaign=Campaign.objects.get(pk=campaign.pk),
                    code=token,
                    answers={"subjects": {str(subject.pk): {"kept": option, "support": option, "overall": option}}},
                )
            close_campaign(actor=self.office_a, campaign=Campaign.objects.get(pk=campaign.pk))
        self.client.force_login(self.office_a)
        page = self.client.get(reverse("commitments:pledges")).content.decode()
        self.assertIn("<b>100.00</b>", page)
        self.assertIn("<b>0.00</b>", page)
