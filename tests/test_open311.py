"""Open311 GeoReport v2, tested against the specification (wiki.open311.org/GeoReport_v2): the service list and
definitions, posting a request with each kind of location, querying requests by id, service, date and status, in
JSON and XML, and the standard error list for what a client gets wrong."""

import datetime as dt
import json
import xml.etree.ElementTree as ET

from django.utils import timezone

from minping.grid import actions
from minping.grid.models import Category, Problem
from minping.org.models import Region, Unit
from tests.base import BaseTestCase, api_key

REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}


class Open311Case(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        Region.objects.filter(pk=cls.district_a.pk).update(code="330212")
        Region.objects.filter(pk=cls.district_b.pk).update(code="330213")
        cls.urban = Unit.objects.create(name="甲区城管局", kind="department", region=cls.district_a)
        actions.save_route(actor=cls.organiser_a, category=Category.objects.get(code="facilities"), region=cls.district_a, unit=cls.urban)
        cls.key = api_key(user=cls.organiser_a, name="随手拍")
        cls.key_b = api_key(user=cls.organiser_b, name="乙区")

    def post(self, fmt="json", **data):
        return self.client.post(f"/open311/v2/requests.{fmt}", {"jurisdiction_id": "330212", "api_key": self.key, **data})

    def get(self, path, **params):
        return self.client.get(f"/open311/v2/{path}", {"jurisdiction_id": "330212", **params})

    def errors(self, response):
        if response["Content-Type"].startswith("application/json"):
            return json.loads(response.content)
        root = ET.fromstring(response.content)
        self.assertEqual(root.tag, "errors")
        return [{"code": int(e.findtext("code")), "description": e.findtext("description")} for e in root.findall("error")]


class Open311Test(Open311Case):
    def test_services_list_every_active_category_in_json_and_xml(self):
        response = self.get("services.json")
        self.assertEqual(response["Content-Type"], "application/json; charset=utf-8")
        services = json.loads(response.content)
        self.assertEqual({s["service_code"] for s in services}, set(Category.objects.filter(is_active=True).values_list("code", flat=True)))
        self.assertTrue(
            all(set(s) >= {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"} for s in services)
        )
        self.assertTrue(all(s["type"] == "realtime" and s["metadata"] is False for s in services))
        xml = self.get("services.xml")
        self.assertTrue(xml.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>'))
        root = ET.fromstring(xml.content)
        self.assertEqual(root.tag, "services")
        self.assertEqual(root.find("service/metadata").text, "false")
        definition = ET.fromstring(self.get("services/facilities.xml").content)
        self.assertEqual((definition.tag, definition.findtext("service_code")), ("service_definition", "facilities"))
        self.assertEqual(json.loads(self.get("services/facilities.json").content), {"service_code": "facilities", "attributes": []})

    def test_a_request_is_created_routed_and_followed(self):
        response = self.post(
            service_code="facilities",
            lat="29.87",
            long="121.55",
            address_string="幸福路3号路口",
            description="路灯不亮",
            email="resident@example.com",
        )
        self.assertEqual(response.status_code, 200)
        [created] = json.loads(response.content)
        self.assertEqual(set(created), {"service_request_id", "service_notice", "account_id"})
        problem = Problem.objects.get(pk=created["service_request_id"])
        self.assertEqual(
            (problem.unit, problem.reporter_kind, problem.reporter, problem.region), (self.urban, "resident", None, self.district_a)
        )
        self.assertEqual(problem.reporter_contact, "resident@example.com")
        self.assertIn("甲区城管局", created["service_notice"])
        [row] = json.loads(self.get(f"requests/{problem.pk}.json", api_key=self.key).content)
        self.assertEqual(set(row), REQUEST_FIELDS)
        self.assertEqual(
            (row["status"], row["service_code"], row["agency_responsible"], row["lat"], row["long"]),
            ("open", "facilities", "甲区城管局", "29.870000", "121.550000"),
        )
        self.assertRegex(row["requested_datetime"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")
        xml = ET.fromstring(self.get(f"requests/{problem.pk}.xml", api_key=self.key).content)
        self.assertEqual((xml.tag, xml.findtext("request/status")), ("service_requests", "open"))

    def test_an_address_id_places_the_request_in_the_households_grid_and_an_unrouted_one_waits(self):
        [created] = json.loads(self.post(service_code="dispute", address_id="HA001", description="楼上漏水").content)
        problem = Problem.objects.get(pk=created["service_request_id"])
        self.assertEqual((problem.region, problem.address, problem.status, problem.unit), (self.grid_a, "幸福路1号", "triage", None))
        xml = ET.fromstring(self.post("xml", service_code="dispute", address_string="和平路", description="噪音").content)
        self.assertEqual(xml.tag, "service_requests")
        self.assertTrue(xml.findtext("request/service_request_id").isdigit())

    def test_requests_are_queried_by_id_service_date_and_status(self):
        ids = [
            json.loads(self.post(service_code=code, address_string="幸福路", description=f"问题{n}").content)[0]["service_request_id"]
            for n, code in enumerate(["facilities", "facilities", "dispute"])
        ]
        Problem.objects.filter(pk=ids[1]).update(status="confirmed", created_at=timezone.now() - dt.timedelta(days=10))
        Problem.objects.filter(pk=ids[2]).update(created_at=timezone.now() - dt.timedelta(days=100))

        def listed(**params):
            return [r["service_request_id"] for r in json.loads(self.get("requests.json", api_key=self.key, **params).content)]

        self.assertEqual(listed(), ids[:2])  # the last 90 days, newest first
        self.assertEqual(listed(service_request_id=",".join(ids)), ids)  # ids ignore the other filters
        self.assertEqual(listed(service_code="dispute", start_date=(timezone.now() - dt.timedelta(days=120)).isoformat()), [ids[2]])
        self.assertEqual(listed(status="closed"), [ids[1]])
        self.assertEqual(listed(status="open"), [ids[0]])
        self.assertEqual(listed(status="open,closed"), ids[:2])
        self.assertEqual(listed(end_date=(timezone.now() - dt.timedelta(days=5)).isoformat()), [ids[1]])
        # a key reads its own region's requests only
        self.assertEqual(
            json.loads(self.client.get("/open311/v2/requests.json", {"jurisdiction_id": "330212", "api_key": self.key_b}).content), []
        )

    def test_what_a_client_gets_wrong_comes_back_as_the_standard_error_list(self):
        cases = [
            (self.post(description="缺少类别", address_string="幸福路"), 400, "service_code is required"),
            (self.post(service_code="nosuch", address_string="幸福路"), 404, "service_code not found"),
            (self.post(service_code="facilities"), 400, "a location is required"),
            (self.post(service_code="facilities", lat="abc", long="121"), 400, "经纬度应为数字"),
            (self.post(service_code="facilities", lat="95", long="121"), 400, "经纬度超出范围"),
            (self.post(service_code="facilities", lat="29.8"), 400, "lat and long must be given together"),
            (self.post(service_code="facilities", address_id="NOPE"), 404, "address_id not found"),
            (
                self.client.post(
                    "/open311/v2/requests.json", {"jurisdiction_id": "999999", "api_key": self.key, "service_code": "facilities"}
                ),
                404,
                "jurisdiction_id not found",
            ),
            (
                self.client.post(
                    "/open311/v2/requests.json",
                    {"jurisdiction_id": "330212", "api_key": "mp_bad_key", "service_code": "facilities", "address_string": "x"},
                ),
                403,
                "api_key",
            ),
            (
                self.client.post("/open311/v2/requests.json", {"service_code": "facilities", "api_key": self.key, "address_string": "x"}),
                400,
                "jurisdiction_id is required",
            ),
            (self.get("requests.json", api_key="mp_bad_key"), 403, "api_key"),
            (self.get("requests.json", api_key=self.key, status="pending"), 400, "status must be"),
            (self.get("requests.json", api_key=self.key, start_date="yesterday"), 400, "start_date must be"),
            (self.get("requests.json", api_key=self.key, service_request_id="1,abc"), 400, "service_request_id must be"),
            (self.get("requests/999999.json", api_key=self.key), 404, "service_request_id not found"),
            (self.get("services/nosuch.json"), 404, "service_code not found"),
            (self.get("services.yaml"), 404, "format not supported"),
        ]
        for response, code, text in cases:
            with self.subTest(text=text):
                self.assertEqual(response.status_code, code)
                [error] = self.errors(response)
                self.assertEqual(error["code"], code)
                self.assertIn(text, error["description"])
        self.assertFalse(Problem.objects.exists())
        xml = self.get("requests.xml", api_key="mp_bad_key")
        self.assertEqual(self.errors(xml)[0]["code"], 403)


class Open311PublicReadTest(Open311Case):
    """Standard clients read without a key (the GeoReport v2 libraries send theirs only when posting) and send
    photos as `media`."""

    def test_a_keyless_read_answers_what_the_public_may_see(self):
        [created] = json.loads(
            self.post(
                service_code="facilities", address_id="HA001", description="张三家门口路灯不亮", first_name="张三", phone="13800001234"
            ).content
        )
        for response in (self.get(f"requests/{created['service_request_id']}.json"), self.get("requests.json")):
            [row] = json.loads(response.content)
            self.assertEqual(response.status_code, 200)
            self.assertEqual(
                (row["status"], row["service_code"], row["agency_responsible"], row["address"]),
                ("open", "facilities", "甲区城管局", "第1网格"),
            )
            self.assertEqual((row["description"], row["lat"], row["long"]), ("", None, None))
            self.assertNotIn("幸福路", response.content.decode())
            self.assertNotIn("张三", response.content.decode())
        self.assertEqual(self.get("requests.json", api_key="mp_bad_key").status_code, 403)  # a key given must be valid

    def test_a_media_photo_is_kept_as_evidence_of_the_report(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from tests.test_evidence import photo

        [created] = json.loads(
            self.post(
                service_code="facilities", address_id="HA001", description="路灯不亮", media=SimpleUploadedFile("灯.jpg", photo())
            ).content
        )
        report = Problem.objects.get(pk=created["service_request_id"]).steps.get(action="report")
        self.assertEqual([e.kind for e in report.evidence.all()], ["jpeg"])

    def test_a_media_file_that_is_not_a_photo_or_document_refuses_the_request(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        response = self.post(
            service_code="facilities",
            address_id="HA001",
            description="路灯不亮",
            media=SimpleUploadedFile("灯.jpg", b"MZ\x90\x00 a program"),
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.errors(response)[0]["code"], 400)
        self.assertFalse(Problem.objects.exists())
