"""Numbers too large for the database, and floods of objections: clear 4xx answers, never a 500."""

from django.core.cache import cache
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from minping.evaluations.models import Campaign
from minping.results.actions import publish
from minping.results.models import Objection
from tests.base import BaseTestCase, api_key
from tests.evaluating import full_answers, make_campaign

HUGE = "9" * 30
LARGE = str(2**63)


def id_routes(resolver=None, prefix="") -> list[str]:
    """Every URL of the site that takes an id, with the ids filled in by `HUGE`."""
    resolver = resolver or get_resolver()
    found = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found += id_routes(entry, route)
        elif isinstance(entry, URLPattern) and "<id:" in route:
            found.append("/" + "/".join(HUGE if part.startswith("<id:") else part for part in route.split("/")))
    return found


class LargeNumbersTest(BaseTestCase):
    def test_every_url_with_an_id_answers_404_for_a_number_too_large_to_store(self):
        routes = id_routes()
        self.assertGreater(len(routes), 20)
        self.client.force_login(self.organiser_a)
        for route in routes:
            if "{" in route or "<" in route.replace(HUGE, ""):
                continue  # a route with other parameters is covered by its own tests
            with self.subTest(route=route):
                self.assertIn(self.client.get(route).status_code, (404, 405))
        key = api_key(user=self.organiser_a, name="大数")
        for path in (f"/api/campaigns/{HUGE}/turnout", f"/api/campaigns/{LARGE}", f"/api/results/{HUGE}"):
            with self.subTest(path=path):
                self.assertEqual(self.client.get(path, headers={"Authorization": f"Bearer {key}"}).status_code, 404)

    def test_api_bodies_with_numbers_too_large_get_422_naming_the_field(self):
        campaign, group, _pairs = make_campaign(self, open_it=False)
        key = api_key(user=self.organiser_a, name="大数")
        cases = [
            (f"/api/campaigns/{campaign.pk}/subjects", {"cadres": [int(LARGE)]}, "cadres.0"),
            (f"/api/campaigns/{campaign.pk}/subjects", {"items": [{"kind": "cadre", "id": int(HUGE)}]}, "items.0.id"),
            (f"/api/campaigns/{campaign.pk}/codes", {"group": group.pk, "count": int(LARGE)}, "count"),
            (f"/api/campaigns/{campaign.pk}/codes", {"group": int(HUGE), "count": 1}, "group"),
            ("/api/vote/tracker", {"campaign": int(HUGE), "tracker": "AAAAA-AAAAA"}, "campaign"),
        ]
        for path, body, field in cases:
            with self.subTest(path=path, field=field):
                response = self.client.post(path, body, content_type="application/json", headers={"Authorization": f"Bearer {key}"})
                self.assertEqual(response.status_code, 422, response.content)
                self.assertEqual(response.json()["error"], "invalid")
                self.assertIn(field, response.json()["problems"])
        self.assertEqual(Campaign.objects.get(pk=campaign.pk).subjects.count(), 1)


class ObjectionThrottleTest(BaseTestCase):
    def setUp(self):
        cache.clear()
        self.campaign, _group, pairs = make_campaign(self, codes=6)
        from minping.evaluations.actions import casting

        for token, _short in pairs:
            casting.cast_ballot(campaign=self.campaign, code=token, answers=full_answers(self.campaign))
        from minping.results.actions import close_campaign

        close_campaign(actor=self.organiser_a, campaign=self.campaign)
        publish(actor=self.organiser_a, campaign=self.campaign)

    def object_from(self, address: str, text: str):
        return self.client.post(reverse("notice:detail", args=[self.campaign.pk]), {"text": text}, REMOTE_ADDR=address)

    def test_a_flood_of_objections_from_one_address_is_held_back_and_others_are_not(self):
        for n in range(5):
            self.assertContains(self.object_from("203.0.113.7", f"第{n}条"), "已收到")
        flood = self.object_from("203.0.113.7", "第6条")
        self.assertContains(flood, "提交过于频繁", status_code=429)
        self.assertContains(self.object_from("198.51.100.2", "另一位居民"), "已收到")
        self.assertEqual(Objection.objects.count(), 6)
