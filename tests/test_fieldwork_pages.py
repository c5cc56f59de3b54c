"""Every field-work page's form reaches its action: what a page posts is stored, what it names (a cadre, a region,
a contact, a project) is looked up within what the poster manages, and a refusal names the field in Chinese."""

import datetime as dt

from django.urls import reverse

from minping.fieldwork.models import Activity, Meeting, Pairing, Project, Schedule, Topic
from minping.lib.identity import id_digest, mask_id
from minping.org.models import Cadre
from tests.base import id_number
from tests.fieldworking import FieldworkTestCase

DAY = FieldworkTestCase.pinned_day.isoformat()


class EntryPageTest(FieldworkTestCase):
    def test_an_entry_is_edited_and_an_item_raised_from_its_page(self):
        entry = self.log()
        url = reverse("fieldwork:entry", args=[entry.pk])
        self.client.force_login(self.cadre_user)
        edit = {"step": "edit", "reason": "补充", "form": "visit", "discussed": "走访社区，了解改造进度", "problems": "", "suggestions": ""}
        self.client.post(url, edit)
        self.client.post(url, {"step": "item", "kind": "problem", "text": "楼道灯不亮"})
        entry.refresh_from_db()
        self.assertEqual(entry.discussed, "走访社区，了解改造进度")
        item = entry.items.get()
        self.assertEqual((item.text, item.raised_by), ("楼道灯不亮", entry.contact.name))
        refused = self.client.post(url, {"step": "nonsense"}, follow=True)
        self.assertContains(refused, "未知的操作")


class ItemPageTest(FieldworkTestCase):
    def test_an_items_steps_are_posted_from_its_page(self):
        item = self.log(problems="井盖松动").items.get()
        url = reverse("fieldwork:item", args=[item.pk])
        self.client.force_login(self.cadre_user)
        self.client.post(url, {"step": "propose", "solution": "协调市政更换"})
        self.client.post(url, {"step": "act", "note": "已联系市政"})
        self.client.post(url, {"step": "close", "outcome": "已更换新井盖"})
        self.client.post(url, {"step": "tell", "how": "phone"})
        item.refresh_from_db()
        self.assertEqual((item.solution, item.outcome, item.told_how), ("协调市政更换", "已更换新井盖", "phone"))
        self.assertEqual(list(item.steps.order_by("pk").values_list("action", flat=True)), ["accept", "propose", "act", "close", "tell"])


class ContactsPageTest(FieldworkTestCase):
    def test_a_contact_is_ended_only_among_the_cadres_own(self):
        url = reverse("fieldwork:contacts")
        self.client.force_login(self.office_a)
        refused = self.client.post(url, {"cadre": self.graduate.pk, "step": "end", "contact": self.enterprise_contact.pk}, follow=True)
        self.assertContains(refused, "请选择联系点")
        self.client.post(url, {"cadre": self.cadre_a.pk, "step": "end", "contact": self.enterprise_contact.pk})
        self.enterprise_contact.refresh_from_db()
        self.assertEqual(self.enterprise_contact.ends_on, self.pinned_day)


class ReceptionPagesTest(FieldworkTestCase):
    def test_a_schedule_and_its_rota_are_set_from_their_pages(self):
        self.client.force_login(self.office_a)
        form = {"region": self.community_a.pk, "place": "社区服务中心", "day": "20", "cadres": "无此人", "months": ""}
        refused = self.client.post(reverse("fieldwork:receptions"), form, follow=True)
        self.assertContains(refused, "找不到干部“无此人”")
        self.client.post(reverse("fieldwork:receptions"), {**form, "cadres": self.cadre_a.name})
        schedule = Schedule.objects.get()
        self.assertEqual((schedule.place, schedule.per_session), ("社区服务中心", 2))  # the default when left blank
        session = schedule.sessions.order_by("on").first()
        self.client.post(
            reverse("fieldwork:session", args=[session.pk]), {"step": "rota", "cadres": f"{self.cadre_a.name}、{self.graduate.name}"}
        )
        self.assertEqual({c.name for c in session.cadres.all()}, {self.cadre_a.name, self.graduate.name})


class TopicsAndPairingsPagesTest(FieldworkTestCase):
    def test_topics_meetings_projects_pairings_and_activities_from_their_pages(self):
        number = id_number(961)
        senior = Cadre.objects.create(
            name="老领导", id_digest=id_digest(number), id_masked=mask_id(number), gender="M", birth_year=1960, region=self.district_a
        )
        self.client.force_login(self.organiser_a)
        topic = {"region": self.district_a.pk, "title": "减负调研", "owner": self.cadre_a.name, "team": self.graduate.name}
        self.client.post(reverse("fieldwork:topics"), {**topic, "deliverables": "调研报告", "starts_on": DAY, "due_on": "2026-12-31"})
        made = Topic.objects.get()
        self.assertEqual((made.owner, list(made.team.all())), (self.cadre_a, [self.graduate]))
        meeting = {"step": "meeting", "region": self.community_a.pk, "topic": made.pk, "kind": "forum", "title": "座谈会"}
        self.client.post(reverse("fieldwork:topics"), {**meeting, "held_on": DAY, "convener": self.cadre_a.name, "participants": "12"})
        self.assertEqual(Meeting.objects.get().topic, made)
        self.client.post(reverse("fieldwork:topic", args=[made.pk]), {"conclusion": "形成减负清单"})
        made.refresh_from_db()
        self.assertEqual(made.conclusion, "形成减负清单")

        self.client.post(reverse("fieldwork:pairings"), {"step": "project", "region": self.district_a.pk, "name": "老旧小区改造"})
        project = Project.objects.get()
        pairing = {"project": project.pk, "cadre": self.cadre_a.name, "senior": senior.name, "starts_on": DAY, "ends_on": "2027-02-18"}
        self.client.post(reverse("fieldwork:pairings"), pairing)
        made = Pairing.objects.get()
        self.assertEqual((made.senior, made.site_days_a_week), (senior, 1))
        refused = self.client.post(reverse("fieldwork:pairings"), {**pairing, "project": "999999"}, follow=True)
        self.assertContains(refused, "请选择项目")

        self.client.force_login(self.cadre_user)
        self.client.post(reverse("fieldwork:pairing", args=[made.pk]), {"kind": "report", "on": DAY, "title": "周报", "text": "推进顺利"})
        self.assertEqual(Activity.objects.get().on, dt.date(2026, 11, 18))
