"""An officer of one district gets 403/404 on every object of another, and lists hold only their own."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.base import BaseTestCase


class ScopingTest(BaseTestCase):
    def detail_urls_of_district_a(self):
        return [
            reverse("org:region-detail", args=[self.community_a.pk]),
            reverse("org:region-children", args=[self.street_a.pk]),
            reverse("org:cadre-detail", args=[self.cadre_a.pk]),
            reverse("org:resident-list") + f"?region={self.grid_a.pk}",
            reverse("org:unit-list") + f"?region={self.street_a.pk}",
        ]

    def test_another_districts_organiser_gets_404_on_every_object(self):
        self.client.force_login(self.organiser_b)
        for url in self.detail_urls_of_district_a():
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)

    def test_another_districts_organiser_cannot_write(self):
        self.client.force_login(self.organiser_b)
        posts = [
            (reverse("org:region-create", args=[self.community_a.pk]), {"name": "x", "level": "grid"}),
            (reverse("org:region-rename", args=[self.community_a.pk]), {"name": "x"}),
            (reverse("org:region-move", args=[self.community_a.pk]), {"parent_path": "乙区/二街道"}),
        ]
        for url, data in posts:
            with self.subTest(url=url):
                self.assertEqual(self.client.post(url, data).status_code, 404)
        self.community_a.refresh_from_db()
        self.assertEqual(self.community_a.name, "光明社区")

    def test_the_own_organiser_sees_the_objects(self):
        self.client.force_login(self.organiser_a)
        for url in self.detail_urls_of_district_a():
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 200)

    def test_lists_hold_only_the_users_subtree(self):
        self.client.force_login(self.organiser_b)
        pages = {
            "org:resident-list": ("赵六", "张三"),
            "org:cadre-list": ("李书记", "王书记"),
            "org:enterprise-list": ("乙区商贸", "甲区科技"),
            "org:household-list": ("HB001", "HA001"),
            "org:unit-list": ("二街道派出所", "一街道派出所"),
        }
        for name, (own, foreign) in pages.items():
            with self.subTest(page=name):
                response = self.client.get(reverse(name))
                self.assertContains(response, own)
                self.assertNotContains(response, foreign)

    def test_searching_cannot_reach_outside_the_subtree(self):
        self.client.force_login(self.organiser_b)
        response = self.client.get(reverse("org:resident-list"), {"q": "张"})
        self.assertNotContains(response, "张三")

    def test_a_street_office_sees_its_street_but_not_the_rest_of_the_district(self):
        self.client.force_login(self.office_a)
        self.assertEqual(self.client.get(reverse("org:region-detail", args=[self.community_a.pk])).status_code, 200)
        self.assertEqual(self.client.get(reverse("org:region-detail", args=[self.other_street_a.pk])).status_code, 404)
        self.assertEqual(self.client.get(reverse("org:region-detail", args=[self.district_a.pk])).status_code, 404)

    def test_roles_without_the_console_are_sent_to_their_workbench_and_kept_out_of_registers(self):
        for user in (self.cadre_user, self.grid_worker, self.handler, self.interviewer):
            self.client.force_login(user)
            with self.subTest(user=user.username):
                self.assertRedirects(self.client.get(reverse("org:home")), reverse("home"))
                self.assertEqual(self.client.get(reverse("org:resident-list")).status_code, 403)

    def test_anonymous_visitors_are_sent_to_login(self):
        response = self.client.get(reverse("org:resident-list"))
        self.assertRedirects(response, reverse("accounts:login") + "?next=" + reverse("org:resident-list"))

    def test_the_administrator_sees_both_districts(self):
        self.client.force_login(self.admin)
        response = self.client.get(reverse("org:resident-list"))
        self.assertContains(response, "张三")
        self.assertContains(response, "赵六")

    def test_exports_hold_only_the_users_subtree(self):
        self.client.force_login(self.organiser_b)
        body = b"".join(self.client.get(reverse("imports:export", args=["residents", "csv"])).streaming_content)
        self.assertIn("赵六".encode(), body)
        self.assertNotIn("张三".encode(), body)

    def test_another_users_import_job_is_404(self):
        from minping.imports.models import ImportJob

        job = ImportJob.objects.create(register="residents", created_by=self.organiser_a, original_name="a.csv", format="csv")
        self.client.force_login(self.organiser_b)
        self.assertEqual(self.client.get(reverse("imports:job-detail", args=[job.pk])).status_code, 404)
        self.assertEqual(self.client.post(reverse("imports:job-commit", args=[job.pk])).status_code, 404)

    def test_list_pages_use_a_fixed_number_of_queries(self):
        self.client.force_login(self.organiser_a)
        for name in ("org:resident-list", "org:cadre-list", "org:enterprise-list", "org:household-list", "org:unit-list"):
            with self.subTest(page=name), CaptureQueriesContext(connection) as queries:
                self.client.get(reverse(name))
            # the session and its user are read in one statement, counted here
            self.assertEqual(len(queries.captured_queries), 4, name)
