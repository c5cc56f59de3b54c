import json

from django.core.cache import cache

from minping.evaluations.models import Campaign, Code, Instrument
from minping.results.actions import close_campaign, publish
from tests.base import BaseTestCase
from tests.base import api_key as create_api_key
from tests.evaluating import ballots_cast, full_answers, make_campaign


class OrganiserApiTest(BaseTestCase):
    def setUp(self):
        self.key = create_api_key(user=self.organiser_a, name="test")

    def call(self, method, path, body=None, key=None):
        headers = {"Authorization": f"Bearer {key or self.key}"}
        return getattr(self.client, method)(
            f"/api{path}", json.dumps(body) if body is not None else None, content_type="application/json", headers=headers
        )

    def test_the_schema_lists_the_endpoints(self):
        schema = self.client.get("/api/openapi.json").json()
        self.assertIn("/api/campaigns", schema["paths"])
        self.assertIn("/api/vote/cast", schema["paths"])

    def test_a_campaign_goes_from_template_to_turnout(self):
        instrument = Instrument.objects.get(builtin_key="sankao_grounded", region__isnull=True)
        created = self.call(
            "post",
            "/campaigns",
            {
                "name": "三考",
                "instrument": instrument.pk,
                "region": self.community_a.pk,
                "channels": ["qr"],
                "quorum": 2,
                "groups": [{"name": "居民代表", "kind": "masses", "weight": 1}],
            },
        )
        self.assertEqual(created.status_code, 201, created.content)
        pk = created.json()["id"]
        self.assertEqual(self.call("post", f"/campaigns/{pk}/subjects", {"cadres": [self.cadre_a.pk]}).status_code, 200)
        group = created.json()["groups"][0]["id"]
        codes = self.call("post", f"/campaigns/{pk}/codes", {"group": group, "count": 3, "channel": "qr"}).json()["codes"]
        self.assertEqual(self.call("post", f"/campaigns/{pk}/open").json()["status"], "open")
        form = self.client.post("/api/vote/ballot", {"code": codes[0]["short"]}, content_type="application/json").json()
        subject = str(form["subjects"][0]["id"])
        answers = {"subjects": {subject: {"seen": "yes", "visited": "no", "solved": "unknown", "score": 85, "overall": "fairly"}}}
        cast = self.client.post(
            "/api/vote/cast", {"code": codes[0]["token"], "answers": answers, "idempotency_key": "a1"}, content_type="application/json"
        )
        self.assertEqual(cast.status_code, 201, cast.content)
        turnout = self.call("get", f"/campaigns/{pk}/turnout").json()
        # While voting is open only codes are counted: a subject's valid ballots would show how each ballot went.
        self.assertEqual((turnout["used"], turnout["counted"], turnout["ballots"], turnout["subjects"]), (1, False, None, []))
        self.assertNotIn("fairly", json.dumps(turnout))
        self.assertEqual(self.call("post", f"/campaigns/{pk}/close").json()["status"], "closed")

    def test_another_districts_key_gets_404_and_no_key_gets_401(self):
        campaign, _group, _pairs = make_campaign(self)
        other = create_api_key(user=self.organiser_b, name="b")
        self.assertEqual(self.call("get", f"/campaigns/{campaign.pk}/turnout", key=other).status_code, 404)
        self.assertEqual(self.call("post", f"/campaigns/{campaign.pk}/close", key=other).status_code, 404)
        self.assertEqual(self.client.get(f"/api/campaigns/{campaign.pk}").status_code, 401)
        self.assertEqual(self.call("get", f"/campaigns/{campaign.pk}", key="mp_nothing_here").status_code, 401)

    def test_an_officials_key_gets_nothing_but_403(self):
        campaign, _group, _pairs = make_campaign(self)
        cadre_key = create_api_key(user=self.cadre_user, name="c")
        self.assertEqual(self.call("get", f"/campaigns/{campaign.pk}/turnout", key=cadre_key).status_code, 403)
        self.assertEqual(
            self.call(
                "post", "/campaigns", {"name": "x", "instrument": 1, "region": self.community_a.pk, "channels": ["qr"]}, key=cadre_key
            ).status_code,
            403,
        )

    def test_editing_an_open_campaign_is_refused(self):
        campaign, _group, _pairs = make_campaign(self)
        response = self.call("post", f"/campaigns/{campaign.pk}/subjects", {"cadres": [self.cadre_a.pk]})
        self.assertEqual(response.status_code, 422)
        self.assertEqual(response.json()["error"], "invalid")

    def test_a_name_the_database_cannot_store_is_refused(self):
        instrument = Instrument.objects.get(builtin_key="community_work", region__isnull=True)
        for name in ("a\x00b", "a\ud800b"):
            body = json.dumps(
                {"name": name, "instrument": instrument.pk, "region": self.community_a.pk, "channels": ["qr"], "groups": [{"name": name}]}
            )
            response = self.client.post(
                "/api/campaigns", body, content_type="application/json", headers={"Authorization": f"Bearer {self.key}"}
            )
            self.assertEqual(response.status_code, 400)
        self.assertFalse(Campaign.objects.exists())

    def test_names_and_quorums_out_of_range_get_422(self):
        instrument = Instrument.objects.get(builtin_key="community_work", region__isnull=True)
        base = {"name": "x", "instrument": instrument.pk, "region": self.community_a.pk, "channels": ["qr"]}
        cases = [
            ("name", {**base, "name": "测" * 201}),
            ("name", {**base, "name": "   "}),
            ("name", {**base, "groups": [{"name": "群" * 101}]}),
            ("quorum", {**base, "groups": [{"name": "群众", "quorum": 2**63}]}),
            ("quorum", {**base, "groups": [{"name": "群众", "quorum": 0}]}),
            ("starts_at", {**base, "starts_at": "0001-01-01T00:00:00+08:00"}),
            ("ends_at", {**base, "ends_at": "9999-12-31T23:59:59-12:00"}),
        ]
        for field, body in cases:
            with self.subTest(body=str(body)[:60]):
                response = self.call("post", "/campaigns", body)
                self.assertEqual(response.status_code, 422)
                self.assertIn(field, [key.split(".")[-1] for key in response.json()["problems"]])
        self.assertFalse(Campaign.objects.exists())
        created = self.call("post", "/campaigns", {**base, "name": " 三考 ", "groups": [{"name": "群" * 100, "quorum": 100000}]})
        self.assertEqual((created.status_code, created.json()["name"]), (201, "三考"))

    def test_a_region_outside_the_keys_scope_is_404(self):
        instrument = Instrument.objects.get(builtin_key="community_work", region__isnull=True)
        response = self.call(
            "post", "/campaigns", {"name": "x", "instrument": instrument.pk, "region": self.street_b.pk, "channels": ["qr"]}
        )
        self.assertEqual(response.status_code, 404)


class VoterApiTest(BaseTestCase):
    def setUp(self):
        cache.clear()
        self.campaign, self.group, self.pairs = make_campaign(self)
        self.subject = str(self.campaign.subjects.get().pk)

    def cast(self, body, **headers):
        return self.client.post(
            "/api/vote/cast", body if isinstance(body, (str, bytes)) else json.dumps(body), content_type="application/json", headers=headers
        )

    def test_an_idempotent_retry_gets_the_same_receipt_and_another_payload_gets_422(self):
        body = {"code": self.pairs[0][0], "answers": full_answers(self.campaign), "idempotency_key": "k"}
        first, again = self.cast(body), self.cast(body)
        self.assertEqual((first.status_code, again.status_code), (201, 200))
        self.assertEqual(first.json()["tracker"], again.json()["tracker"])
        changed = self.cast({**body, "answers": full_answers(self.campaign, choice="dissatisfied")})
        self.assertEqual((changed.status_code, changed.json()["error"]), (422, "idempotency_conflict"))
        self.assertEqual(len(ballots_cast()), 1)

    def test_the_idempotency_key_may_come_as_a_header(self):
        body = {"code": self.pairs[0][0], "answers": full_answers(self.campaign)}
        first = self.cast(body, **{"Idempotency-Key": "h1"})
        again = self.cast(body, **{"Idempotency-Key": "h1"})
        self.assertEqual(first.json()["tracker"], again.json()["tracker"])

    def test_wrong_typed_answers_get_structured_problems_and_keep_the_code(self):
        answers = full_answers(self.campaign)
        answers["subjects"][self.subject]["de"] = 5
        response = self.cast({"code": self.pairs[0][0], "answers": answers})
        self.assertEqual(response.status_code, 422)
        self.assertEqual(response.json()["problems"][0]["field"], f"subjects.{self.subject}.de")
        self.assertEqual(Code.objects.filter(status="used").count(), 0)

    def test_malformed_bodies_get_4xx(self):
        cases = [
            ("not json", 400),
            (b"[" * 5000 + b"]" * 5000, 400),
            (json.dumps({"code": "x", "answers": {"a": "x" * (11 * 1024 * 1024)}}), 413),
            (json.dumps({"code": self.pairs[0][0], "answers": "nope"}), 422),
            (json.dumps({"answers": {}}), 422),
        ]
        for body, status in cases:
            with self.subTest(status=status, body=body[:20]):
                self.assertEqual(self.cast(body).status_code, status)
        self.assertEqual(len(ballots_cast()), 0)

    def test_text_the_database_cannot_store_is_refused(self):
        # JSON carries a NUL or an unpaired surrogate only as an escape; PostgreSQL can store neither.
        for bad in ("\\u0000", "\\ud800"):
            answers = json.dumps(full_answers(self.campaign, suggestion="SUGGESTION"))
            body = f'{{"code": "{self.pairs[0][0]}", "answers": {answers.replace("SUGGESTION", "a" + bad)}}}'
            with self.subTest(bad=bad):
                self.assertEqual(self.cast(body).status_code, 400)
                tracker = self.client.post(
                    "/api/vote/tracker", f'{{"campaign": {self.campaign.pk}, "tracker": "{bad}"}}', content_type="application/json"
                )
                self.assertEqual(tracker.status_code, 400)
        self.assertEqual(Code.objects.filter(status="used").count(), 0)
        escaped = json.dumps(full_answers(self.campaign, suggestion="\\u0000 是六个字符"))  # a backslash, not a NUL
        self.assertEqual(self.cast(f'{{"code": "{self.pairs[0][0]}", "answers": {escaped}}}').status_code, 201)

    def test_nan_and_infinity_are_not_json(self):
        for constant in ("NaN", "Infinity", "-Infinity"):
            body = json.dumps({"code": self.pairs[0][0], "answers": full_answers(self.campaign), "idempotency_key": 1})
            body = body.replace('"idempotency_key": 1', f'"idempotency_key": {constant}')
            with self.subTest(constant=constant):
                self.assertIn(constant, body)
                self.assertEqual(self.cast(body).status_code, 400)

    def test_a_cross_site_origin_is_refused(self):
        body = {"code": self.pairs[0][0], "answers": full_answers(self.campaign)}
        self.assertEqual(self.cast(body, Origin="https://evil.example").status_code, 403)
        self.assertEqual(self.cast(body, Origin="http://testserver").status_code, 201)

    def test_codes_in_every_bad_state_get_their_status(self):
        self.cast({"code": self.pairs[0][0], "answers": full_answers(self.campaign)})
        cases = {"0" * 32: 404, self.pairs[0][0]: 409, "ABC": 400}
        for code, status in cases.items():
            with self.subTest(code=code):
                self.assertEqual(self.cast({"code": code, "answers": full_answers(self.campaign)}).status_code, status)

    def test_the_tracker_is_looked_up_after_close(self):
        receipt = self.cast({"code": self.pairs[0][0], "answers": full_answers(self.campaign)}).json()
        lookup = {"campaign": self.campaign.pk, "tracker": receipt["tracker"]}
        self.assertEqual(self.client.post("/api/vote/tracker", lookup, content_type="application/json").status_code, 404)

        close_campaign(actor=self.organiser_a, campaign=self.campaign)
        self.assertEqual(self.client.post("/api/vote/tracker", lookup, content_type="application/json").status_code, 404)
        publish(actor=self.organiser_a, campaign=self.campaign)
        found = self.client.post("/api/vote/tracker", lookup, content_type="application/json").json()
        self.assertTrue(found["included"])
        typed = {**lookup, "tracker": receipt["tracker"].replace("-", " ").lower()}
        self.assertTrue(self.client.post("/api/vote/tracker", typed, content_type="application/json").json()["included"])
