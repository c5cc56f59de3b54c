"""Cadres in the field: contact points and their coverage, work logs (the window for late entries, history of
edits, the supervisor's reading), items followed to closure and handed to the grid's dispatch, reception days,
research topics and meetings, 蹲点 cadence, and the figures reproduced from the records."""

import datetime as dt
import io
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from minping.accounts.models import User
from minping.evidence.models import Evidence
from minping.fieldwork import actions, exports, figures
from minping.fieldwork.models import (
    CadreMonth,
    ContactKind,
    ContactYear,
    Entry,
    FollowUp,
    Meeting,
)
from minping.grid import actions as grid
from minping.grid.models import Category, Problem
from minping.notifications.models import SentMessage
from minping.org.models import Cadre, Household, Post, Unit
from tests.base import BaseTestCase, id_number, make_region
from tests.clock import PinnedClock
from tests.gateway import Gateway
from tests.test_evidence import photo

TODAY = timezone.localdate


def kind(code: str) -> ContactKind:
    return ContactKind.objects.get(code=code)


class FieldworkTestCase(PinnedClock, BaseTestCase):
    pinned_day = dt.date(2026, 11, 18)  # a Wednesday in the middle of a month; the edges are tested on purpose below

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        from minping.lib.identity import id_digest, mask_id

        number = id_number(950)
        cls.graduate = Cadre.objects.create(name="陈村官", id_digest=id_digest(number), id_masked=mask_id(number), gender="F",
                                            birth_year=1998, region=cls.community_a)  # fmt: skip
        cls.community_contact = actions.add_contact(actor=cls.office_a, cadre=cls.cadre_a, kind=kind("community"), record=cls.community_a,
                                                    starts_on=dt.date(2025, 1, 1))  # fmt: skip
        cls.enterprise_contact = actions.add_contact(actor=cls.office_a, cadre=cls.cadre_a, kind=kind("enterprise"), record=cls.enterprise_a,
                                                     starts_on=dt.date(2025, 1, 1))  # fmt: skip
        cls.lamps = Category.objects.get(code="facilities")
        cls.urban = Unit.objects.create(name="一街道城管中队", kind="station", region=cls.street_a)
        grid.save_route(actor=cls.organiser_a, category=cls.lamps, region=cls.street_a, unit=cls.urban)
        cls.urban_handler = User.objects.create_user("handler_u", password="x", role="handler", region=cls.district_a, unit=cls.urban)
        cls.office_b = User.objects.create_user("office_b", password="x", role="office", region=cls.street_b)

    def log(self, contact=None, on=None, **kwargs):
        entry, _created = actions.record_entry(actor=self.cadre_user, contact=contact or self.community_contact, on=on or TODAY(),
                                               form=kwargs.pop("form", "visit"), discussed=kwargs.pop("discussed", "了解老旧小区改造进度"), **kwargs)  # fmt: skip
        return entry


class ContactTest(FieldworkTestCase):
    def test_each_kind_names_its_registry_record_and_a_pairing_is_made_once(self):
        household = Household.objects.create(code="HA009", address="幸福路9号", region=self.grid_a)
        talent = actions.add_contact(actor=self.office_a, cadre=self.cadre_a, kind=kind("talent"), name="刘工程师", note="返乡创业")
        official = actions.add_contact(actor=self.office_a, cadre=self.cadre_a, kind=kind("graduate_official"), record=self.graduate)
        family = actions.add_contact(actor=self.office_a, cadre=self.cadre_a, kind=kind("family_in_difficulty"), record=household)
        self.assertEqual((talent.name, talent.region), ("刘工程师", self.cadre_a.region))
        self.assertEqual((official.official, official.region), (self.graduate, self.community_a))
        self.assertEqual((family.household, family.name, family.region), (household, "HA009", self.grid_a))
        with self.assertRaisesMessage(ValidationError, "已联系"):
            actions.add_contact(actor=self.office_a, cadre=self.cadre_a, kind=kind("enterprise"), record=self.enterprise_a)
        with self.assertRaisesMessage(ValidationError, "请从名册中选择"):
            actions.add_contact(actor=self.office_a, cadre=self.cadre_a, kind=kind("enterprise"), record=self.community_a)

    def test_only_offices_over_the_cadre_pair_them_and_only_with_records_of_their_region(self):
        with self.assertRaises(PermissionDenied):
            actions.add_contact(actor=self.office_b, cadre=self.cadre_a, kind=kind("community"), record=self.community_b)
        with self.assertRaises(PermissionDenied):
            actions.add_contact(actor=self.cadre_user, cadre=self.cadre_a, kind=kind("talent"), name="某人")
        with self.assertRaises(PermissionDenied):  # the cadre is theirs, the enterprise is not
            actions.add_contact(actor=self.office_a, cadre=self.cadre_a, kind=kind("enterprise"), record=self.enterprise_b)

    def test_coverage_lists_missing_kinds_and_places_without_a_contact_cadre(self):
        self.client.force_login(self.organiser_a)
        page = self.client.get(reverse("fieldwork:coverage"), {"region": self.district_a.pk})
        self.assertEqual(page.status_code, 200)
        missing = dict((c.name, lacking) for c, lacking in page.context["missing"])
        self.assertEqual(missing["王书记"], ["联系人才", "联系大学生村官", "联系困难家庭"])
        self.assertIn("陈村官", missing)
        self.assertNotIn(self.community_a, list(page.context["communities"]))
        self.assertNotIn(self.enterprise_a, list(page.context["enterprises"]))
        later = make_region("新城社区", "community", self.street_a)
        page = self.client.get(reverse("fieldwork:coverage"), {"region": self.district_a.pk})
        self.assertIn(later, list(page.context["communities"]))

    def test_the_contacts_page_pairs_by_typed_name_and_says_why_it_refuses(self):
        self.client.force_login(self.office_a)
        url = reverse("fieldwork:contacts")
        response = self.client.post(url, {"cadre": self.cadre_a.pk, "kind": kind("graduate_official").pk, "record": "陈村官"})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(self.cadre_a.contacts.filter(official=self.graduate).exists())
        response = self.client.post(url, {"cadre": self.cadre_a.pk, "kind": kind("enterprise").pk, "record": "不存在的公司"}, follow=True)
        self.assertContains(response, "名册中找不到")
        self.assertEqual(self.client.get(url, {"cadre": self.cadre_b.pk}).status_code, 404)


class LogTest(FieldworkTestCase):
    def test_an_entry_makes_one_item_a_line_and_counts_in_its_month(self):
        entry = self.log(problems="路灯不亮\n- 垃圾清运不及时", suggestions="增加停车位", raiser_contact="13900001111")
        self.assertEqual(sorted(entry.items.values_list("kind", "text")),
                         [("problem", "垃圾清运不及时"), ("problem", "路灯不亮"), ("suggestion", "增加停车位")])  # fmt: skip
        item = entry.items.get(text="增加停车位")
        self.assertEqual((item.cadre, item.region, item.raised_by, item.raiser_contact, item.status),
                         (self.cadre_a, self.community_a, "光明社区", "13900001111", "accepted"))  # fmt: skip
        self.log(contact=self.enterprise_contact, form="phone")
        self.assertEqual([(r.cadre_id, r.entries, r.visits) for r in CadreMonth.objects.all()], [(self.cadre_a.pk, 2, 1)])
        bit = 1 << (TODAY().month - 1)
        self.assertEqual({(r.contact_id, r.months) for r in ContactYear.objects.all()}, {(self.community_contact.pk, bit), (self.enterprise_contact.pk, bit)})

    def test_a_form_sent_twice_is_stored_once(self):
        client_id = uuid.uuid4()
        first = self.log(client_id=client_id, problems="路灯不亮")
        again, created = actions.record_entry(actor=self.cadre_user, contact=self.community_contact, on=TODAY(), form="visit",
                                              discussed="了解老旧小区改造进度", problems="路灯不亮", client_id=client_id)  # fmt: skip
        self.assertEqual((again, created), (first, False))
        self.assertEqual((Entry.objects.count(), FollowUp.objects.count(), CadreMonth.objects.get().entries), (1, 1, 1))

    def test_bad_entries_are_refused_with_a_reason(self):
        other = actions.add_contact(actor=self.organiser_b, cadre=self.cadre_b, kind=kind("community"), record=self.community_b)
        cases = [({"contact": other}, "这不是您的联系点"), ({"on": TODAY() + dt.timedelta(days=1)}, "不能为将来的日期"),
                 ({"on": TODAY() - dt.timedelta(days=8)}, "请说明原因"), ({"discussed": " "}, "请填写交流内容"),
                 ({"on": dt.date(2024, 12, 31), "late_reason": "补记"}, "尚未（或已不再）联系"), ({"form": "clock_in"}, "请选择工作方式")]  # fmt: skip
        for kwargs, message in cases:
            with self.subTest(message), self.assertRaisesMessage(ValidationError, message):
                self.log(**kwargs)
        late = self.log(on=TODAY() - dt.timedelta(days=8), late_reason="下乡期间无信号，回来补记")
        self.assertEqual(late.late_reason, "下乡期间无信号，回来补记")
        self.assertEqual(Entry.objects.count(), 1)

    def test_a_disguised_photo_leaves_neither_entry_nor_item_nor_file(self):
        bad = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00" + b"\x00" * 200, content_type="image/jpeg")
        with self.assertRaises(ValidationError):
            self.log(problems="路灯不亮", files=[bad])
        self.assertEqual((Entry.objects.count(), FollowUp.objects.count(), Evidence.objects.count(), CadreMonth.objects.count()), (0, 0, 0, 0))
        entry = self.log(files=[SimpleUploadedFile("site.png", photo("PNG"), content_type="image/png")])
        self.assertEqual(entry.photos.get().purpose, "fieldwork.log")

    def test_edits_keep_the_earlier_text_and_the_supervisor_reads_within_their_region(self):
        entry = self.log(form="phone")
        actions.edit_entry(actor=self.cadre_user, entry=entry, reason="补充细节", form="visit", discussed="了解老旧小区改造进度和加装电梯意愿")
        entry.refresh_from_db()
        self.assertEqual((entry.revisions, entry.history.get().before["discussed"], entry.history.get().reason), (1, "了解老旧小区改造进度", "补充细节"))
        self.assertEqual(CadreMonth.objects.get().visits, 1)
        with self.assertRaisesMessage(ValidationError, "请填写修改原因"):
            actions.edit_entry(actor=self.cadre_user, entry=entry, reason="", discussed="x")
        with self.assertRaises(PermissionDenied):
            actions.edit_entry(actor=self.office_a, entry=entry, reason="改", discussed="x")
        with self.assertRaises(PermissionDenied):
            actions.review_entry(actor=self.office_b, entry=entry, comment="已阅")
        with self.assertRaises(PermissionDenied):
            actions.review_entry(actor=self.cadre_user, entry=entry, comment="已阅")
        actions.review_entry(actor=self.office_a, entry=entry, comment="情况清楚，抓紧落实加装电梯")
        entry.refresh_from_db()
        self.assertEqual((entry.reviewed_by, entry.comment), (self.office_a, "情况清楚，抓紧落实加装电梯"))

    def test_the_cadre_logs_from_the_page_and_sees_the_week_and_what_is_owed(self):
        self.client.force_login(self.cadre_user)
        home = self.client.get("/")
        self.assertContains(home, "我的联系点")
        self.assertContains(home, "记工作日志")
        page = self.client.get(reverse("fieldwork:home"))
        self.assertContains(page, "甲区科技有限公司")
        form = {"contact": self.enterprise_contact.pk, "on": TODAY().isoformat(), "form": "visit", "discussed": "走访企业，了解用工需求",
                "problems": "企业门前道路破损", "id": str(uuid.uuid4())}  # fmt: skip
        response = self.client.post(reverse("fieldwork:home"), form)
        self.assertEqual(response.status_code, 302)
        again = self.client.post(reverse("fieldwork:home"), form, follow=True)
        self.assertContains(again, "已保存过")
        page = self.client.get(reverse("fieldwork:home"))
        self.assertContains(page, "走访企业，了解用工需求")
        self.assertContains(page, "企业门前道路破损")
        refused = self.client.post(reverse("fieldwork:home"), {**form, "id": str(uuid.uuid4()), "on": "2099-01-01"})
        self.assertEqual(refused.status_code, 400)
        self.assertContains(refused, "不能为将来的日期", status_code=400)
        self.assertContains(refused, "走访企业，了解用工需求", status_code=400)  # what was typed stays
        month = self.client.get(reverse("fieldwork:month", args=[self.cadre_a.pk, TODAY().strftime("%Y-%m")]))
        self.assertContains(month, "走访企业，了解用工需求")
        self.assertEqual(self.client.get(reverse("fieldwork:month", args=[self.cadre_b.pk, TODAY().strftime("%Y-%m")])).status_code, 404)
        self.assertEqual(self.client.get(reverse("fieldwork:month", args=[self.cadre_a.pk, "2026-13"])).status_code, 404)

    def test_the_supervisor_reads_the_unread_and_comments_from_the_page(self):
        entry = self.log()
        self.client.force_login(self.office_a)
        self.assertContains(self.client.get("/"), "条工作日志待批阅")
        logs = self.client.get(reverse("fieldwork:logs"), {"unread": 1})
        self.assertContains(logs, "王书记")
        self.client.post(reverse("fieldwork:entry", args=[entry.pk]), {"step": "review", "comment": "已阅，注意跟进"})
        self.assertContains(self.client.get(reverse("fieldwork:entry", args=[entry.pk])), "已阅，注意跟进")
        self.assertNotContains(self.client.get(reverse("fieldwork:logs"), {"unread": 1}), "王书记")
        self.client.force_login(self.office_b)
        self.assertEqual(self.client.get(reverse("fieldwork:entry", args=[entry.pk])).status_code, 404)


class ItemTest(FieldworkTestCase):
    def item(self, **kwargs) -> FollowUp:
        return self.log(problems="幸福路路灯不亮", raiser_contact=kwargs.pop("contact", "13900001111"), **kwargs).items.get()

    def test_an_item_acted_on_is_closed_and_the_raiser_told_by_text_message(self):
        item = self.item()
        actions.propose_solution(actor=self.cadre_user, item=item, solution="协调物业更换灯泡")
        actions.act_on_item(actor=self.cadre_user, item=item, note="物业已更换灯泡")
        with Gateway() as received, self.captureOnCommitCallbacks(execute=True):
            actions.close_item(actor=self.cadre_user, item=item, outcome="路灯已修好")
        item.refresh_from_db()
        self.assertEqual((item.status, item.told_how), ("closed", "message"))
        self.assertEqual(received[0]["phone"], "13900001111")
        self.assertIn("路灯已修好", received[0]["text"])
        self.assertEqual(list(item.steps.values_list("action", flat=True)), ["accept", "propose", "act", "close", "tell"])
        self.assertEqual(SentMessage.objects.get().topic, "fieldwork.told")

    def test_without_a_channel_the_cadre_records_a_call(self):
        item = self.item()
        actions.act_on_item(actor=self.cadre_user, item=item, note="已处理")
        actions.close_item(actor=self.cadre_user, item=item, outcome="已处理")
        with self.assertRaisesMessage(ValidationError, "未配置短信"):
            actions.tell_raiser(actor=self.cadre_user, item=item, how="message")
        actions.tell_raiser(actor=self.cadre_user, item=item, how="phone")
        with self.assertRaisesMessage(ValidationError, "已告知过"):
            actions.tell_raiser(actor=self.cadre_user, item=item, how="in_person")
        item.refresh_from_db()
        self.assertEqual(item.told_how, "phone")

    def test_steps_out_of_order_and_outsiders_are_refused(self):
        item = self.item()
        with self.assertRaisesMessage(ValidationError, "不能关闭"):
            actions.close_item(actor=self.cadre_user, item=item, outcome="x")
        with self.assertRaises(PermissionDenied):
            actions.act_on_item(actor=self.office_b, item=item, note="x")
        with self.assertRaisesMessage(ValidationError, "关闭后才能告知"):
            actions.tell_raiser(actor=self.cadre_user, item=item, how="phone")

    def test_a_forwarded_problem_is_one_grid_problem_and_closes_when_the_fix_is_confirmed(self):
        item = self.item()
        actions.forward_item(actor=self.cadre_user, item=item, category=self.lamps, address="幸福路3号")
        item.refresh_from_db()
        problem = item.problem
        self.assertEqual((item.status, problem.unit, problem.region, problem.reporter, problem.reporter_kind),
                         ("forwarded", self.urban, self.community_a, self.cadre_user, "cadre"))  # fmt: skip
        self.assertEqual(Problem.objects.count(), 1)
        with self.assertRaisesMessage(ValidationError, "不能转交"):
            actions.forward_item(actor=self.cadre_user, item=item, category=self.lamps, address="幸福路3号")
        grid.receive_problem(actor=self.urban_handler, problem=problem)
        grid.resolve_problem(actor=self.urban_handler, problem=problem, note="更换路灯 3 盏",
                     files=[SimpleUploadedFile("fixed.png", photo("PNG"), content_type="image/png")])  # fmt: skip
        with Gateway() as received, self.captureOnCommitCallbacks(execute=True):
            grid.confirm_fix(actor=self.cadre_user, problem=problem)
        item.refresh_from_db()
        self.assertEqual((item.status, item.told_how), ("closed", "message"))
        self.assertIn("更换路灯 3 盏", item.outcome)
        self.assertIn("更换路灯 3 盏", received[0]["text"])

    def test_a_problem_with_no_route_waits_for_the_streets_dispatch(self):
        item = self.item()
        actions.forward_item(actor=self.cadre_user, item=item, category=Category.objects.get(code="dispute"), address="幸福路3号")
        item.refresh_from_db()
        self.assertEqual((item.problem.status, item.problem.unit), ("triage", None))
        self.assertIn("待街道分派", item.steps.last().note)

    def test_the_item_page_forwards_and_shows_the_grid_problem(self):
        item = self.item()
        self.client.force_login(self.cadre_user)
        url = reverse("fieldwork:item", args=[item.pk])
        self.client.post(url, {"step": "forward", "category": self.lamps.pk, "address": "幸福路3号"})
        page = self.client.get(url)
        self.assertContains(page, "已转交部门办理")
        self.assertContains(page, "一街道城管中队")
        refused = self.client.post(url, {"step": "close", "outcome": "x"}, follow=True)
        self.assertContains(refused, "尚未办结")
        self.client.force_login(self.office_b)
        self.assertEqual(self.client.get(url).status_code, 404)


class ReceptionTest(FieldworkTestCase):
    def test_a_schedule_makes_monthly_sessions_with_a_rota_and_a_public_page(self):
        start = dt.date(TODAY().year, TODAY().month, 1)
        schedule = actions.create_schedule(actor=self.office_a, region=self.community_a, place="社区服务中心一楼", day=20,
                                           cadres=[self.cadre_a, self.graduate], per_session=1, months=4, starts_on=start)  # fmt: skip
        sessions = list(schedule.sessions.all())
        self.assertEqual([s.on.day for s in sessions], [20] * 4)
        self.assertEqual([s.cadres.get() for s in sessions], [self.cadre_a, self.graduate, self.cadre_a, self.graduate])
        with self.assertRaisesMessage(ValidationError, "不是甲区的干部"):
            actions.create_schedule(actor=self.admin, region=self.community_a, place="x", day=20, cadres=[self.cadre_b])
        with self.assertRaisesMessage(ValidationError, "不是甲区的干部"):
            actions.set_rota(actor=self.admin, session=sessions[0], cadres=[self.cadre_b])
        page = self.client.get(reverse("reception:upcoming"))
        self.assertContains(page, "社区服务中心一楼")
        upcoming = [s for s in sessions if TODAY() <= s.on <= TODAY() + dt.timedelta(days=62)]
        self.assertEqual(len(page.context["page"].object_list), len(upcoming))

    def test_a_session_recorded_feeds_items_followed_by_the_cadre_on_duty(self):
        schedule = actions.create_schedule(actor=self.office_a, region=self.community_a, place="社区服务中心", day=1, cadres=[self.cadre_a],
                                           months=1, starts_on=TODAY().replace(day=1))  # fmt: skip
        session = schedule.sessions.get()
        self.client.force_login(self.cadre_user)
        response = self.client.post(reverse("fieldwork:session", args=[session.pk]),
                                    {"visitors": "12", "notes": "群众反映集中在停车难", "problem": "小区停车难\n楼道堆物", "suggestion": "增设充电桩",
                                     "raised_by": "居民代表", "raiser_contact": "13900002222", "cadre": str(self.cadre_a.pk)})  # fmt: skip
        self.assertEqual(response.status_code, 302)
        session.refresh_from_db()
        self.assertEqual((session.held, session.visitors), (True, 12))
        self.assertEqual(sorted(session.items.values_list("kind", "cadre_id")), [("problem", self.cadre_a.pk)] * 2 + [("suggestion", self.cadre_a.pk)])
        with self.assertRaisesMessage(ValidationError, "来访人数"):
            actions.record_session(actor=self.cadre_user, session=session, visitors="-1", notes="", items=[])


class TopicAndPairingTest(FieldworkTestCase):
    def test_a_meeting_records_participants_documents_and_one_suggestion_a_line(self):
        topic = actions.create_topic(actor=self.organiser_a, region=self.district_a, title="基层减负调研", owner=self.cadre_a, team=[self.graduate],
                                     deliverables="调研报告一篇", starts_on=TODAY() - dt.timedelta(days=30), due_on=TODAY() + dt.timedelta(days=60))  # fmt: skip
        meeting = actions.record_meeting(actor=self.organiser_a, region=self.community_a, kind="forum", title="基层干部座谈会", held_on=TODAY(),
                                         convener=self.cadre_a, participants=16, documents="关于为基层减负的若干措施", suggestions="减少报表\n合并检查",
                                         topic=topic)  # fmt: skip
        self.assertEqual((meeting.documents, meeting.items.count()), (["关于为基层减负的若干措施"], 2))
        with self.assertRaisesMessage(ValidationError, "不是甲区的干部"):
            actions.record_meeting(actor=self.admin, region=self.community_a, kind="forum", title="x", held_on=TODAY(), convener=self.cadre_b, participants=1)
        with self.assertRaisesMessage(ValidationError, "尚未召开"):
            actions.record_meeting(actor=self.organiser_a, region=self.community_a, kind="site", title="x", held_on=TODAY() + dt.timedelta(days=1),
                                   convener=self.cadre_a, participants=1)  # fmt: skip

    def test_cadence_counts_weeks_and_months_that_have_ended(self):
        project = actions.create_project(actor=self.organiser_a, region=self.district_a, name="幸福路改造工程")
        today = TODAY()
        start = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)  # the first of last month
        pairing = actions.create_pairing(actor=self.organiser_a, project=project, cadre=self.cadre_a, senior=self.graduate,
                                         starts_on=start, ends_on=today + dt.timedelta(days=90))  # fmt: skip
        first_monday = start + dt.timedelta(days=(7 - start.weekday()) % 7)
        actions.record_activity(actor=self.cadre_user, pairing=pairing, kind="site_day", on=first_monday, text="到工地")
        with self.assertRaisesMessage(ValidationError, "已记录过在现场"):
            actions.record_activity(actor=self.cadre_user, pairing=pairing, kind="site_day", on=first_monday, text="到工地")
        actions.record_activity(actor=self.cadre_user, pairing=pairing, kind="exchange", on=start, text="与老领导交流")
        with self.assertRaisesMessage(ValidationError, "请填写报告标题"):
            actions.record_activity(actor=self.cadre_user, pairing=pairing, kind="report", on=start, text="报告")
        actions.record_activity(actor=self.cadre_user, pairing=pairing, kind="report", on=start, title="关于工程进度的报告", text="报告")
        result = figures.compliance(pairing)
        weeks = [w for w in result.weeks]
        self.assertTrue(weeks[0][2] and not any(w[2] for w in weeks[1:]))
        self.assertEqual(result.months, [(start, 1, 1, True)])  # this month has not ended
        self.assertEqual(result.met, 2)
        self.assertAlmostEqual(figures.cadre_figures([self.cadre_a.pk], start, today)[self.cadre_a.pk]["cadence"], 2 / result.periods)
        with self.assertRaises(PermissionDenied):
            actions.record_activity(actor=self.office_b, pairing=pairing, kind="exchange", on=today, text="x")
        with self.assertRaisesMessage(ValidationError, "同一人"):
            actions.create_pairing(actor=self.organiser_a, project=project, cadre=self.cadre_a, senior=self.cadre_a, starts_on=start, ends_on=today)


class FiguresTest(FieldworkTestCase):
    def setUp(self):
        today = TODAY()
        self.month = today.replace(day=1)
        self.entries = [self.log(on=self.month, problems="路灯不亮", suggestions="增加停车位\n增设座椅", late_reason="补记" if (today - self.month).days > 7 else ""),
                        self.log(contact=self.enterprise_contact, on=today, form="phone")]  # fmt: skip
        item = FollowUp.objects.filter(kind="problem").get()
        actions.propose_solution(actor=self.cadre_user, item=item, solution="协调更换")
        actions.act_on_item(actor=self.cadre_user, item=item, note="已更换")
        actions.close_item(actor=self.cadre_user, item=item, outcome="已修好")
        actions.record_meeting(actor=self.organiser_a, region=self.community_a, kind="forum", title="座谈会", held_on=today,
                               convener=self.cadre_a, participants=20, documents="文件一\n文件二", suggestions="建议甲")  # fmt: skip
        actions.record_meeting(actor=self.organiser_a, region=self.community_a, kind="site", title="现场会", held_on=today,
                               convener=self.graduate, participants=9)  # fmt: skip

    def test_the_figures_reproduce_from_the_records_for_whole_months_and_any_period(self):
        today = TODAY()
        last = (self.month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        expected = {"entries": 2, "visits": 1, "contacts": 2, "covered": 2, "suggestions": 3, "problems": 1, "proposed": 1, "forwarded": 0,
                    "closed": 1, "told": 0, "cadence": None}  # fmt: skip
        self.assertEqual(figures.cadre_figures([self.cadre_a.pk], self.month, last)[self.cadre_a.pk], expected)  # from the rollups
        self.assertEqual(figures.cadre_figures([self.cadre_a.pk], self.month, today)[self.cadre_a.pk], expected)  # from the entries
        only_today = figures.cadre_figures([self.cadre_a.pk], today, today)[self.cadre_a.pk]
        self.assertEqual((only_today["entries"], only_today["visits"], only_today["covered"]), (1, 0, 1))
        summary = figures.summary(self.district_a, self.month, last)
        self.assertEqual({k: summary[k] for k in ("forums", "site_meetings", "participants", "documents", "suggestions", "problems", "proposed",
                                                   "closed", "entries", "visits", "enterprises")},
                         {"forums": 1, "site_meetings": 1, "participants": 29, "documents": 2, "suggestions": 3, "problems": 1, "proposed": 1,
                          "closed": 1, "entries": 2, "visits": 1, "enterprises": 1})  # fmt: skip
        self.assertEqual(figures.summary(self.district_b, self.month, last)["entries"], 0)

    def test_the_figures_are_grouped_by_unit_shown_with_definitions_and_exported(self):
        Post.objects.create(cadre=self.graduate, unit=self.unit_a, title="联络员", category="other", started_on=dt.date(2024, 1, 1))
        last = (self.month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        units = {name: (n, totals["entries"], totals["suggestions"]) for name, n, totals in figures.by_unit(self.district_a, self.month, last)}
        self.assertEqual(units, {"光明社区": (1, 2, 3), "一街道派出所": (1, 0, 0)})
        self.client.force_login(self.organiser_a)
        url = reverse("fieldwork:figures")
        page = self.client.get(url, {"region": self.district_a.pk, "start": self.month.isoformat(), "end": last.isoformat(), "units": 1})
        self.assertContains(page, "期间内召开的座谈会次数")
        self.assertContains(page, "一街道派出所")
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(exports.figures_workbook(self.district_a, self.month, last)))
        rows = {r[0]: r[1] for r in book["汇总"].iter_rows(min_row=3, values_only=True)}
        self.assertEqual((rows["座谈会"], rows["参与人数"], rows["收集意见建议"]), (1, 29, 3))
        cadres = {r[1]: r for r in book["按干部"].iter_rows(min_row=2, values_only=True)}
        self.assertEqual(cadres["王书记"][2:4], (2, 1))
        response = self.client.get(url, {"region": self.district_a.pk, "start": self.month.isoformat(), "end": last.isoformat(), "format": "docx"})
        from docx import Document

        text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
        self.assertIn("召开座谈会 1 场、现场推进会 1 场，参与 29 人次", text)
        self.assertIn("收集意见建议 3 条，受理问题 1 个，提出解决建议 1 条，办结 1 件", text)
        bad = self.client.get(url, {"start": "2026-13-01"})
        self.assertContains(bad, "请填写正确的开始日期", status_code=400)
        self.client.force_login(self.office_b)
        self.assertEqual(self.client.get(url, {"region": self.district_a.pk}).status_code, 404)

    def test_meeting_items_are_counted_once(self):
        """The forum's suggestion is one item, beside the log's two; the figures count the three once each."""
        forum = Meeting.objects.get(kind="forum")
        self.assertEqual([i.text for i in forum.items.all()], ["建议甲"])
        self.assertEqual(sorted(FollowUp.objects.filter(kind="suggestion").values_list("text", flat=True)), ["增加停车位", "增设座椅", "建议甲"])
        last = (self.month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        self.assertEqual(figures.summary(self.district_a, self.month, last)["suggestions"], 3)
        actions.record_meeting(actor=self.organiser_a, region=self.community_a, kind="forum", title="第二次座谈会", held_on=TODAY(),
                               convener=self.cadre_a, participants=5, suggestions="建议乙\n建议丙")  # fmt: skip
        self.assertEqual(figures.summary(self.district_a, self.month, last)["suggestions"], 5)


class MonthEdgeTest(FieldworkTestCase):
    """A month's first and last day and a week across a month's end, where periods split into whole months and
    the days around them."""

    pinned_day = dt.date(2026, 12, 6)  # a Sunday: this week runs from Monday 30 November

    def test_entries_on_a_months_edges_count_in_their_own_month_and_in_the_week_across_them(self):
        for on in (dt.date(2026, 11, 30), dt.date(2026, 12, 1), dt.date(2026, 12, 6)):
            self.log(on=on, discussed=f"{on}走访")

        def entries(start, end):
            return figures.cadre_figures([self.cadre_a.pk], start, end)[self.cadre_a.pk]["entries"]

        d = dt.date
        self.assertEqual([entries(d(2026, 11, 30), d(2026, 11, 30)), entries(d(2026, 12, 1), d(2026, 12, 1))], [1, 1])
        self.assertEqual(entries(d(2026, 11, 30), d(2026, 12, 6)), 3)  # the week across the month's end
        self.assertEqual([entries(d(2026, 11, 1), d(2026, 11, 30)), entries(d(2026, 12, 1), d(2026, 12, 31))], [1, 2])
        self.assertEqual(figures.summary(self.district_a, d(2026, 11, 1), d(2026, 12, 31))["entries"], 3)


class RollupTest(FieldworkTestCase):
    def test_split_takes_whole_months_from_the_rollups_and_the_days_around_them_from_the_entries(self):
        d = dt.date
        self.assertEqual(figures.split(d(2026, 1, 15), d(2026, 3, 10)), ((d(2026, 2, 1), d(2026, 2, 1)), [(d(2026, 1, 15), d(2026, 1, 31)), (d(2026, 3, 1), d(2026, 3, 10))]))
        self.assertEqual(figures.split(d(2026, 1, 1), d(2026, 12, 31)), ((d(2026, 1, 1), d(2026, 12, 1)), []))
        self.assertEqual(figures.split(d(2026, 1, 5), d(2026, 1, 20)), (None, [(d(2026, 1, 5), d(2026, 1, 20))]))
        self.assertEqual(figures.split(d(2025, 12, 1), d(2026, 2, 28)), ((d(2025, 12, 1), d(2026, 2, 1)), []))

    def test_the_figures_of_any_period_are_those_counted_from_the_entries(self):
        import random

        rng = random.Random(7)
        today = TODAY()
        for n in range(40):
            on = today - dt.timedelta(days=rng.randrange(0, 120))
            self.log(contact=rng.choice([self.community_contact, self.enterprise_contact]), on=on, form=rng.choice(["visit", "phone", "forum"]),
                     late_reason="补记" if (today - on).days > 7 else "", discussed=f"第{n}次")  # fmt: skip
        entries = list(Entry.objects.all())
        for _ in range(25):
            start = today - dt.timedelta(days=rng.randrange(0, 130))
            end = min(today + dt.timedelta(days=40), start + dt.timedelta(days=rng.randrange(0, 100)))
            inside = [e for e in entries if start <= e.on <= end]
            expected = (len(inside), sum(e.form == "visit" for e in inside), len({e.contact_id for e in inside}),
                        int(any(e.contact_id == self.enterprise_contact.pk for e in inside)))  # fmt: skip
            with self.subTest(start=start, end=end):
                got = figures.cadre_figures([self.cadre_a.pk], start, end)[self.cadre_a.pk]
                self.assertEqual((got["entries"], got["visits"], got["covered"]), expected[:3])
                totals = figures.summary(self.district_a, start, end)
                self.assertEqual((totals["entries"], totals["visits"], totals["covered"], totals["enterprises"]), expected)


class ApiTest(FieldworkTestCase):
    def test_the_figures_come_with_their_definitions_for_a_key_of_the_region(self):
        from tests.base import api_key

        self.log(problems="路灯不亮")
        key = api_key(user=self.organiser_a, name="综合考核")
        month = TODAY().replace(day=1)
        query = {"region": self.district_a.pk, "start": month.isoformat(), "end": TODAY().isoformat()}
        response = self.client.get("/api/fieldwork/figures", query, HTTP_AUTHORIZATION=f"Bearer {key}")
        self.assertEqual(response.status_code, 200)
        body = response.json()
        mine = next(c for c in body["cadres"] if c["id"] == self.cadre_a.pk)
        self.assertEqual((mine["figures"]["entries"], mine["figures"]["problems"], body["summary"]["entries"]), (1, 1, 1))
        self.assertIn("covered", body["definitions"])
        outsider = api_key(user=self.organiser_b, name="乙区")
        self.assertEqual(self.client.get("/api/fieldwork/figures", query, HTTP_AUTHORIZATION=f"Bearer {outsider}").status_code, 404)
        backwards = self.client.get("/api/fieldwork/figures", {**query, "end": "2000-01-01"}, HTTP_AUTHORIZATION=f"Bearer {key}")
        self.assertEqual((backwards.status_code, backwards.json()["error"]), (422, "invalid"))
        self.assertEqual(self.client.get("/api/fieldwork/figures", {**query, "start": "2026-13-01"}, HTTP_AUTHORIZATION=f"Bearer {key}").status_code, 422)
        self.assertEqual(self.client.get("/api/fieldwork/figures", query).status_code, 401)
