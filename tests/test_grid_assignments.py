"""A street office puts grid workers and cadres on grids from the console, moves them and ends their time there;
a cadre taking a grid over (我当网格员) works it for those days only, and the work is counted to them."""

import datetime as dt

from django.urls import reverse

from minping.accounts.models import User
from minping.audit.models import AuditEvent
from minping.grid import actions
from minping.grid.models import Assignment, Category, Team
from tests.base import make_region
from tests.importing import ImportMixin, csv_bytes
from tests.test_grid import GridTestCase

DAY = GridTestCase.pinned_day


class AssignmentPagesTest(GridTestCase):
    def setUp(self):
        self.grid_a2 = make_region("第2网格", "grid", self.community_a)
        self.newcomer = User.objects.create_user("newcomer", password="x", role=User.Role.GRID_WORKER, region=self.community_a)
        self.page = reverse("grid:assignments")
        self.client.force_login(self.office_a)

    def test_a_new_grid_worker_is_put_on_a_grid_moved_and_taken_off_from_the_console(self):
        self.assertEqual(self.worker_client().get(reverse("grid:field")).status_code, 403)  # no grid yet
        self.assertContains(self.worker_client().get("/"), "您还没有负责的网格")  # their home says so, and who assigns
        self.client.post(self.page, {"grid": self.grid_a.pk, "username": "newcomer", "starts_on": DAY.isoformat()})
        self.assertEqual(self.worker_client().get(reverse("grid:field")).status_code, 200)
        assignment = Assignment.objects.get(worker=self.newcomer)
        self.assertContains(self.client.get(self.page), f"assignment-{assignment.pk}")
        move = {"step": "move", "assignment": assignment.pk, "grid": self.grid_a2.pk, "on": (DAY + dt.timedelta(days=1)).isoformat()}
        self.assertContains(self.client.post(self.page, {**move, "on": DAY.isoformat()}, follow=True), "调整日期应在原分配的期间之内")
        self.client.post(self.page, move)
        assignment.refresh_from_db()
        moved = Assignment.objects.get(worker=self.newcomer, grid=self.grid_a2)
        self.assertEqual((assignment.ends_on, moved.starts_on), (DAY, DAY + dt.timedelta(days=1)))
        self.client.post(self.page, {"step": "end", "assignment": moved.pk, "ends_on": "2026-11-30"})
        moved.refresh_from_db()
        self.assertEqual(moved.ends_on, dt.date(2026, 11, 30))
        self.assertEqual(
            list(
                AuditEvent.objects.filter(action__in=["grid.assign", "grid.move", "grid.unassign"])
                .order_by("seq")
                .values_list("action", flat=True)
            )[-4:],
            ["grid.assign", "grid.unassign", "grid.move", "grid.unassign"],
        )

    def test_refusals_name_the_field_and_keep_nothing(self):
        refused = self.client.post(self.page, {"grid": self.grid_a.pk, "username": "nobody", "starts_on": DAY.isoformat()}, follow=True)
        self.assertContains(refused, "找不到账号“nobody”")
        far = User.objects.create_user("far", password="x", role=User.Role.GRID_WORKER, region=self.community_b)
        refused = self.client.post(self.page, {"grid": self.grid_a.pk, "username": far.username, "starts_on": DAY.isoformat()}, follow=True)
        self.assertContains(refused, "该人员不属于这个网格所在的社区")
        twice = self.client.post(self.page, {"grid": self.grid_a.pk, "username": "grid_a", "starts_on": DAY.isoformat()}, follow=True)
        self.assertContains(twice, "在这段时间已经负责这个网格")
        self.assertEqual(Assignment.objects.count(), 1)  # the one of the test case

    def test_team_members_are_added_and_removed_by_name(self):
        team = actions.create_team(actor=self.office_a, community=self.community_a, name="幸福组团", grids=[self.grid_a], members=[])
        self.client.post(reverse("grid:teams"), {"step": "join", "team": team.pk, "username": "newcomer"})
        self.assertEqual(list(Team.objects.get().members.all()), [self.newcomer])
        self.client.post(reverse("grid:teams"), {"step": "leave", "team": team.pk, "username": "newcomer"})
        self.assertFalse(Team.objects.get().members.exists())

    def worker_client(self):
        from django.test import Client

        client = Client()
        client.force_login(self.newcomer)
        return client


class GridDaysTest(GridTestCase):
    def test_a_cadres_grid_days_are_theirs_only_for_the_period_and_counted_to_them(self):
        self.client.force_login(self.office_a)
        end = DAY + dt.timedelta(days=2)
        self.client.post(
            reverse("grid:assignments"),
            {
                "grid": self.grid_a.pk,
                "username": "cadre_a",
                "starts_on": DAY.isoformat(),
                "ends_on": end.isoformat(),
                "secondment": "1",
                "target_visits": "4",
            },
        )
        cadre = self.cadre_user
        actions.record_visit(actor=cadre, household=self.household_a, visited_on=DAY, address="幸福路1号之一")
        actions.record_visit(actor=cadre, household=self.household_a2, visited_on=DAY)
        actions.report_problem(
            actor=cadre, category=Category.objects.get(code="safety"), region=self.grid_a, address="幸福路2号", description="楼道堆放杂物"
        )
        page = self.client.get(reverse("grid:assignments")).content.decode()
        self.assertIn("走访 2 户次，采集信息 1 条，发现问题 1 个（其中安全隐患 1 个）", page)
        self.assertIn("目标 4 户次", page)
        self.client.force_login(cadre)
        self.assertContains(self.client.get("/"), "已走访 2 户次（目标 4）")
        self.assertEqual(self.client.get(reverse("grid:due", args=[self.grid_a.pk])).status_code, 200)
        from tests.clock import pinned

        with pinned(end + dt.timedelta(days=1)):
            self.assertEqual(self.client.get(reverse("grid:due", args=[self.grid_a.pk])).status_code, 404)  # the days are over
            self.assertEqual(self.client.get(reverse("grid:field")).status_code, 403)

    def test_a_street_tasks_secondees_are_shown_by_name_and_its_button_says_task(self):
        task = actions.create_task(
            actor=self.office_a,
            region=self.street_a,
            name="土地整备",
            target="完成整备",
            baseline="30",
            starts_on=DAY,
            ends_on=DAY + dt.timedelta(days=30),
        )
        actions.second_cadre(actor=self.office_a, task=task, cadre=self.cadre_user, starts_on=DAY, ends_on=DAY + dt.timedelta(days=30))
        self.client.force_login(self.cadre_user)
        page = self.client.get(reverse("grid:task", args=[task.pk]))
        self.assertContains(page, self.cadre_a.name)
        self.assertContains(page, "记录任务进展")
        self.assertNotContains(page, "记录践诺进展")


class AssignmentImportTest(ImportMixin, GridTestCase):
    HEADER = ["网格", "账号", "开始日期", "结束日期", "类型", "目标走访户次"]

    def test_grid_assignments_are_imported_from_a_sheet_with_each_row_checked(self):
        User.objects.create_user("newcomer", password="x", role=User.Role.GRID_WORKER, region=self.community_a)
        grid = "甲区/一街道/光明社区/第1网格"
        self.client.force_login(self.office_a)
        bad = [self.HEADER, [grid, "nobody", "2026-12-01", "", "网格员", ""], [grid, "newcomer", "2026-12-01", "2026-11-01", "网格员", ""]]
        job = self.upload("grid_assignments", csv_bytes(bad), "bad.csv")
        self.assertEqual(job.status, "invalid")
        self.assertEqual([p["reason"] for p in job.problems], ["找不到账号“nobody”", "结束日期不能早于开始日期"])
        good = [
            self.HEADER,
            [grid, "newcomer", "2026-12-01", "", "网格员", ""],
            [grid, "cadre_a", "2026-12-01", "2026-12-03", "我当网格员", "30"],
        ]
        job = self.import_file("grid_assignments", csv_bytes(good), "good.csv")
        self.assertEqual((job.status, job.result), ("done", {"created": 2, "updated": 0, "unchanged": 0}))
        days = Assignment.objects.get(worker=self.cadre_user)
        self.assertEqual((days.is_secondment, days.target_visits, days.ends_on), (True, 30, dt.date(2026, 12, 3)))
        again = self.import_file("grid_assignments", csv_bytes(good), "again.csv")
        self.assertEqual(again.result, {"created": 0, "updated": 0, "unchanged": 2})
