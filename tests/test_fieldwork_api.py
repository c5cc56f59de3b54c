"""The field-work figures in the JSON API."""

from tests.fieldworking import TODAY, FieldworkTestCase


class ApiTest(FieldworkTestCase):
    def test_the_figures_come_with_their_definitions_for_a_key_of_the_region(self):
        from tests.base import api_key

        self.log(problems="路灯不亮")
        key = api_key(user=self.organiser_a, name="综合考核")
        month = TODAY().replace(day=1)
        query = {"region": self.district_a.pk, "start": month.isoformat(), "end": TODAY().isoformat()}
        response = self.client.get("/api/fieldwork/figures", query, HTTP_AUTHORIZATION=f"Bearer {key}")
        self.assertEqual(response.status_code, 200)
        body = response.json()
        mine = next(c for c in body["cadres"] if c["id"] == self.cadre_a.pk)
        self.assertEqual((mine["figures"]["entries"], mine["figures"]["problems"], body["summary"]["entries"]), (1, 1, 1))
        self.assertIn("covered", body["definitions"])
        outsider = api_key(user=self.organiser_b, name="乙区")
        self.assertEqual(self.client.get("/api/fieldwork/figures", query, HTTP_AUTHORIZATION=f"Bearer {outsider}").status_code, 404)
        backwards = self.client.get("/api/fieldwork/figures", {**query, "end": "2000-01-01"}, HTTP_AUTHORIZATION=f"Bearer {key}")
        self.assertEqual((backwards.status_code, backwards.json()["error"]), (422, "invalid"))
        self.assertEqual(
            self.client.get("/api/fieldwork/figures", {**query, "start": "2026-13-01"}, HTTP_AUTHORIZATION=f"Bearer {key}").status_code, 422
        )
        self.assertEqual(self.client.get("/api/fieldwork/figures", query).status_code, 401)
