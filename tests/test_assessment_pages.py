"""The assessment's refusals of bad input, its pages and files, the JSON API and the scans of bonus items."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError

from minping.assessment import actions, sources
from minping.org.models import Post
from tests.assessing import AssessmentTestCase, make_cadre
from tests.evaluating import make_campaign


class BadInput(AssessmentTestCase):
    def edited(self, **changes):
        definition = {**self.scheme.definition, **changes}
        return actions.save_definition(actor=self.organiser_a, scheme=self.scheme, definition=definition)

    def test_weights_must_sum_to_one(self):
        parts = [dict(c) for c in self.scheme.definition["components"]]
        parts[0]["weight"] = 0.6
        with self.assertRaisesMessage(ValidationError, "权重之和应为 1（现为 1.1）"):
            self.edited(components=parts)

    def test_a_campaign_of_another_region_or_unpublished_is_refused(self):
        self.assertEqual(self.campaign.status, "published")
        other, _group, _pairs = make_campaign(self, open_it=False)
        parts = [dict(c) for c in self.scheme.definition["components"]]
        parts[2]["campaigns"] = [other.pk]
        with self.assertRaisesMessage(ValidationError, "结果尚未发布"):
            self.edited(components=parts)
        other.region = self.district_b
        other.save()
        with self.assertRaisesMessage(ValidationError, "不在本区域"):
            self.edited(components=parts)

    def test_grades_quota_and_vetoes_must_be_meetable(self):
        with self.assertRaisesMessage(ValidationError, "名额指向的等次不存在"):
            self.edited(quota={"grade": "特等", "share": 0.2})
        with self.assertRaisesMessage(ValidationError, "比例应在 0.01 到 1 之间"):
            self.edited(quota={"grade": "优秀", "share": 1.5})
        with self.assertRaisesMessage(ValidationError, "最后一个等次从 0 分起"):
            self.edited(grades=[{"label": "优秀", "min": 90}, {"label": "合格", "min": 60}])

    def test_the_post_that_counts_for_a_cadre_who_moved(self):
        moved = make_cadre("吴书记", 905, self.community_a, started=dt.date(2019, 1, 1), ended=dt.date(2026, 8, 31))
        Post.objects.create(cadre=moved, region=self.community_b, title="社区书记", category="secretary", started_on=dt.date(2026, 9, 1))
        self.assertNotIn(moved.pk, [m["ref"] for m in sources.members(self.scheme)])  # 31 December: district B
        self.edited(post_rule="longest")
        self.scheme.refresh_from_db()
        self.assertIn(moved.pk, [m["ref"] for m in sources.members(self.scheme)])  # eight months in district A

    def test_only_named_raters_rate_and_outsiders_do_not_see_the_scheme(self):
        with self.assertRaises(PermissionDenied):
            actions.rate(actor=self.office_a, scheme=self.scheme, member=self.cadre_a.pk, scores={"overall": 100})
        with self.assertRaises(PermissionDenied):
            actions.run_scheme(actor=self.organiser_b, scheme=self.scheme)
        self.client.force_login(self.organiser_b)
        self.assertEqual(self.client.get(f"/assessment/{self.scheme.pk}/").status_code, 404)

    def test_an_adjustment_needs_its_reason_and_evidence(self):
        with self.assertRaisesMessage(ValidationError, "请填写依据"):
            actions.add_adjustment(actor=self.organiser_a, scheme=self.scheme, member=self.chen.pk, points="2", reason="表彰", evidence="")
        with self.assertRaisesMessage(ValidationError, "不在这个方案的参评范围内"):
            actions.add_adjustment(
                actor=self.organiser_a, scheme=self.scheme, member=self.cadre_b.pk, points="2", reason="表彰", evidence="文"
            )


class Pages(AssessmentTestCase):
    def test_the_cohort_page_explanation_and_files(self):
        run = self.run_it()
        self.client.force_login(self.organiser_a)
        page = self.client.get(f"/assessment/runs/{run.pk}/")
        self.assertContains(page, "陈书记")
        self.assertContains(page, "按留存的输入重算，结果一致")
        chen = run.results.get(ref=self.chen.pk)
        detail = self.client.get(f"/assessment/results/{chen.pk}/")
        self.assertContains(detail, "未参加所选测评")
        self.assertContains(detail, "区委〔2026〕12号")
        refused = self.client.post(f"/assessment/results/{chen.pk}/", {"grade": "优秀", "reason": ""})
        self.assertEqual(refused.status_code, 400)
        chen.refresh_from_db()
        self.assertEqual(chen.grade, "称职")
        workbook = self.client.get(f"/assessment/runs/{run.pk}/?format=xlsx")
        self.assertEqual(workbook.status_code, 200)
        from tests.base import typed_cells_only

        typed_cells_only(self, workbook.content)
        notice = self.client.get(f"/assessment/runs/{run.pk}/?format=docx")
        self.assertEqual(notice.status_code, 200)
        record = self.client.get(f"/assessment/cadres/{self.cadre_a.pk}/?format=pdf")
        self.assertEqual(record.content[:4], b"%PDF")

    def test_the_cohort_pages_queries_do_not_grow_with_its_members(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.client.force_login(self.organiser_a)

        def queries() -> int:
            run = actions.run_scheme(actor=self.organiser_a, scheme=self.scheme)
            with CaptureQueriesContext(connection) as captured:
                self.assertEqual(self.client.get(f"/assessment/runs/{run.pk}/").status_code, 200)
            return len(captured)

        few = queries()
        for serial in range(910, 916):
            make_cadre(f"新书记{serial}", serial, self.community_a)
        self.assertEqual(queries(), few)


class Api(AssessmentTestCase):
    def test_schemes_runs_and_results_for_the_keys_region_only(self):
        from tests.base import api_key

        run = self.run_it()
        key = api_key(user=self.organiser_a, name="考核")
        headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
        listed = self.client.get("/api/assessment/schemes?year=2026", **headers).json()
        self.assertEqual([s["name"] for s in listed], ["书记年度考核"])
        runs = self.client.get(f"/api/assessment/schemes/{self.scheme.pk}/runs", **headers).json()
        self.assertEqual([(r["number"], r["published"]) for r in runs], [(1, False)])
        body = self.client.get(f"/api/assessment/runs/{run.pk}", **headers).json()
        chen = next(r for r in body["results"] if r["label"] == "陈书记")
        self.assertEqual((chen["score"], chen["grade"]), (90.5, "称职"))
        self.assertEqual(chen["parts"][2]["missing"], "未参加所选测评")
        other = {"HTTP_AUTHORIZATION": f"Bearer {api_key(user=self.organiser_b, name='乙')}"}
        self.assertEqual(self.client.get(f"/api/assessment/runs/{run.pk}", **other).status_code, 404)
        cadre = {"HTTP_AUTHORIZATION": f"Bearer {api_key(user=self.cadre_user, name='干部')}"}
        self.assertEqual(self.client.get("/api/assessment/schemes", **cadre).status_code, 403)


class EvidenceScan(AssessmentTestCase):
    def test_a_bonus_item_keeps_its_scan_and_a_refused_post_keeps_nothing(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from minping.assessment.models import Adjustment
        from minping.evidence.models import Evidence
        from tests.browser import jpeg

        self.client.force_login(self.organiser_a)
        scan = SimpleUploadedFile("表彰通报.jpg", jpeg(), content_type="image/jpeg")
        post = {"member": self.cadre_a.pk, "points": "1", "reason": "抗洪抢险表彰", "evidence": "区委〔2026〕20号", "file": scan}
        self.assertEqual(self.client.post(f"/assessment/{self.scheme.pk}/inputs/", post).status_code, 302)
        item = Adjustment.objects.get(reason="抗洪抢险表彰")
        self.assertEqual(item.file.purpose, "assessment.adjustment")
        page = self.client.get(f"/assessment/{self.scheme.pk}/inputs/")
        self.assertContains(page, f"/files/{item.file.pk}/")
        before = Evidence.objects.count()
        refused = {**post, "evidence": "", "file": SimpleUploadedFile("b.jpg", jpeg(), content_type="image/jpeg")}
        self.assertEqual(self.client.post(f"/assessment/{self.scheme.pk}/inputs/", refused).status_code, 400)
        self.assertEqual(Evidence.objects.count(), before)
