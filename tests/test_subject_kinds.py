"""Subjects of any registered kind: the registry, a kind no module registered, and the migration from the cadre,
unit and region foreign keys, which leaves every result of the demo campaigns as it was."""

import json

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TransactionTestCase
from django.urls import reverse

from minping.accounts.models import User
from minping.evaluations import actions
from minping.evaluations import subjects as subject_kinds
from minping.evaluations.models import Campaign, Subject
from minping.org.models import Enterprise
from minping.results.api import results_out
from minping.results.figures import subject_figures
from minping.results.tally import verify
from tests.base import BaseTestCase
from tests.evaluating import make_campaign


def _describe_enterprise(enterprise):
    return subject_kinds.Description(enterprise.name, "企业", "企业", enterprise.region)


ENTERPRISE = subject_kinds.SubjectKind(
    "test_enterprise", "企业", Enterprise, _describe_enterprise, lambda region: Enterprise.objects.within(region)
)


class SubjectKindTest(BaseTestCase):
    def test_a_registered_kind_is_evaluated_like_a_cadre(self):
        subject_kinds.register(ENTERPRISE)
        self.addCleanup(subject_kinds.KINDS.pop, ENTERPRISE.key)
        campaign, _group, _pairs = make_campaign(self, open_it=False)
        actions.add_subjects(actor=self.organiser_a, campaign=campaign, subjects=[self.enterprise_a])
        subject = campaign.subjects.get(kind="test_enterprise")
        self.assertEqual((subject.ref, subject.label, subject.region), (self.enterprise_a.pk, "甲区科技有限公司", self.community_a))

    def test_a_kind_no_module_registered_is_refused(self):
        campaign, _group, _pairs = make_campaign(self, open_it=False)
        with self.assertRaisesMessage(ValidationError, "未登记的测评对象类型"):
            actions.add_subjects(actor=self.organiser_a, campaign=campaign, subjects=[self.enterprise_a])
        with self.assertRaisesMessage(ValidationError, "未登记的测评对象类型：grid_patrol"):
            actions.subject_records(campaign, {"grid_patrol": [1]})

    def test_the_api_refuses_an_unregistered_kind_with_422(self):
        from tests.base import api_key as create_api_key

        campaign, _group, _pairs = make_campaign(self, open_it=False)
        key = create_api_key(user=self.organiser_a, name="t")
        response = self.client.post(
            f"/api/campaigns/{campaign.pk}/subjects",
            {"items": [{"kind": "nope", "id": 1}]},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )
        self.assertEqual(response.status_code, 422, response.content)

    def test_a_record_outside_the_campaign_region_is_refused(self):
        campaign, _group, _pairs = make_campaign(self, open_it=False)
        with self.assertRaisesMessage(ValidationError, "不在本次测评的区域内"):
            actions.add_subjects(actor=self.organiser_a, campaign=campaign, subjects=[self.cadre_b])

    def test_the_console_adds_cadres_by_kind_and_skips_repeats(self):
        campaign, _group, _pairs = make_campaign(self, open_it=False)
        self.client.force_login(self.organiser_a)
        for _ in range(2):
            self.client.post(reverse("evaluations:subjects-add", args=[campaign.pk]), {"cadre": [self.cadre_a.pk]})
        self.assertEqual(list(campaign.subjects.values_list("kind", "ref")), [("cadre", self.cadre_a.pk)])


def _snapshot() -> str:
    """Everything a reader sees of every closed campaign: the ranking and each subject's figures."""
    out = []
    for campaign in Campaign.objects.exclude(status__in=["draft", "open"]).order_by("pk"):
        self_check = verify(campaign)
        subjects = list(campaign.subjects.order_by("pk"))
        figures = [repr(item) for item in subject_figures(campaign, subjects)]  # every figure, interval and cell
        out.append(
            {
                "results": results_out(campaign),
                "verify": self_check,
                "figures": figures,
                "subjects": list(campaign.subjects.order_by("pk").values("pk", "kind", "ref", "label", "detail", "category")),
            }
        )
    return json.dumps(out, ensure_ascii=False, sort_keys=True, default=str)


class SubjectMigrationTest(TransactionTestCase):
    def test_the_demo_campaigns_results_are_the_same_before_and_after_the_migration(self):
        from minping.demo.campaigns import seed_campaigns
        from minping.demo.management.commands.demo import demo_users
        from minping.demo.seed import seed_district

        district = seed_district(residents=300)
        demo_users(district)
        seed_campaigns(actor=User.objects.get(username="organiser"), district=district)
        self.assertEqual(Campaign.objects.exclude(status__in=["draft", "open"]).count(), 4)
        before = _snapshot()
        refs = dict(Subject.objects.filter(kind="cadre").values_list("pk", "ref"))

        executor = MigrationExecutor(connection)
        executor.migrate([("evaluations", "0005_fewer_indexes")])
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, cadre_id FROM evaluations_subject WHERE kind = 'cadre'")
            self.assertEqual(dict(cursor.fetchall()), refs)  # the old shape, filled from the new
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

        self.assertEqual(_snapshot(), before)
