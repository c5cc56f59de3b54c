"""Every JSON body the API takes, with each field in turn given values of the wrong type, size or range, answers
with a refusal, never with a server error. The endpoints and their fields come from the OpenAPI schema."""

import json

from django.core.cache import cache

from minping.evaluations.actions import casting
from minping.results.actions import close_campaign
from tests.base import BaseTestCase
from tests.base import api_key as create_api_key
from tests.evaluating import full_answers, make_campaign

VALUES = [
    None,
    True,
    0,
    -1,
    2**63,
    10**400,
    1.5,
    1e308,
    "",
    "x",
    "x" * 5000,
    "a\u0000b",
    [],
    [None],
    [[]],
    {},
    {"a": None},
    {"1": {"2": {"3": []}}},
    ["x"] * 1000,
]


class ApiFuzzTest(BaseTestCase):
    def setUp(self):
        cache.clear()
        draft, _group, _pairs = make_campaign(self, open_it=False)
        self.opened, self.group, self.pairs = make_campaign(self)
        closed, _group, pairs = make_campaign(self)
        casting.cast_ballot(campaign=closed, code=pairs[0][0], answers=full_answers(closed))
        close_campaign(actor=self.organiser_a, campaign=closed)
        self.campaigns = [draft, self.opened, closed]
        self.headers = {"Authorization": f"Bearer {create_api_key(user=self.organiser_a, name='fuzz')}"}

    def valid_fields(self, pk: int) -> dict:
        """A plausible value for every field any body has, so that one bad field is all that is wrong."""
        return {
            "code": self.pairs[1][0],
            "answers": full_answers(self.opened),
            "campaign": pk,
            "tracker": "ABCDE-FGHJK",
            "group": self.group.pk,
            "count": 1,
            "channel": "qr",
            "rules": [],
            "name": "测评",
            "instrument": 1,
            "region": self.community_a.pk,
            "channels": ["qr"],
            "cadres": [],
            "units": [],
            "regions": [],
        }

    def test_no_body_fails_with_a_server_error(self):
        schema = self.client.get("/api/openapi.json").json()
        bodies = schema["components"]["schemas"]
        endpoints = 0
        for path, operations in schema["paths"].items():
            for method, operation in operations.items():
                ref = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
                if "$ref" not in ref:
                    continue
                endpoints += 1
                fields = list(bodies[ref["$ref"].split("/")[-1]]["properties"])
                for campaign in self.campaigns:
                    url = path.replace("{pk}", str(campaign.pk))
                    valid = {k: v for k, v in self.valid_fields(campaign.pk).items() if k in fields}
                    for field in fields:
                        for value in VALUES:
                            with self.subTest(method=method, url=url, field=field, value=repr(value)[:20]):
                                body = json.dumps({**valid, field: value})
                                response = getattr(self.client, method)(url, body, content_type="application/json", headers=self.headers)
                                self.assertLess(response.status_code, 500)
        self.assertGreaterEqual(endpoints, 7)  # the schema was read

    def test_no_ballot_shape_fails_with_a_server_error(self):
        subject = str(self.opened.subjects.get().pk)
        good = full_answers(self.opened)["subjects"][subject]
        for value in VALUES:
            for answers in (
                {"subjects": value},
                {"general": value},
                {"subjects": {subject: value}},
                {"subjects": {subject: {**good, "de": value}}},
                {"subjects": {subject: {"unknown": value}}},
                {"subjects": {subject: good}, "general": {"suggestion": value}},
                {"subjects": {subject: {"void": value}}},
            ):
                with self.subTest(answers=repr(answers)[:60]):
                    body = json.dumps({"code": self.pairs[2][0], "answers": answers})
                    response = self.client.post("/api/vote/cast", body, content_type="application/json")
                    self.assertLess(response.status_code, 500)

    def test_no_nested_field_fails_with_a_server_error(self):
        campaign_body = {k: v for k, v in self.valid_fields(0).items() if k in ("name", "instrument", "region", "channels")}
        rule = {"question": "overall", "metric": "score", "op": ">=", "value": 60}
        closed = self.campaigns[2]
        for value in VALUES:
            for field in ("name", "kind", "weight", "quorum"):
                with self.subTest(group_field=field, value=repr(value)[:20]):
                    body = json.dumps({**campaign_body, "groups": [{"name": "群众", field: value}]})
                    response = self.client.post("/api/campaigns", body, content_type="application/json", headers=self.headers)
                    self.assertLess(response.status_code, 500)
            for field in (*rule, "bottom"):
                with self.subTest(rule_field=field, value=repr(value)[:20]):
                    body = json.dumps({"rules": [{**rule, field: value}]})
                    response = self.client.put(
                        f"/api/campaigns/{closed.pk}/result-rules", body, content_type="application/json", headers=self.headers
                    )
                    self.assertLess(response.status_code, 500)
