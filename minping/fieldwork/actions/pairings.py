"""蹲点: key projects, cadres paired on them, and their records."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from minping.accounts.scoping import ensure_region_in_scope
from minping.audit.actions import record_event
from minping.fieldwork.actions.common import checked_count, ensure_same_district
from minping.fieldwork.models import (
    Activity,
    Pairing,
    Project,
)
from minping.lib.dates import typed_date
from minping.lib.text import checked_text
from minping.org.models import Cadre, Region


def create_project(*, actor, region: Region, name: str, description: str = "") -> Project:
    ensure_region_in_scope(actor, region)
    name = checked_text(name, "name", 200, "项目名称")
    if Project.objects.filter(region=region, name=name).exists():
        raise ValidationError({"name": f"{region.name}已有项目“{name}”"})
    with transaction.atomic():
        project = Project.objects.create(
            region=region, name=name, description=checked_text(description, "description", 1000, "项目简介", required=False)
        )
        record_event(actor=actor, action="fieldwork.project.create", obj=project, data={"name": name})
    return project


def create_pairing(
    *, actor, project: Project, cadre: Cadre, senior: Cadre, starts_on, ends_on, site_days_a_week=1, exchanges_a_month=1, reports_a_month=1
) -> Pairing:
    ensure_region_in_scope(actor, project.region)
    if cadre.pk == senior.pk:
        raise ValidationError({"senior": "蹲点干部和二线干部不能是同一人"})
    ensure_same_district([cadre, senior], project.region, "cadre")
    starts_on, ends_on = typed_date(starts_on, "starts_on", "开始日期"), typed_date(ends_on, "ends_on", "结束日期")
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "结束日期不能早于开始日期"})
    targets = {
        "site_days_a_week": checked_count(site_days_a_week, "site_days_a_week", "每周在现场天数", 7),
        "exchanges_a_month": checked_count(exchanges_a_month, "exchanges_a_month", "每月交流次数", 31),
        "reports_a_month": checked_count(reports_a_month, "reports_a_month", "每月报告次数", 31),
    }
    with transaction.atomic():
        pairing = Pairing.objects.create(
            project=project, cadre=cadre, senior=senior, starts_on=starts_on, ends_on=ends_on, created_by=actor, **targets
        )
        record_event(
            actor=actor,
            action="fieldwork.pairing.create",
            obj=pairing,
            data={"project": project.pk, "cadre": cadre.pk, "senior": senior.pk, **targets},
        )
    return pairing


def may_record_activity(user, pairing: Pairing) -> bool:
    if user.cadre_id in (pairing.cadre_id, pairing.senior_id):
        return True
    return user.can_use_console and (user.is_system_admin or pairing.project.region.is_within(user.region))


def record_activity(*, actor, pairing: Pairing, kind: str, on, text: str, title: str = "") -> Activity:
    """A day on site, an exchange, or a report to the leader (领导参阅, which needs a title)."""
    if not may_record_activity(actor, pairing):
        raise PermissionDenied("只有蹲点干部、结对的二线干部或其上级可以记录")
    if kind not in Activity.Kind.values:
        raise ValidationError({"kind": "请选择记录类型"})
    on = typed_date(on, "on", "日期")
    if on > timezone.localdate():
        raise ValidationError({"on": "不能记录将来的日期"})
    if not pairing.starts_on <= on <= pairing.ends_on:
        raise ValidationError({"on": f"日期应在蹲点期间（{pairing.starts_on:%Y-%m-%d} 至 {pairing.ends_on:%Y-%m-%d}）"})
    title = checked_text(title, "title", 200, "报告标题", required=kind == Activity.Kind.REPORT)
    text = checked_text(text, "text", 5000, "内容")
    try:
        with transaction.atomic():
            activity = Activity.objects.create(pairing=pairing, kind=kind, on=on, title=title, text=text, by=actor)
            record_event(actor=actor, action="fieldwork.activity.record", obj=activity, data={"kind": kind, "on": on.isoformat()})
    except IntegrityError:
        raise ValidationError({"on": f"{on:%Y-%m-%d}已记录过在现场"}) from None
    return activity
