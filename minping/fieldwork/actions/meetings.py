"""Research topics, forums and site meetings."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from minping.accounts.scoping import ensure_region_in_scope
from minping.audit.actions import record_event
from minping.fieldwork.actions.common import checked_count, district_of, ensure_same_district, split_lines
from minping.fieldwork.actions.items import new_item
from minping.fieldwork.models import (
    FollowUp,
    Meeting,
    Topic,
)
from minping.lib.dates import typed_date
from minping.lib.text import checked_text
from minping.org.models import Cadre, Region


def create_topic(*, actor, region: Region, title: str, owner: Cadre, team, deliverables: str, starts_on, due_on) -> Topic:
    ensure_region_in_scope(actor, region)
    team = [c for c in team if c.pk != owner.pk]
    ensure_same_district([owner, *team], region, "team")
    starts_on, due_on = typed_date(starts_on, "starts_on", "开始日期"), typed_date(due_on, "due_on", "完成期限")
    if due_on < starts_on:
        raise ValidationError({"due_on": "完成期限不能早于开始日期"})
    with transaction.atomic():
        topic = Topic.objects.create(
            region=region,
            title=checked_text(title, "title", 200, "课题名称"),
            owner=owner,
            deliverables=checked_text(deliverables, "deliverables", 1000, "预期成果"),
            starts_on=starts_on,
            due_on=due_on,
            created_by=actor,
        )
        topic.team.set(team)
        record_event(actor=actor, action="fieldwork.topic.create", obj=topic, data={"title": topic.title})
    return topic


def conclude_topic(*, actor, topic: Topic, conclusion: str, on=None) -> Topic:
    ensure_region_in_scope(actor, topic.region)
    on = typed_date(on or timezone.localdate(), "concluded_on", "结题日期")
    if on < topic.starts_on or on > timezone.localdate():
        raise ValidationError({"concluded_on": "结题日期应在课题开始之后、今天或之前"})
    with transaction.atomic():
        topic.conclusion, topic.concluded_on = checked_text(conclusion, "conclusion", 2000, "课题成果"), on
        topic.save(update_fields=["conclusion", "concluded_on"])
        record_event(actor=actor, action="fieldwork.topic.conclude", obj=topic, data={"on": on.isoformat()})
    return topic


def record_meeting(
    *,
    actor,
    region: Region,
    kind: str,
    title: str,
    held_on,
    convener: Cadre,
    participants,
    documents: str = "",
    suggestions: str = "",
    notes: str = "",
    topic: Topic | None = None,
) -> Meeting:
    """A forum or a site meeting held; each line of `suggestions` becomes an item followed by the convener, each
    line of `documents` a document it produced."""
    ensure_region_in_scope(actor, region)
    if kind not in Meeting.Kind.values:
        raise ValidationError({"kind": "请选择会议类型"})
    held_on = typed_date(held_on, "held_on", "会议日期")
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": "不能记录尚未召开的会议"})
    ensure_same_district([convener], region, "convener")
    if topic is not None and not topic.region.is_within(district_of(region)):
        raise ValidationError({"topic": "课题不属于本区（县）"})
    lines = split_lines(suggestions, "suggestions", "收集的意见建议")
    with transaction.atomic():
        meeting = Meeting.objects.create(
            region=region,
            kind=kind,
            title=checked_text(title, "title", 200, "会议名称"),
            held_on=held_on,
            convener=convener,
            participants=checked_count(participants, "participants", "参会人数", 10000),
            documents=[d[:200] for d in split_lines(documents, "documents", "形成的文件")],
            notes=checked_text(notes, "notes", 2000, "会议纪要", required=False),
            topic=topic,
            created_by=actor,
        )
        for line in lines:
            new_item(
                actor,
                kind=FollowUp.Kind.SUGGESTION,
                text=line[:1000],
                region=region,
                cadre=convener,
                meeting=meeting,
                raised_by="参会人员",
                raiser_kind=FollowUp.Raiser.RESIDENT,
            )
        record_event(actor=actor, action="fieldwork.meeting.record", obj=meeting, data={"kind": kind, "participants": meeting.participants})
    return meeting
