"""Work-log entries: recorded (from a phone, sent again without being stored twice), edited with their history, read by the supervisor."""

import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from minping.audit.actions import record_event
from minping.evidence.actions import atomic_with_files, store_evidence
from minping.fieldwork.actions.common import MAX_PHOTOS, ensure_supervises, split_lines
from minping.fieldwork.actions.items import new_item
from minping.fieldwork.models import (
    CadreMonth,
    Contact,
    ContactKind,
    ContactYear,
    Entry,
    EntryRevision,
    FollowUp,
)
from minping.lib.dates import typed_date
from minping.lib.ids import client_uuid
from minping.lib.text import checked_text


def raiser_kind_of(contact: Contact) -> str:
    """Who raised what was noted at a contact: the enterprise, the official, or a resident."""
    return {ContactKind.Source.ENTERPRISE: FollowUp.Raiser.ENTERPRISE, ContactKind.Source.CADRE: FollowUp.Raiser.OFFICIAL}.get(
        contact.kind.source, FollowUp.Raiser.RESIDENT
    )


def record_entry(
    *,
    actor,
    contact: Contact,
    on,
    form: str,
    discussed: str,
    problems: str = "",
    suggestions: str = "",
    late_reason: str = "",
    files=(),
    raiser_contact: str = "",
    client_id=None,
) -> tuple[Entry, bool]:
    """A cadre's log entry at one of their contact points. Each line of `problems` and of `suggestions` becomes an
    item followed to closure. Entries for a day more than FIELDWORK_LOG_WINDOW_DAYS back need `late_reason`.
    `client_id` is the id the form was given when it was shown: sent again, the entry is found, not stored twice."""
    client_id = client_uuid(client_id or uuid.uuid4())
    existing = Entry.objects.filter(pk=client_id).first()
    if existing is not None:
        if existing.cadre_id != actor.cadre_id:
            raise ValidationError({"id": "记录编号已被使用，请刷新页面后重新填写"})
        return existing, False
    if actor.cadre_id is None or contact.cadre_id != actor.cadre_id:
        raise ValidationError({"contact": "这不是您的联系点，只能为自己的联系点记工作日志"})
    on = typed_date(on, "on", "日期")
    today = timezone.localdate()
    if on > today:
        raise ValidationError({"on": "不能为将来的日期记工作日志"})
    if not (contact.starts_on <= on and (contact.ends_on is None or on <= contact.ends_on)):
        raise ValidationError({"on": f"{on:%Y-%m-%d}您尚未（或已不再）联系{contact.name}"})
    late_reason = checked_text(late_reason, "late_reason", 200, "补记原因", required=False)
    if (today - on).days > settings.FIELDWORK_LOG_WINDOW_DAYS and not late_reason:
        raise ValidationError({"late_reason": f"超过 {settings.FIELDWORK_LOG_WINDOW_DAYS} 天补记工作日志，请说明原因"})
    if form not in Entry.Form.values:
        raise ValidationError({"form": "请选择工作方式"})
    files = list(files)
    if len(files) > MAX_PHOTOS:
        raise ValidationError({"photos": f"照片最多 {MAX_PHOTOS} 张"})
    entry = Entry(
        id=client_id,
        cadre_id=actor.cadre_id,
        contact=contact,
        on=on,
        form=form,
        late_reason=late_reason,
        written_by=actor,
        discussed=checked_text(discussed, "discussed", 2000, "交流内容"),
        problems=checked_text(problems, "problems", 2000, "发现的问题", required=False),
        suggestions=checked_text(suggestions, "suggestions", 2000, "收集的意见建议", required=False),
    )
    raiser_contact = checked_text(raiser_contact, "raiser_contact", 100, "联系方式", required=False)
    try:
        with atomic_with_files():
            entry.save(force_insert=True)
            _count_in_month(entry, entries=1, visits=int(entry.form == Entry.Form.VISIT))
            if files:
                entry.photos.set(
                    [store_evidence(actor=actor, upload=f, region=actor.region or contact.region, purpose="fieldwork.log") for f in files]
                )
            for kind, lines in (
                (FollowUp.Kind.PROBLEM, split_lines(entry.problems, "problems", "发现的问题")),
                (FollowUp.Kind.SUGGESTION, split_lines(entry.suggestions, "suggestions", "收集的意见建议")),
            ):
                for line in lines:
                    new_item(
                        actor,
                        kind=kind,
                        text=line[:1000],
                        region=contact.region,
                        cadre=contact.cadre,
                        entry=entry,
                        raised_by=contact.name,
                        raiser_kind=raiser_kind_of(contact),
                        raiser_contact=raiser_contact,
                    )
            record_event(
                actor=actor, action="fieldwork.entry.record", obj=entry, data={"contact": contact.pk, "on": on.isoformat(), "form": form}
            )
    except IntegrityError:
        return Entry.objects.get(pk=client_id), False
    return entry, True


def _count_in_month(entry: Entry, *, entries: int, visits: int) -> None:
    """Keep the month's count of the cadre's entries and the contact's months of the year (inside the entry's
    transaction)."""
    _upsert(
        CadreMonth,
        {"cadre_id": entry.cadre_id, "month": entry.on.replace(day=1)},
        {},
        entries=F("entries") + entries,
        visits=F("visits") + visits,
    )
    if entries:
        bit = 1 << (entry.on.month - 1)
        _upsert(
            ContactYear,
            {"contact_id": entry.contact_id, "year": entry.on.year},
            {"cadre_id": entry.cadre_id},
            months=F("months").bitor(bit),
        )


def _upsert(model, key: dict, defaults: dict, **changes) -> None:
    """Apply `changes` (F expressions on a row of zeros) to the row of `key`, making it first if it is missing."""
    if model.objects.filter(**key).update(**changes):
        return
    try:
        with transaction.atomic():
            model.objects.create(**key, **defaults)
    except IntegrityError:  # another entry made the row first
        pass
    model.objects.filter(**key).update(**changes)


EDITABLE = ("form", "discussed", "problems", "suggestions")


def edit_entry(*, actor, entry: Entry, reason: str, **changes) -> Entry:
    """Change what an entry says; the earlier text is kept, with `reason`, in the entry's history."""
    if actor.cadre_id != entry.cadre_id:
        raise PermissionDenied("只有记日志的干部本人可以修改")
    reason = checked_text(reason, "reason", 200, "修改原因")
    if changes.get("form", entry.form) not in Entry.Form.values:
        raise ValidationError({"form": "请选择工作方式"})
    limits = {"discussed": ("交流内容", True), "problems": ("发现的问题", False), "suggestions": ("收集的意见建议", False)}
    new = {field: changes.get(field, getattr(entry, field)) for field in EDITABLE}
    for field, (what, required) in limits.items():
        new[field] = checked_text(new[field], field, 2000, what, required=required)
    with transaction.atomic():
        entry = Entry.objects.select_for_update().get(pk=entry.pk)
        before = {field: getattr(entry, field) for field in EDITABLE}
        if before == new:
            raise ValidationError({"discussed": "内容没有变化"})
        EntryRevision.objects.create(entry=entry, before=before, reason=reason, by=actor)
        for field, value in new.items():
            setattr(entry, field, value)
        entry.revisions += 1
        if (before["form"] == Entry.Form.VISIT) != (new["form"] == Entry.Form.VISIT):
            _count_in_month(entry, entries=0, visits=1 if new["form"] == Entry.Form.VISIT else -1)
        entry.save(update_fields=[*EDITABLE, "revisions"])
        record_event(actor=actor, action="fieldwork.entry.edit", obj=entry, data={"reason": reason})
    return entry


def review_entry(*, actor, entry: Entry, comment: str) -> Entry:
    """The supervisor's reading of an entry (批阅), with a comment; a later reading replaces the comment, and the
    audit log keeps each."""
    ensure_supervises(actor, entry.cadre)
    comment = checked_text(comment, "comment", 1000, "批阅意见")
    with transaction.atomic():
        entry.reviewed_by, entry.reviewed_at, entry.comment = actor, timezone.now(), comment
        entry.save(update_fields=["reviewed_by", "reviewed_at", "comment"])
        record_event(actor=actor, action="fieldwork.entry.review", obj=entry, data={"comment": comment})
    return entry


VERDICTS = {"confirmed": "核查属实", "partly": "部分属实", "refuted": "核查不属实"}


def set_entry_verification(*, actor, entry: Entry, verdict: str) -> Entry:
    """A sample audit's verdict on a log entry, checked with the contact point: it counts in the cadre's 抽查属实率."""
    ensure_supervises(actor, entry.cadre)
    if verdict not in VERDICTS:
        raise ValidationError({"verdict": "请选择核查结论"})
    with transaction.atomic():
        Entry.objects.filter(pk=entry.pk).update(verification=verdict)
        entry.verification = verdict
        record_event(actor=actor, action="fieldwork.entry.verify", obj=entry, data={"verdict": verdict})
    return entry
