"""Helpers for tests that need field work on record: a cadre's week at 光明社区 with every kind of record."""

import datetime as dt

from django.utils import timezone

from minping.accounts.models import User
from minping.fieldwork import actions as fieldwork
from minping.fieldwork.models import ContactKind
from minping.grid import actions as grid
from minping.grid.models import Category
from minping.lib.identity import id_digest, mask_id
from minping.org.models import Cadre, Unit
from tests.base import BaseTestCase, id_number
from tests.clock import PinnedClock


def field_work(test):
    """The cadre's contact points, an entry read and edited, items at each stage (one forwarded), a reception
    day recorded, a topic with a forum, a pairing with its records."""
    today = timezone.localdate()
    contact = fieldwork.add_contact(
        actor=test.office_a,
        cadre=test.cadre_a,
        kind=ContactKind.objects.get(code="community"),
        record=test.community_a,
        starts_on=dt.date(2025, 1, 1),
    )
    entry, _new = fieldwork.record_entry(
        actor=test.cadre_user,
        contact=contact,
        on=today,
        form="visit",
        discussed="走访",
        problems="路灯不亮\n道路破损\n井盖松动",
        suggestions="增设充电桩",
        raiser_contact="13900001111",
    )
    fieldwork.edit_entry(actor=test.cadre_user, entry=entry, reason="补充", discussed="走访社区")
    fieldwork.review_entry(actor=test.office_a, entry=entry, comment="已阅")
    lamps, pothole, cover = entry.items.filter(kind="problem").order_by("pk")
    fieldwork.forward_item(actor=test.cadre_user, item=lamps, category=Category.objects.get(code="facilities"), address="幸福路")
    fieldwork.propose_solution(actor=test.cadre_user, item=pothole, solution="协调修复")
    fieldwork.act_on_item(actor=test.cadre_user, item=cover, note="已更换")
    fieldwork.close_item(actor=test.cadre_user, item=cover, outcome="已修好")
    fieldwork.tell_raiser(actor=test.cadre_user, item=cover, how="phone")
    schedule = fieldwork.create_schedule(
        actor=test.office_a,
        region=test.community_a,
        place="服务中心",
        day=1,
        cadres=[test.cadre_a],
        months=2,
        starts_on=today.replace(day=1),
    )
    fieldwork.record_session(
        actor=test.cadre_user, session=schedule.sessions.first(), visitors=3, notes="接访", items=[{"kind": "problem", "text": "停车难"}]
    )
    topic = fieldwork.create_topic(
        actor=test.organiser_a,
        region=test.district_a,
        title="减负调研",
        owner=test.cadre_a,
        team=[],
        deliverables="报告",
        starts_on=today,
        due_on=today,
    )
    fieldwork.record_meeting(
        actor=test.organiser_a,
        region=test.community_a,
        kind="forum",
        title="座谈会",
        held_on=today,
        convener=test.cadre_a,
        participants=10,
        documents="文件",
        suggestions="建议",
        topic=topic,
    )
    project = fieldwork.create_project(actor=test.organiser_a, region=test.district_a, name="改造工程")
    senior = Cadre.objects.create(
        name="老领导",
        id_digest=id_digest(id_number(960)),
        id_masked=mask_id(id_number(960)),
        gender="M",
        birth_year=1960,
        region=test.district_a,
    )
    pairing = fieldwork.create_pairing(
        actor=test.organiser_a,
        project=project,
        cadre=test.cadre_a,
        senior=senior,
        starts_on=today - dt.timedelta(days=40),
        ends_on=today + dt.timedelta(days=40),
    )
    fieldwork.record_activity(actor=test.cadre_user, pairing=pairing, kind="report", on=today, title="报告", text="进展")


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
        cls.graduate = Cadre.objects.create(
            name="陈村官", id_digest=id_digest(number), id_masked=mask_id(number), gender="F", birth_year=1998, region=cls.community_a
        )
        cls.community_contact = fieldwork.add_contact(
            actor=cls.office_a, cadre=cls.cadre_a, kind=kind("community"), record=cls.community_a, starts_on=dt.date(2025, 1, 1)
        )
        cls.enterprise_contact = fieldwork.add_contact(
            actor=cls.office_a, cadre=cls.cadre_a, kind=kind("enterprise"), record=cls.enterprise_a, starts_on=dt.date(2025, 1, 1)
        )
        cls.lamps = Category.objects.get(code="facilities")
        cls.urban = Unit.objects.create(name="一街道城管中队", kind="station", region=cls.street_a)
        grid.save_route(actor=cls.organiser_a, category=cls.lamps, region=cls.street_a, unit=cls.urban)
        cls.urban_handler = User.objects.create_user("handler_u", password="x", role="handler", region=cls.district_a, unit=cls.urban)
        cls.office_b = User.objects.create_user("office_b", password="x", role="office", region=cls.street_b)

    def log(self, contact=None, on=None, **kwargs):
        entry, _created = fieldwork.record_entry(
            actor=self.cadre_user,
            contact=contact or self.community_contact,
            on=on or TODAY(),
            form=kwargs.pop("form", "visit"),
            discussed=kwargs.pop("discussed", "了解老旧小区改造进度"),
            **kwargs,
        )
        return entry
