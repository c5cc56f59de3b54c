"""Helpers for tests that need field work on record: a cadre's week at 光明社区 with every kind of record."""

import datetime as dt

from django.utils import timezone

from minping.fieldwork import actions as fieldwork
from minping.fieldwork.models import ContactKind
from minping.grid.models import Category
from minping.lib.identity import id_digest, mask_id
from minping.org.models import Cadre
from tests.base import id_number


def field_work(test):
    """The cadre's contact points, an entry read and edited, items at each stage (one forwarded), a reception
    day recorded, a topic with a forum, a pairing with its records."""
    today = timezone.localdate()
    contact = fieldwork.add_contact(actor=test.office_a, cadre=test.cadre_a, kind=ContactKind.objects.get(code="community"),
                                    record=test.community_a, starts_on=dt.date(2025, 1, 1))  # fmt: skip
    entry, _new = fieldwork.record_entry(actor=test.cadre_user, contact=contact, on=today, form="visit", discussed="走访",
                                         problems="路灯不亮\n道路破损\n井盖松动", suggestions="增设充电桩", raiser_contact="13900001111")  # fmt: skip
    fieldwork.edit_entry(actor=test.cadre_user, entry=entry, reason="补充", discussed="走访社区")
    fieldwork.review_entry(actor=test.office_a, entry=entry, comment="已阅")
    lamps, pothole, cover = entry.items.filter(kind="problem").order_by("pk")
    fieldwork.forward_item(actor=test.cadre_user, item=lamps, category=Category.objects.get(code="facilities"), address="幸福路")
    fieldwork.propose_solution(actor=test.cadre_user, item=pothole, solution="协调修复")
    fieldwork.act_on_item(actor=test.cadre_user, item=cover, note="已更换")
    fieldwork.close_item(actor=test.cadre_user, item=cover, outcome="已修好")
    fieldwork.tell_raiser(actor=test.cadre_user, item=cover, how="phone")
    schedule = fieldwork.create_schedule(actor=test.office_a, region=test.community_a, place="服务中心", day=1, cadres=[test.cadre_a],
                                         months=2, starts_on=today.replace(day=1))  # fmt: skip
    fieldwork.record_session(actor=test.cadre_user, session=schedule.sessions.first(), visitors=3, notes="接访",
                             items=[{"kind": "problem", "text": "停车难"}])  # fmt: skip
    topic = fieldwork.create_topic(actor=test.organiser_a, region=test.district_a, title="减负调研", owner=test.cadre_a, team=[],
                                   deliverables="报告", starts_on=today, due_on=today)  # fmt: skip
    fieldwork.record_meeting(actor=test.organiser_a, region=test.community_a, kind="forum", title="座谈会", held_on=today,
                             convener=test.cadre_a, participants=10, documents="文件", suggestions="建议", topic=topic)  # fmt: skip
    project = fieldwork.create_project(actor=test.organiser_a, region=test.district_a, name="改造工程")
    senior = Cadre.objects.create(name="老领导", id_digest=id_digest(id_number(960)), id_masked=mask_id(id_number(960)), gender="M",
                                  birth_year=1960, region=test.district_a)  # fmt: skip
    pairing = fieldwork.create_pairing(actor=test.organiser_a, project=project, cadre=test.cadre_a, senior=senior,
                                       starts_on=today - dt.timedelta(days=40), ends_on=today + dt.timedelta(days=40))  # fmt: skip
    fieldwork.record_activity(actor=test.cadre_user, pairing=pairing, kind="report", on=today, title="报告", text="进展")
