"""One parser per write: the due list's form and the field page's queue read a visit by the same rules (the date
defaults to today in both; both take the address the phone showed), and refuse the same input with the same
words."""

import uuid

from django.urls import reverse

from minping.grid.models import Visit
from tests.test_grid import TODAY, GridTestCase


class VisitFormTest(GridTestCase):
    def visit(self, adapter: str, data: dict):
        self.client.force_login(self.grid_worker)
        if adapter == "page":
            return self.client.post(reverse("grid:visit"), {"grid": self.grid_a.pk, **data})
        return self.client.post(reverse("grid:field-visit"), data, content_type="application/json")

    def test_both_adapters_store_the_same_visit_from_the_same_input(self):
        stored = {}
        for adapter, household in (("page", self.household_a), ("field", self.household_a2)):
            self.visit(
                adapter,
                {
                    "id": str(uuid.uuid4()),
                    "household": household.pk,
                    "notes": "独居老人",
                    "kind": "check",
                    "address": f"{household.address}之一",
                    "address_seen": household.address,
                },
            )
            visit = Visit.objects.get(household=household)
            stored[adapter] = (visit.visited_on, visit.kind, visit.notes, list(visit.changes))
        self.assertEqual(stored["page"], stored["field"])
        self.assertEqual(stored["page"], (TODAY(), "check", "独居老人", ["address"]))

    def test_both_adapters_refuse_a_bad_date_with_the_same_words(self):
        from django.contrib.messages import get_messages

        page = self.visit("page", {"household": self.household_a.pk, "visited_on": "2026-02-30"})
        said_on_page = [str(m) for m in get_messages(page.wsgi_request)]
        field = self.visit("field", {"id": str(uuid.uuid4()), "household": self.household_a.pk, "visited_on": "2026-02-30"})
        self.assertEqual(field.status_code, 400)
        self.assertEqual(said_on_page, [field.json()["message"]])
        self.assertIn("请填写正确的走访日期", field.json()["message"])
        self.assertFalse(Visit.objects.exists())

    def test_visit_forms_share_their_fields_and_keep_their_own_data_and_errors(self):
        from minping.grid.forms import VisitForm

        good, bad = VisitForm({"household": str(self.household_a.pk)}), VisitForm({"household": "", "visited_on": "昨天"})
        self.assertIs(good.fields["household"], bad.fields["household"])  # not a deep copy each
        self.assertTrue(good.is_valid(), good.errors)
        self.assertFalse(bad.is_valid())
        self.assertEqual((good.cleaned_data["household"], good.errors), (self.household_a.pk, {}))
        self.assertIn("visited_on", bad.errors)
