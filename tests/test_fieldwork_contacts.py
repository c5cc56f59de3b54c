"""A cadre's contact points (五个一) and their coverage."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from minping.fieldwork import actions
from minping.org.models import Household
from tests.base import make_region
from tests.fieldworking import FieldworkTestCase, kind


class ContactTest(FieldworkTestCase):
    def test_each_kind_names_its_registry_record_and_a_pairing_is_made_once(self):
        household = Household.objects.create(code="HA009", address="幸福路9号", region=self.grid_a)
        talent = actions.add_contact(actor=self.office_a, cadre=self.cadre_a, kind=kind("talent"), name="刘工程师", note="返乡创业")
        official = actions.add_contact(actor=self.office_a, cadre=self.cadre_a, kind=kind("graduate_official"), record=self.graduate)
        family = actions.add_contact(actor=self.office_a, cadre=self.cadre_a, kind=kind("family_in_difficulty"), record=household)
        self.assertEqual((talent.name, talent.region), ("刘工程师", self.cadre_a.region))
        self.assertEqual((official.official, official.region), (self.graduate, self.community_a))
        self.assertEqual((family.household, family.name, family.region), (household, "HA009", self.grid_a))
        with self.assertRaisesMessage(ValidationError, "已联系"):
            actions.add_contact(actor=self.office_a, cadre=self.cadre_a, kind=kind("enterprise"), record=self.enterprise_a)
        with self.assertRaisesMessage(ValidationError, "请从名册中选择"):
            actions.add_contact(actor=self.office_a, cadre=self.cadre_a, kind=kind("enterprise"), record=self.community_a)

    def test_only_offices_over_the_cadre_pair_them_and_only_with_records_of_their_region(self):
        with self.assertRaises(PermissionDenied):
            actions.add_contact(actor=self.office_b, cadre=self.cadre_a, kind=kind("community"), record=self.community_b)
        with self.assertRaises(PermissionDenied):
            actions.add_contact(actor=self.cadre_user, cadre=self.cadre_a, kind=kind("talent"), name="某人")
        with self.assertRaises(PermissionDenied):  # the cadre is theirs, the enterprise is not
            actions.add_contact(actor=self.office_a, cadre=self.cadre_a, kind=kind("enterprise"), record=self.enterprise_b)

    def test_coverage_lists_missing_kinds_and_places_without_a_contact_cadre(self):
        self.client.force_login(self.organiser_a)
        page = self.client.get(reverse("fieldwork:coverage"), {"region": self.district_a.pk})
        self.assertEqual(page.status_code, 200)
        missing = dict((c.name, lacking) for c, lacking in page.context["missing"])
        self.assertEqual(missing["王书记"], ["联系人才", "联系大学生村官", "联系困难家庭"])
        self.assertIn("陈村官", missing)
        self.assertNotIn(self.community_a, list(page.context["communities"]))
        self.assertNotIn(self.enterprise_a, list(page.context["enterprises"]))
        later = make_region("新城社区", "community", self.street_a)
        page = self.client.get(reverse("fieldwork:coverage"), {"region": self.district_a.pk})
        self.assertIn(later, list(page.context["communities"]))

    def test_the_contacts_page_pairs_by_typed_name_and_says_why_it_refuses(self):
        self.client.force_login(self.office_a)
        url = reverse("fieldwork:contacts")
        response = self.client.post(url, {"cadre": self.cadre_a.pk, "kind": kind("graduate_official").pk, "record": "陈村官"})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(self.cadre_a.contacts.filter(official=self.graduate).exists())
        response = self.client.post(url, {"cadre": self.cadre_a.pk, "kind": kind("enterprise").pk, "record": "不存在的公司"}, follow=True)
        self.assertContains(response, "名册中找不到")
        self.assertEqual(self.client.get(url, {"cadre": self.cadre_b.pk}).status_code, 404)
