"""Reception days: the rota, the public page, what each day received."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.urls import reverse

from minping.fieldwork import actions
from tests.fieldworking import TODAY, FieldworkTestCase


class ReceptionTest(FieldworkTestCase):
    def test_a_schedule_makes_monthly_sessions_with_a_rota_and_a_public_page(self):
        start = dt.date(TODAY().year, TODAY().month, 1)
        schedule = actions.create_schedule(
            actor=self.office_a,
            region=self.community_a,
            place="社区服务中心一楼",
            day=20,
            cadres=[self.cadre_a, self.graduate],
            per_session=1,
            months=4,
            starts_on=start,
        )
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
        schedule = actions.create_schedule(
            actor=self.office_a,
            region=self.community_a,
            place="社区服务中心",
            day=1,
            cadres=[self.cadre_a],
            months=1,
            starts_on=TODAY().replace(day=1),
        )
        session = schedule.sessions.get()
        self.client.force_login(self.cadre_user)
        response = self.client.post(
            reverse("fieldwork:session", args=[session.pk]),
            {
                "visitors": "12",
                "notes": "群众反映集中在停车难",
                "problem": "小区停车难\n楼道堆物",
                "suggestion": "增设充电桩",
                "raised_by": "居民代表",
                "raiser_contact": "13900002222",
                "cadre": str(self.cadre_a.pk),
            },
        )
        self.assertEqual(response.status_code, 302)
        session.refresh_from_db()
        self.assertEqual((session.held, session.visitors), (True, 12))
        self.assertEqual(
            sorted(session.items.values_list("kind", "cadre_id")), [("problem", self.cadre_a.pk)] * 2 + [("suggestion", self.cadre_a.pk)]
        )
        with self.assertRaisesMessage(ValidationError, "来访人数"):
            actions.record_session(actor=self.cadre_user, session=session, visitors="-1", notes="", items=[])
