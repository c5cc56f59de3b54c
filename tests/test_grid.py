"""Grid governance: assignments and the visit cycle, visits recorded once however often they are sent, problems
routed to departments or held for dispatch, their whole lifecycle with the rules of who may act, escalation of
late problems, and the departments' scorecards computed from the records."""

import datetime as dt
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from minping.accounts.models import User
from minping.audit.models import AuditEvent
from minping.evidence.models import Evidence
from minping.grid import actions, jobs, scorecards
from minping.grid.models import Category, Problem, Step, Visit
from minping.org.models import Household, Unit
from tests.base import BaseTestCase
from tests.clock import PinnedClock
from tests.test_evidence import photo

TODAY = timezone.localdate


class GridTestCase(PinnedClock, BaseTestCase):
    pinned_day = dt.date(2026, 11, 18)  # a Wednesday: the week's due list runs from Monday 16 to Sunday 22 November

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        actions.assign_worker(actor=cls.office_a, grid=cls.grid_a, worker=cls.grid_worker, starts_on=dt.date(2025, 1, 1))
        cls.household_a2 = Household.objects.create(code="HA002", address="幸福路2号", region=cls.grid_a)
        cls.lamps = Category.objects.get(code="facilities")
        cls.dispute = Category.objects.get(code="dispute")
        cls.urban = Unit.objects.create(name="一街道城管中队", kind="station", region=cls.street_a)
        actions.save_route(actor=cls.organiser_a, category=cls.lamps, region=cls.street_a, unit=cls.urban)
        cls.other_handler = User.objects.create_user("handler_x", password="x", role="handler", region=cls.street_a, unit=cls.unit_a)
        cls.urban_handler = User.objects.create_user("handler_u", password="x", role="handler", region=cls.district_a, unit=cls.urban)

    def report(self, category=None, **kwargs):
        problem, _created = actions.report_problem(
            actor=self.grid_worker,
            category=category or self.lamps,
            region=self.grid_a,
            address="幸福路3号",
            description="路灯不亮",
            **kwargs,
        )
        return problem


class VisitTest(GridTestCase):
    def test_the_due_list_puts_the_longest_unvisited_first_and_drops_those_visited(self):
        today = TODAY()
        actions.record_visit(actor=self.grid_worker, household=self.household_a, visited_on=today)
        due = list(actions.due_households([self.grid_a.pk], today, 7))
        self.assertEqual(due, [self.household_a2])
        self.client.force_login(self.grid_worker)
        home = self.client.get("/")
        self.assertContains(home, "本周有 1 户待走访")
        page = self.client.get(reverse("grid:due", args=[self.grid_a.pk]))
        self.assertContains(page, "HA002")
        self.assertNotContains(page, "HA001")

    def test_the_due_list_says_how_long_a_household_is_overdue_and_lists_it_first(self):
        """Visited three weeks ago on a 7-day cycle: 14 days overdue, above one due this Thursday."""
        actions.record_visit(actor=self.grid_worker, household=self.household_a, visited_on=dt.date(2026, 10, 28))
        actions.record_visit(actor=self.grid_worker, household=self.household_a2, visited_on=dt.date(2026, 11, 12))
        self.client.force_login(self.grid_worker)
        page = self.client.get(reverse("grid:due", args=[self.grid_a.pk])).content.decode()
        overdue, this_week = page.index("已逾期 14 天"), page.index("本周内到期（11月19日）")
        self.assertLess(page.index("HA001"), overdue)
        self.assertLess(overdue, page.index("HA002"))
        self.assertLess(page.index("HA002"), this_week)

    def test_a_visit_sent_twice_is_stored_once_and_other_content_under_its_id_is_refused(self):
        client_id = uuid.uuid4()
        first, created = actions.record_visit(
            actor=self.grid_worker, household=self.household_a, visited_on=TODAY(), notes="家中一切正常", client_id=client_id
        )
        again, created_again = actions.record_visit(
            actor=self.grid_worker, household=self.household_a, visited_on=TODAY(), notes="家中一切正常", client_id=str(client_id)
        )
        self.assertEqual((created, created_again, first.pk, Visit.objects.count()), (True, False, again.pk, 1))
        with self.assertRaisesMessage(ValidationError, "已用不同的内容保存过"):
            actions.record_visit(
                actor=self.grid_worker, household=self.household_a, visited_on=TODAY(), notes="另一户的情况", client_id=client_id
            )
        self.assertEqual(Visit.objects.get().notes, "家中一切正常")

    def test_a_visit_applies_a_changed_address_through_the_registry(self):
        visit, _created = actions.record_visit(
            actor=self.grid_worker, household=self.household_a, visited_on=TODAY(), address="幸福路1号之一"
        )
        self.household_a.refresh_from_db()
        self.assertEqual(self.household_a.address, "幸福路1号之一")
        self.assertEqual(visit.changes, {"address": ["幸福路1号", "幸福路1号之一"]})
        self.assertTrue(AuditEvent.objects.filter(action="household.update").exists())

    def test_bad_visits_are_refused(self):
        with self.assertRaisesMessage(PermissionDenied, "不在您负责的网格内"):
            actions.record_visit(actor=self.grid_worker, household=self.household_b, visited_on=TODAY())
        with self.assertRaisesMessage(ValidationError, "不能晚于今天"):
            actions.record_visit(actor=self.grid_worker, household=self.household_a, visited_on=TODAY() + dt.timedelta(days=1))
        with self.assertRaisesMessage(ValidationError, "只能补记 30 天内"):
            actions.record_visit(actor=self.grid_worker, household=self.household_a, visited_on=TODAY() - dt.timedelta(days=31))
        with self.assertRaisesMessage(ValidationError, "记录编号格式不正确"):
            actions.record_visit(actor=self.grid_worker, household=self.household_a, visited_on=TODAY(), client_id="not-an-id")
        self.assertFalse(Visit.objects.exists())
        self.client.force_login(self.grid_worker)
        response = self.client.post(
            reverse("grid:visit"),
            {"household": self.household_b.pk, "grid": self.grid_a.pk, "visited_on": TODAY().isoformat()},
            follow=True,
        )
        self.assertContains(response, "不在您负责的网格内")

    def test_a_cadre_taking_over_a_grid_for_a_day_works_it_with_the_same_tools(self):
        secondee = User.objects.create_user("secondee", password="x", role="cadre", region=self.community_a)
        actions.assign_worker(actor=self.office_a, grid=self.grid_a, worker=secondee, starts_on=TODAY(), ends_on=TODAY(), secondment=True)
        visit, _created = actions.record_visit(actor=secondee, household=self.household_a2, visited_on=TODAY())
        self.assertEqual(visit.worker, secondee)
        with self.assertRaises(PermissionDenied):
            actions.record_visit(actor=secondee, household=self.household_a, visited_on=TODAY() - dt.timedelta(days=1))


class ProblemLifecycleTest(GridTestCase):
    def test_a_problems_whole_life(self):
        problem = self.report(files=[SimpleUploadedFile("灯.jpg", photo())])
        self.assertEqual((problem.status, problem.unit), ("dispatched", self.urban))
        self.assertEqual(problem.receive_by - problem.dispatched_at, dt.timedelta(hours=24))
        with self.assertRaisesMessage(PermissionDenied, "不是派给您单位的"):
            actions.receive_problem(actor=self.handler, problem=problem)  # another department
        actions.receive_problem(actor=self.urban_handler, problem=problem)
        actions.start_handling(actor=self.urban_handler, problem=problem)
        with self.assertRaisesMessage(ValidationError, "须上传现场照片"):
            actions.resolve_problem(actor=self.urban_handler, problem=problem, note="已修复")
        actions.resolve_problem(
            actor=self.urban_handler, problem=problem, note="已更换灯泡", files=[SimpleUploadedFile("修好.jpg", photo())]
        )
        with self.assertRaisesMessage(PermissionDenied, "只有上报人"):
            actions.confirm_fix(actor=self.urban_handler, problem=problem)
        actions.reopen_problem(actor=self.grid_worker, problem=problem, reason="还是不亮")
        actions.resolve_problem(actor=self.urban_handler, problem=problem, note="更换线路", files=[SimpleUploadedFile("线路.jpg", photo())])
        problem = actions.confirm_fix(actor=self.grid_worker, problem=problem)
        self.assertEqual((problem.status, problem.reopened), ("confirmed", 1))
        with self.assertRaisesMessage(ValidationError, "已结案的事件不能再确认"):
            actions.confirm_fix(actor=self.grid_worker, problem=problem)
        self.assertEqual(
            list(problem.steps.values_list("action", flat=True)),
            ["report", "dispatch", "receive", "handle", "resolve", "reopen", "resolve", "confirm"],
        )
        self.assertTrue(all(s.actor_id or s.action == "dispatch" for s in problem.steps.all()))
        self.assertEqual(Evidence.objects.count(), 3)

    def test_a_problem_without_a_route_waits_for_dispatch_and_can_be_sent_back(self):
        problem = self.report(category=self.dispute)
        self.assertEqual((problem.status, problem.unit), ("triage", None))
        self.client.force_login(self.office_a)
        self.assertContains(self.client.get("/"), "1 个事件待分派")
        actions.dispatch_problem(actor=self.office_a, problem=problem, unit=self.unit_a)
        with self.assertRaises(PermissionDenied):
            actions.dispatch_problem(actor=self.organiser_b, problem=problem, unit=self.unit_b)
        problem = actions.return_problem(actor=self.handler, problem=problem, reason="不属于派出所职责")
        self.assertEqual((problem.status, problem.unit, problem.returned), ("triage", None, 1))
        problem = actions.dispatch_problem(actor=self.office_a, problem=problem, unit=self.urban)
        self.assertEqual(problem.unit, self.urban)

    def test_a_problem_sent_twice_is_stored_once_and_duplicates_merge(self):
        client_id = uuid.uuid4()
        first = self.report(client_id=client_id)
        again = self.report(client_id=client_id)
        self.assertEqual((first.pk, Problem.objects.count()), (again.pk, 1))
        duplicate = self.report()
        actions.merge_problem(actor=self.office_a, problem=duplicate, into=first)
        duplicate.refresh_from_db()
        self.assertEqual((duplicate.status, duplicate.merged_into), ("merged", first))

    def test_bad_reports_and_photos_are_refused_and_nothing_is_kept(self):
        cases = [
            ({"files": [SimpleUploadedFile("a.jpg", b"MZ\x90\x00" + b"\x00" * 64)]}, "不接受可执行程序"),
            ({"lat": "abc", "lon": "1"}, "经纬度应为数字"),
            ({"lat": "91", "lon": "120"}, "经纬度超出范围"),
        ]
        for kwargs, message in cases:
            with self.subTest(message=message), self.assertRaisesMessage(ValidationError, message):
                self.report(**kwargs)
        with override_settings(EVIDENCE_MAX_BYTES=500), self.assertRaisesMessage(ValidationError, "文件超过"):
            self.report(files=[SimpleUploadedFile("大.jpg", photo())])
        self.assertFalse(Problem.objects.exists())
        self.assertFalse(Evidence.objects.exists())

    def test_a_handler_sees_only_the_problems_of_the_department(self):
        routed = self.report()
        self.client.force_login(self.handler)
        self.assertEqual(self.client.get(reverse("grid:problem", args=[routed.pk])).status_code, 404)
        self.assertNotContains(self.client.get(reverse("grid:problems")), "幸福路3号")
        self.client.force_login(self.urban_handler)
        self.assertContains(self.client.get(reverse("grid:problems")), "幸福路3号")
        self.assertContains(self.client.get("/"), "幸福路3号")
        response = self.client.post(reverse("grid:problem", args=[routed.pk]), {"step": "receive"}, follow=True)
        self.assertContains(response, "已签收")


class EscalationTest(GridTestCase):
    def test_late_problems_escalate_once_per_deadline(self):
        problem = self.report()
        Problem.objects.filter(pk=problem.pk).update(receive_by=timezone.now() - dt.timedelta(hours=1))
        self.assertEqual(jobs.escalate()["escalated"], 1)
        self.assertEqual(jobs.escalate()["escalated"], 0)
        Problem.objects.filter(pk=problem.pk).update(resolve_by=timezone.now() - dt.timedelta(hours=1))
        self.assertEqual(jobs.escalate()["escalated"], 1)
        self.assertEqual(jobs.escalate()["escalated"], 0)
        self.assertEqual(Step.objects.filter(problem=problem, action="escalate").count(), 2)
        from minping.audit.models import AuditEvent

        escalations = AuditEvent.objects.filter(action="problem.escalate", object_id=str(problem.pk)).order_by("seq")
        self.assertEqual([e.data["note"] for e in escalations], ["超时未签收，已升级督办", "超时未办结，已升级督办"])
        self.client.force_login(self.office_a)
        self.assertContains(self.client.get("/"), "1 个事件超时")

    def test_escalation_texts_those_with_a_mobile_number_and_mails_the_others(self):
        from django.core import mail

        from minping.notifications.models import SentMessage
        from tests.gateway import Gateway

        User.objects.filter(pk=self.urban_handler.pk).update(phone="13800138000")
        User.objects.filter(pk=self.office_a.pk).update(email="office@example.cn")
        problem = self.report()
        Problem.objects.filter(pk=problem.pk).update(receive_by=timezone.now() - dt.timedelta(hours=1))
        with Gateway() as received, override_settings(EMAIL_HOST="mail.example.cn"):
            self.assertEqual(jobs.escalate(), {"escalated": 1, "sent": 2})
        self.assertEqual([(m["phone"], "超时未签收" in m["text"]) for m in received], [("13800138000", True)])
        self.assertEqual([m.to for m in mail.outbox], [["office@example.cn"]])
        self.assertEqual(
            sorted(SentMessage.objects.values_list("channel", "recipient", "status")),
            [("email", "office_a", "sent"), ("email", "org_a", "skipped"), ("sms", "handler_u", "sent")],
        )

    def test_a_mobile_number_must_be_one(self):
        self.grid_worker.phone = "12345"
        with self.assertRaisesMessage(ValidationError, "11"):
            self.grid_worker.full_clean()
        self.grid_worker.phone = "+86 138 0013 8000"
        self.grid_worker.full_clean()
        self.assertEqual(self.grid_worker.phone, "13800138000")


class ScorecardTest(GridTestCase):
    def test_the_rates_reproduce_from_the_records(self):
        on_time, late, _open, returned = (self.report() for _ in range(4))
        for problem in (on_time, late):
            actions.receive_problem(actor=self.urban_handler, problem=problem)
            actions.resolve_problem(actor=self.urban_handler, problem=problem, note="好了", files=[SimpleUploadedFile("x.jpg", photo())])
        Problem.objects.filter(pk=late.pk).update(
            resolve_by=timezone.now() - dt.timedelta(days=1), received_at=timezone.now() + dt.timedelta(days=2)
        )
        actions.confirm_fix(actor=self.grid_worker, problem=Problem.objects.get(pk=on_time.pk))
        actions.return_problem(actor=self.urban_handler, problem=returned, reason="不是我们的")
        start = timezone.now() - dt.timedelta(days=1)
        card = scorecards.scorecard([self.urban], start, timezone.now() + dt.timedelta(days=1))[self.urban.pk]
        self.assertEqual(card["dispatched"], 4)
        self.assertEqual((card["及时签收率"].k, card["及时签收率"].n), (1, 4))
        self.assertEqual((card["按时办结率"].k, card["结案率"].k, card["回退率"].k), (1, 1, 1))
        self.assertEqual((card["重办率"].k, card["重办率"].n), (0, 2))
        self.client.force_login(self.organiser_a)
        page = self.client.get(reverse("grid:scorecards"), {"unit": self.urban.pk})
        self.assertContains(page, "25.0%")
        elsewhere = self.client.get(reverse("grid:scorecards"), {"region": self.other_street_a.pk})
        self.assertNotContains(elsewhere, "25.0%")  # no problem of 三街道
        self.assertContains(self.client.get(reverse("grid:scorecards"), {"region": self.street_a.pk}), "25.0%")
        self.assertContains(page, "<svg")


class SecondmentTest(GridTestCase):
    def test_a_cadre_seconded_to_a_street_task_records_its_progress(self):
        secondee = User.objects.create_user("secondee", password="x", role="cadre", region=self.community_a)
        task = actions.create_task(
            actor=self.office_a,
            region=self.street_a,
            name="土地整备",
            target="完成全年土地整备任务",
            baseline="30",
            starts_on=TODAY(),
            ends_on=TODAY() + dt.timedelta(days=90),
        )
        with self.assertRaisesMessage(PermissionDenied, "不在这项任务的抽调期内"):
            actions.report_task_progress(actor=secondee, task=task, percent="40", note="入户走访")
        with self.assertRaisesMessage(ValidationError, "抽调期应在任务期内"):
            actions.second_cadre(
                actor=self.office_a, task=task, cadre=secondee, starts_on=TODAY(), ends_on=TODAY() + dt.timedelta(days=200)
            )
        other_district = User.objects.create_user("far", password="x", role="cadre", region=self.community_b)
        with self.assertRaisesMessage(ValidationError, "不在本区县"):
            actions.second_cadre(actor=self.office_a, task=task, cadre=other_district, starts_on=TODAY(), ends_on=TODAY())
        actions.second_cadre(actor=self.office_a, task=task, cadre=secondee, starts_on=TODAY(), ends_on=TODAY() + dt.timedelta(days=90))
        actions.report_task_progress(actor=secondee, task=task, percent="83", note="协助完成拆迁谈判")
        task.refresh_from_db()
        self.assertEqual((task.baseline, task.progress, task.updates.get().added_by), (30, 83, secondee))
        self.client.force_login(secondee)
        self.assertContains(self.client.get("/"), "土地整备")
        self.assertContains(self.client.get(reverse("grid:task", args=[task.pk])), "30% → 83%")
        self.client.force_login(self.handler)
        self.assertEqual(self.client.get(reverse("grid:task", args=[task.pk])).status_code, 404)


class CallbackTest(GridTestCase):
    def test_residents_rate_the_departments_anonymously_and_the_rate_enters_the_scorecard(self):
        from minping.evaluations import actions as evaluations
        from minping.evaluations.actions import casting
        from minping.results.actions import close_campaign

        problems = [self.report() for _ in range(6)]
        for problem in problems:
            actions.receive_problem(actor=self.urban_handler, problem=problem)
            actions.resolve_problem(actor=self.urban_handler, problem=problem, note="好了", files=[SimpleUploadedFile("x.jpg", photo())])
            actions.confirm_fix(actor=self.grid_worker, problem=Problem.objects.get(pk=problem.pk))
        with self.assertRaisesMessage(ValidationError, "没有结案的事件"):
            actions.open_callbacks(
                actor=self.office_a, region=self.street_a, start=TODAY() - dt.timedelta(days=60), end=TODAY() - dt.timedelta(days=30)
            )
        campaign, pairs = actions.open_callbacks(actor=self.office_a, region=self.street_a, start=TODAY(), end=TODAY())
        self.assertEqual((list(campaign.subjects.values_list("kind", "ref")), len(pairs)), ([("unit", self.urban.pk)], 6))
        campaign = evaluations.open_campaign(actor=self.office_a, campaign=campaign)
        subject = campaign.subjects.get()
        for n, (token, _short) in enumerate(pairs):
            casting.cast_ballot(
                campaign=campaign,
                code=token,
                answers={"subjects": {str(subject.pk): {"result": "dissatisfied" if n == 0 else "satisfied"}}},
            )
        close_campaign(actor=self.office_a, campaign=campaign)
        card = scorecards.scorecard([self.urban], timezone.now() - dt.timedelta(days=1), timezone.now() + dt.timedelta(days=1))[
            self.urban.pk
        ]
        self.assertEqual((card["回访满意率"].k, card["回访满意率"].n), (5, 6))
        self.client.force_login(self.organiser_a)
        self.assertContains(self.client.get(reverse("grid:scorecards")), "83.3%")
        response = self.client.post(
            reverse("grid:callbacks"), {"region": self.street_a.pk, "start": TODAY().isoformat(), "end": TODAY().isoformat()}, follow=True
        )
        self.assertContains(response, "发放 6 个测评码")


class TeamTest(GridTestCase):
    def test_a_team_serves_grids_of_one_community(self):
        from minping.grid.models import Team
        from tests.base import make_region

        second = make_region("第2网格", "grid", self.community_a)
        team = actions.create_team(
            actor=self.office_a,
            community=self.community_a,
            name="光明一组团",
            grids=[self.grid_a, second],
            members=[self.grid_worker, self.cadre_user],
        )
        self.assertEqual(set(team.grids.all()), {self.grid_a, second})
        with self.assertRaisesMessage(ValidationError, "请选择本社区的网格"):
            actions.create_team(actor=self.office_a, community=self.community_a, name="二组团", grids=[self.community_a], members=[])
        with self.assertRaisesMessage(ValidationError, "已有名为"):
            actions.create_team(actor=self.office_a, community=self.community_a, name="光明一组团", grids=[second], members=[])
        with self.assertRaises(PermissionDenied):
            actions.create_team(actor=self.organiser_b, community=self.community_a, name="三组团", grids=[second], members=[])
        self.client.force_login(self.office_a)
        response = self.client.post(
            reverse("grid:teams"),
            {"region": self.community_a.pk, "name": "四组团", "grids": [second.pk], "members": "grid_a，nobody"},
            follow=True,
        )
        self.assertContains(response, "有的账号不存在：nobody")
        self.assertEqual(Team.objects.count(), 1)


class SiteTest(GridTestCase):
    def test_a_grid_worker_records_the_sites_of_the_grid(self):
        from minping.grid.models import Site

        self.client.force_login(self.grid_worker)
        response = self.client.post(
            reverse("grid:due", args=[self.grid_a.pk]), {"name": "幸福小吃店", "kind": "small_venue", "address": "幸福路5号"}, follow=True
        )
        self.assertContains(response, "幸福小吃店")
        response = self.client.post(reverse("grid:due", args=[self.grid_a.pk]), {"name": "", "kind": "shop"}, follow=True)
        self.assertContains(response, "请填写名称")
        with self.assertRaises(PermissionDenied):
            actions.add_site(actor=self.organiser_b, grid=self.grid_a, name="外区", kind="shop")
        self.assertEqual(list(Site.objects.values_list("name", "grid")), [("幸福小吃店", self.grid_a.pk)])

    def test_sites_are_on_the_visit_cycle_and_a_visit_updates_their_record(self):
        from minping.grid.models import Site

        shop = actions.add_site(actor=self.grid_worker, grid=self.grid_a, name="幸福小吃店", kind="small_venue", address="幸福路5号")
        self.assertEqual(list(actions.due_sites([self.grid_a.pk], TODAY(), 7)), [shop])
        self.client.force_login(self.grid_worker)
        self.assertContains(self.client.get("/"), "本周有 2 户、1 处场所待走访")
        page = self.client.get(reverse("grid:due", args=[self.grid_a.pk]))
        self.assertContains(page, f'name="site" value="{shop.pk}"')
        response = self.client.post(
            reverse("grid:visit"),
            {
                "site": shop.pk,
                "grid": self.grid_a.pk,
                "visited_on": TODAY().isoformat(),
                "kind": "check",
                "notes": "消防通道畅通",
                "address": "幸福路5号之一",
                "id": str(uuid.uuid4()),
            },
            follow=True,
        )
        self.assertContains(response, "已记录对 幸福小吃店 的走访")
        shop.refresh_from_db()
        self.assertEqual((shop.address, shop.last_visited_on), ("幸福路5号之一", TODAY()))
        visit = Visit.objects.get(site=shop)
        self.assertEqual((visit.household, visit.grid, visit.changes), (None, self.grid_a, {"address": ["幸福路5号", "幸福路5号之一"]}))
        self.assertTrue(AuditEvent.objects.filter(action="grid.site.update").exists())
        self.assertEqual(list(actions.due_sites([self.grid_a.pk], TODAY(), 7)), [])
        # from the field page, offline and sent again: stored once; a stale address comes back as a conflict
        Site.objects.filter(pk=shop.pk).update(address="幸福路5号乙")
        body = {
            "id": str(uuid.uuid4()),
            "site": shop.pk,
            "visited_on": TODAY().isoformat(),
            "kind": "routine",
            "address": "幸福路5号丙",
            "address_seen": "幸福路5号之一",
        }
        first = self.client.post(reverse("grid:field-visit"), body, content_type="application/json")
        again = self.client.post(reverse("grid:field-visit"), body, content_type="application/json")
        self.assertEqual((first.status_code, again.status_code, Visit.objects.filter(site=shop).count()), (201, 200, 2))
        self.assertEqual(first.json()["conflict"]["current"], "幸福路5号乙")
        shop.refresh_from_db()
        self.assertEqual(shop.address, "幸福路5号乙")
        self.assertEqual(self.client.get(reverse("grid:field-data")).json()["sites"][0]["name"], "幸福小吃店")

    def test_a_due_site_is_listed_even_past_the_sites_shown(self):
        from unittest import mock

        first = actions.add_site(actor=self.grid_worker, grid=self.grid_a, name="甲店", kind="shop")
        actions.record_site_visit(actor=self.grid_worker, site=first, visited_on=TODAY())
        due = actions.add_site(actor=self.grid_worker, grid=self.grid_a, name="乙店", kind="shop")
        self.client.force_login(self.grid_worker)
        with mock.patch("minping.grid.views.MAX_SITES", 1):
            page = self.client.get(reverse("grid:due", args=[self.grid_a.pk]))
        self.assertContains(page, f'name="site" value="{due.pk}"')
        self.assertNotContains(page, f'name="site" value="{first.pk}"')

    def test_bad_site_visits_are_refused(self):
        from tests.base import make_region

        elsewhere = actions.add_site(
            actor=self.organiser_b, grid=make_region("第9网格", "grid", self.community_b), name="外网格商店", kind="shop"
        )
        with self.assertRaisesMessage(PermissionDenied, "这个场所不在您负责的网格内"):
            actions.record_site_visit(actor=self.grid_worker, site=elsewhere, visited_on=TODAY())
        shop = actions.add_site(actor=self.grid_worker, grid=self.grid_a, name="幸福小吃店", kind="shop", address="幸福路6号")
        with self.assertRaisesMessage(ValidationError, "地址"):
            actions.record_site_visit(actor=self.grid_worker, site=shop, visited_on=TODAY(), address="")
        self.client.force_login(self.grid_worker)
        missing = self.client.post(
            reverse("grid:field-visit"), {"site": 0, "visited_on": TODAY().isoformat()}, content_type="application/json"
        )
        self.assertEqual(missing.status_code, 404)
        refused = self.client.post(
            reverse("grid:field-visit"),
            {"site": elsewhere.pk, "visited_on": TODAY().isoformat(), "address": ["x"]},
            content_type="application/json",
        )
        self.assertEqual(refused.status_code, 403)
        self.assertFalse(Visit.objects.exists())


class CoverageTest(GridTestCase):
    def test_coverage_counts_households_visited_in_the_cycle_by_region(self):
        actions.record_visit(actor=self.grid_worker, household=self.household_a, visited_on=TODAY())
        self.client.force_login(self.organiser_a)
        page = self.client.get(reverse("grid:coverage"), {"region": self.street_a.pk})
        self.assertContains(page, "光明社区")
        self.assertContains(page, "50.0%")  # one of 第1网格's two households
        self.assertContains(page, "<td>—</td>")  # and no sites yet
        shop = actions.add_site(actor=self.grid_worker, grid=self.grid_a, name="幸福小吃店", kind="shop")
        actions.record_site_visit(actor=self.grid_worker, site=shop, visited_on=TODAY())
        actions.add_site(actor=self.grid_worker, grid=self.grid_a, name="幸福便利店", kind="shop")
        page = self.client.get(reverse("grid:coverage"), {"region": self.street_a.pk})
        self.assertContains(
            page, "<td>2</td><td>1</td><td>50.0%</td><td>2</td><td>1</td><td>50.0%</td>", count=2
        )  # the community, and in all
        self.assertContains(self.client.get(reverse("grid:coverage"), {"region": self.community_a.pk}), "第1网格")
        self.assertEqual(self.client.get(reverse("grid:coverage"), {"region": self.street_b.pk}).status_code, 404)
