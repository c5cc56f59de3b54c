"""Every role lands on its workbench after login: the work it can do now, in Chinese, never an error."""

from django.urls import reverse

from minping.accounts.models import ApiKey, User
from minping.audit.models import AuditEvent
from minping.imports.models import ImportJob
from minping.results.actions import close_campaign
from tests.base import BaseTestCase
from tests.evaluating import make_campaign


class WorkbenchTest(BaseTestCase):
    def personas(self):
        return [self.admin, self.organiser_a, self.office_a, self.cadre_user, self.grid_worker, self.handler, self.interviewer]

    def test_every_role_lands_on_a_chinese_workbench(self):
        self.assertEqual({p.role for p in self.personas()}, set(User.Role.values))
        for persona in self.personas():
            with self.subTest(role=persona.role):
                self.client.force_login(persona)
                page = self.client.get(reverse("home"))
                self.assertEqual(page.status_code, 200)
                self.assertContains(page, "我的工作台")

    def test_an_organiser_sees_campaigns_to_run_and_results_to_publish(self):
        draft, _group, _pairs = make_campaign(self, open_it=False)
        self.client.force_login(self.organiser_a)
        self.assertContains(self.client.get(reverse("home")), "草稿：添加测评对象")
        from minping.evaluations import actions

        campaign = actions.open_campaign(actor=self.organiser_a, campaign=draft)
        self.assertContains(self.client.get(reverse("home")), "投票中：发放测评码")
        close_campaign(actor=self.organiser_a, campaign=campaign)
        page = self.client.get(reverse("home"))
        self.assertContains(page, "投票已结束：核对并发布结果")
        self.assertContains(page, reverse("results:overview", args=[campaign.pk]))

    def test_another_districts_organiser_does_not_see_the_campaign(self):
        campaign, _group, _pairs = make_campaign(self)
        self.client.force_login(self.organiser_b)
        self.assertNotContains(self.client.get(reverse("home")), campaign.name)

    def test_an_interviewer_sees_campaigns_taking_telephone_interviews(self):
        campaign, _group, _pairs = make_campaign(self, channels=("phone",))
        self.client.force_login(self.interviewer)
        self.assertContains(self.client.get(reverse("home")), reverse("interview:campaign", args=[campaign.pk]))

    def test_a_cadre_sees_an_evaluation_of_them_under_way(self):
        campaign, _group, _pairs = make_campaign(self)
        self.client.force_login(self.cadre_user)
        self.assertContains(self.client.get(reverse("home")), reverse("evaluations:turnout", args=[campaign.pk]))

    def test_an_office_sees_its_own_imports_waiting(self):
        job = ImportJob.objects.create(register="residents", created_by=self.office_a, status=ImportJob.Status.VALID, original_name="r.csv")
        self.client.force_login(self.office_a)
        self.assertContains(self.client.get(reverse("home")), reverse("imports:job-detail", args=[job.pk]))
        self.client.force_login(self.organiser_a)
        self.assertNotContains(self.client.get(reverse("home")), str(job.pk))

    def test_a_user_without_a_region_is_told_so(self):
        lost = User.objects.create_user("lost", password="x", role=User.Role.GRID_WORKER)
        self.client.force_login(lost)
        self.assertContains(self.client.get(reverse("home")), "尚未分配区域")

    def test_login_lands_on_the_workbench(self):
        response = self.client.post(reverse("accounts:login"), {"username": "grid_a", "password": "x"})
        self.assertRedirects(response, reverse("home"))


class ApiKeyConsoleTest(BaseTestCase):
    def test_a_key_is_created_shown_once_and_revoked_with_audit_entries(self):
        self.client.force_login(self.organiser_a)
        page = self.client.post(reverse("accounts:api-keys"), {"name": "报表脚本"})
        self.assertEqual(page.status_code, 200)
        key = ApiKey.objects.get(user=self.organiser_a)
        self.assertContains(page, f"mp_{key.prefix}_")
        self.assertEqual(page["Cache-Control"], "no-store")
        self.assertNotContains(self.client.get(reverse("accounts:api-keys")), 'id="new-key"')
        created = AuditEvent.objects.get(action="apikey.create")
        self.assertEqual((created.actor, created.data["prefix"]), (self.organiser_a, key.prefix))
        self.client.post(reverse("accounts:api-key-revoke", args=[key.pk]))
        key.refresh_from_db()
        self.assertTrue(key.is_revoked)
        self.assertTrue(AuditEvent.objects.filter(action="apikey.revoke", actor=self.organiser_a).exists())

    def test_a_blank_name_is_refused_with_a_message(self):
        self.client.force_login(self.organiser_a)
        page = self.client.post(reverse("accounts:api-keys"), {"name": "  "})
        self.assertContains(page, "请填写 1 到 100 个字的密钥名称", status_code=400)
        self.assertFalse(ApiKey.objects.exists())

    def test_another_users_key_cannot_be_revoked(self):
        from tests.base import api_key

        api_key(user=self.organiser_b, name="b")
        self.client.force_login(self.organiser_a)
        other = ApiKey.objects.get(user=self.organiser_b)
        self.assertEqual(self.client.post(reverse("accounts:api-key-revoke", args=[other.pk])).status_code, 404)
        self.assertNotContains(self.client.get(reverse("accounts:api-keys")), other.prefix)

    def test_the_command_line_is_audited_too(self):
        from io import StringIO

        from django.core.management import call_command

        out = StringIO()
        call_command("apikey", "create", "org_a", "nightly", stdout=out)
        prefix = out.getvalue().split("_")[1]
        call_command("apikey", "revoke", prefix)
        self.assertEqual(
            list(AuditEvent.objects.order_by("seq").values_list("action", "actor_name")),
            [("apikey.create", "system"), ("apikey.revoke", "system")],
        )

    def test_roles_without_the_console_cannot_make_keys(self):
        self.client.force_login(self.grid_worker)
        self.assertEqual(self.client.get(reverse("accounts:api-keys")).status_code, 403)


class ErrorPagesTest(BaseTestCase):
    def test_a_page_outside_the_role_says_so_in_chinese_with_a_way_back(self):
        self.client.force_login(self.grid_worker)
        response = self.client.get(reverse("org:resident-list"))
        self.assertContains(response, "您的账号角色不能使用此页面", status_code=403)
        self.assertContains(response, "返回我的工作台", status_code=403)

    def test_a_missing_page_says_so_in_chinese(self):
        self.client.force_login(self.organiser_a)
        self.assertContains(self.client.get("/console/campaigns/999999/"), "页面不存在", status_code=404)


class WorkbenchOrderTest(BaseTestCase):
    def test_the_work_comes_before_notices_and_files(self):
        self.client.force_login(self.organiser_a)
        page = self.client.get(reverse("home")).content.decode()
        self.assertLess(page.index("待办测评活动"), page.index("正在公示的测评结果"))
        self.assertLess(page.index("正在公示的测评结果"), page.index("我的材料"))
