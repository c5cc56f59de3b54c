"""Every key reads what its owner may open on the web, no more: each JSON API and Open311 read, and each file
download, tried by every role against records of other units, streets, districts and people, is refused."""

import datetime as dt
import json
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from minping.accounts.models import User
from minping.api import api
from minping.assessment import actions as assessment
from minping.fieldwork import actions as fieldwork
from minping.fieldwork.models import ContactKind
from minping.grid import actions as grid
from minping.grid.actions import install_categories
from minping.grid.models import Category
from minping.org.models import Region, Unit
from minping.results.actions import close_campaign
from tests.base import BaseTestCase, api_key
from tests.evaluating import make_campaign
from tests.test_evidence import photo

REFUSED = {403, 404}


def photos():
    return [SimpleUploadedFile("现场.jpg", photo())]


class ReadScopeTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        install_categories(Category)
        Region.objects.filter(pk=cls.district_a.pk).update(code="330212")
        lamps = Category.objects.get(code="facilities")
        cls.other_unit = Unit.objects.create(name="一街道城管中队", kind="station", region=cls.street_a)
        cls.other_handler = User.objects.create_user(
            "handler_other", password="x", role="handler", region=cls.street_a, unit=cls.other_unit
        )
        cls.other_office = User.objects.create_user("office_other", password="x", role="office", region=cls.other_street_a)
        grid.save_route(actor=cls.office_a, category=lamps, region=cls.street_a, unit=cls.unit_a)
        cls.problem, _new = grid.report_problem(
            actor=cls.grid_worker,
            category=lamps,
            region=cls.grid_a,
            address="幸福路1号楼下",
            description="张三家门口路灯不亮",
            files=photos(),
        )
        contact = fieldwork.add_contact(
            actor=cls.office_a,
            cadre=cls.cadre_a,
            kind=ContactKind.objects.get(code="community"),
            record=cls.community_a,
            starts_on=dt.date(2025, 1, 1),
        )
        cls.entry, _new = fieldwork.record_entry(
            actor=cls.cadre_user, contact=contact, on=timezone.localdate(), form="visit", discussed="走访", files=photos()
        )
        # Who may not open these records: another district's organiser, another street's office, a handler of
        # another unit, a cadre and a grid worker who did not report the problem, an interviewer.
        cls.outsiders = [
            cls.organiser_b,
            cls.other_office,
            cls.other_handler,
            cls.cadre_user,
            cls.interviewer,
            User.objects.create_user("grid_other", password="x", role="grid_worker", region=cls.grid_a),
        ]

    def setUp(self):
        self.campaign, _group, _pairs = make_campaign(self)
        close_campaign(actor=self.organiser_a, campaign=self.campaign)
        self.scheme = assessment.create_scheme(actor=self.organiser_a, region=self.district_a, template="secretary_year", year=2026)
        self.scheme.definition["components"][1]["weight"], self.scheme.definition["components"][0]["weight"] = 0, 0.8
        self.scheme = assessment.save_definition(actor=self.organiser_a, scheme=self.scheme, definition=self.scheme.definition)
        self.run = assessment.run_scheme(actor=self.organiser_a, scheme=self.scheme)
        self.keys = {user.username: api_key(user=user, name="读取") for user in self.outsiders}
        self.reads = 0

    def refused(self, response, what: str) -> None:
        self.reads += 1
        self.assertIn(response.status_code, REFUSED, f"{what}: {response.status_code} {response.content[:200]!r}")

    def api_reads(self) -> list[str]:
        """Every keyed GET of the JSON API, its path filled with district A's records."""
        values = {"pk": self.campaign.pk, "subject": self.campaign.subjects.get().pk, "scheme": self.scheme.pk, "run": self.run.pk}
        paths = []
        for path, operations in api.get_openapi_schema()["paths"].items():
            if "get" in operations and operations["get"].get("security"):
                filled = re.sub(r"\{(\w+)\}", lambda m: str(values[m[1]]), path)
                query = {"start": "2026-01-01", "end": "2026-12-31", "region": self.street_a.pk} if "fieldwork" in path else {}
                paths.append(filled + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""))
        return paths

    def test_no_key_reads_another_scopes_records_through_the_json_api(self):
        paths = self.api_reads()
        self.assertGreaterEqual(len(paths), 6)
        for user in self.outsiders:
            for path in paths:
                response = self.client.get(path, headers={"authorization": f"Bearer {self.keys[user.username]}"})
                if path == "/api/assessment/schemes" and response.status_code == 200:  # a list: of the key's region only
                    self.reads += 1
                    self.assertEqual(response.json(), [], user)
                    continue
                self.refused(response, f"{user} {path}")
        print(f"JSON API: {self.reads} cross-role reads, all refused")

    def test_no_key_reads_a_problem_it_may_not_open_through_open311(self):
        for user in self.outsiders:
            params = {"jurisdiction_id": "330212", "api_key": self.keys[user.username]}
            self.refused(self.client.get(f"/open311/v2/requests/{self.problem.pk}.json", params), f"{user} detail")
            listed = json.loads(self.client.get("/open311/v2/requests.json", params).content)
            self.reads += 1
            self.assertNotIn(str(self.problem.pk), [r["service_request_id"] for r in listed], user)
        print(f"Open311: {self.reads} cross-role reads, all refused")

    def test_files_follow_their_record(self):
        from minping.evidence.models import Evidence

        files = {
            "problem photo": Evidence.objects.get(purpose="problem.report"),
            "work-log photo": Evidence.objects.get(purpose="fieldwork.log"),
        }
        for user in self.outsiders:
            self.client.force_login(user)
            for what, evidence in files.items():
                if what == "work-log photo" and user == self.cadre_user:
                    continue  # the cadre's own entry
                self.refused(self.client.get(f"/files/{evidence.pk}/"), f"{user} {what}")
        print(f"files: {self.reads} cross-role downloads, all refused")
        for user, evidence in (
            (self.handler, files["problem photo"]),
            (self.office_a, files["work-log photo"]),
            (self.cadre_user, files["work-log photo"]),
        ):
            self.client.force_login(user)
            self.assertEqual(self.client.get(f"/files/{evidence.pk}/").status_code, 200, user)
