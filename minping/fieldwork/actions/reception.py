"""Reception days: the rota and what each day received."""

import calendar
import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from minping.accounts.scoping import ensure_region_in_scope
from minping.audit.actions import record_event
from minping.fieldwork.actions.common import checked_count, ensure_same_district
from minping.fieldwork.actions.items import add_item
from minping.fieldwork.models import (
    FollowUp,
    ReceptionDay,
    Schedule,
)
from minping.lib.text import checked_text
from minping.org.models import Region


def _day_in(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def create_schedule(
    *, actor, region: Region, place: str, day, cadres, per_session=2, months=12, starts_on: dt.date | None = None
) -> Schedule:
    """A reception day on `day` of every month at `region`, its sessions for the next `months` months, and a
    rota: the cadres take turns, `per_session` at a time."""
    ensure_region_in_scope(actor, region)
    place = checked_text(place, "place", 200, "接访地点")
    day = checked_count(day, "day", "每月接访日", 31)
    per_session = checked_count(per_session, "per_session", "每次接访干部人数", 20)
    months = checked_count(months, "months", "排班月数", 24)
    cadres = list(cadres)
    if day < 1 or per_session < 1 or months < 1:
        raise ValidationError({"day": "每月接访日、每次接访人数和排班月数都应大于 0"})
    if not cadres:
        raise ValidationError({"cadres": "请选择轮值干部"})
    ensure_same_district(cadres, region, "cadres")
    starts_on = starts_on or timezone.localdate()
    with transaction.atomic():
        schedule = Schedule.objects.create(region=region, place=place, day=day, per_session=per_session, created_by=actor)
        schedule.cadres.set(cadres)
        year, month, turn = starts_on.year, starts_on.month, 0
        for _ in range(months + 1):
            on = _day_in(year, month, day)
            if on >= starts_on and turn < months * per_session:
                session = ReceptionDay.objects.create(schedule=schedule, on=on)
                session.cadres.set([cadres[(turn + k) % len(cadres)] for k in range(min(per_session, len(cadres)))])
                turn += per_session
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        record_event(
            actor=actor,
            action="fieldwork.schedule.create",
            obj=schedule,
            data={"region": region.pk, "day": day, "cadres": [c.pk for c in cadres]},
        )
    return schedule


def set_rota(*, actor, session: ReceptionDay, cadres) -> ReceptionDay:
    ensure_region_in_scope(actor, session.schedule.region)
    cadres = list(cadres)
    if not cadres:
        raise ValidationError({"cadres": "请选择当天接访的干部"})
    ensure_same_district(cadres, session.schedule.region, "cadres")
    with transaction.atomic():
        session.cadres.set(cadres)
        record_event(actor=actor, action="fieldwork.session.rota", obj=session, data={"cadres": [c.pk for c in cadres]})
    return session


def may_record_session(user, session: ReceptionDay) -> bool:
    if user.cadre_id and session.cadres.filter(pk=user.cadre_id).exists():
        return True
    return user.can_use_console and (user.is_system_admin or session.schedule.region.is_within(user.region))


def record_session(*, actor, session: ReceptionDay, visitors, notes: str, items: list[dict]) -> ReceptionDay:
    """What happened at a reception day: visitors, notes, and each matter raised as an item, followed by the cadre
    on duty who received it."""
    if not may_record_session(actor, session):
        raise PermissionDenied("只有当天接访的干部或其上级可以记录")
    if session.on > timezone.localdate():
        raise ValidationError({"on": "接访日还没到，不能记录"})
    visitors = checked_count(visitors, "visitors", "来访人数")
    notes = checked_text(notes, "notes", 2000, "接访情况", required=False)
    on_duty = {c.pk: c for c in session.cadres.all()}
    with transaction.atomic():
        session.held, session.visitors, session.notes = True, visitors, notes
        session.save(update_fields=["held", "visitors", "notes"])
        for raised in items:
            cadre = on_duty.get(raised.get("cadre")) or on_duty.get(actor.cadre_id) or next(iter(on_duty.values()), None)
            if cadre is None:
                raise ValidationError({"cadres": "请先安排当天接访的干部"})
            add_item(
                actor=actor,
                kind=raised.get("kind", FollowUp.Kind.PROBLEM),
                text=raised.get("text", ""),
                cadre=cadre,
                region=session.schedule.region,
                raised_by=raised.get("raised_by", ""),
                raiser_contact=raised.get("raiser_contact", ""),
                session=session,
            )
        record_event(actor=actor, action="fieldwork.session.record", obj=session, data={"visitors": visitors, "items": len(items)})
    return session
