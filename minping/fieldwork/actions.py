"""Every change of cadres' field work: contact points, work-log entries and their review, items followed to
closure (and handed to the grid's dispatch), reception days, research topics and meetings, 蹲点 pairings. One
function each, one transaction, audited."""

import calendar
import datetime as dt
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from minping.accounts.scoping import ensure_region_in_scope
from minping.audit.actions import record_event
from minping.evidence.actions import atomic_with_files, store_evidence
from minping.fieldwork.models import (
    Activity,
    CadreMonth,
    Contact,
    ContactKind,
    ContactYear,
    Entry,
    EntryRevision,
    Item,
    ItemStep,
    Meeting,
    Pairing,
    Project,
    Schedule,
    Session,
    Topic,
)
from minping.grid import actions as grid
from minping.lib.dates import typed_date
from minping.lib.ids import client_uuid
from minping.lib.messaging import TRANSPORTS, Message
from minping.lib.text import checked_text
from minping.notifications.actions import Outgoing, notify
from minping.org.models import Cadre, Enterprise, Household, Region

MAX_PHOTOS = 5
S = Item.Status


def _count(value, field: str, what: str, limit: int = 100000) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        number = -1
    if not 0 <= number <= limit:
        raise ValidationError({field: f"{what}应为 0 到 {limit} 的整数"})
    return number


def split_lines(text: str, field: str, what: str) -> list[str]:
    """The non-empty lines of a text box, each an item, without the bullets people type before them."""
    text = checked_text(text, field, 2000, what, required=False)
    return [line.strip(" \t-•·、") for line in text.splitlines() if line.strip(" \t-•·、")]


def may_supervise(user, cadre: Cadre) -> bool:
    """Console users whose region holds the cadre's record read, comment on and manage the cadre's field work; a
    cadre never supervises themselves."""
    if not user.can_use_console or user.cadre_id == cadre.pk:
        return False
    return user.is_system_admin or cadre.region.is_within(user.region)


def may_open_entry(user, entry: Entry) -> bool:
    """A work-log entry is open to its cadre and to those who supervise the cadre, on the web and as files."""
    return user.is_authenticated and (user.cadre_id == entry.cadre_id or may_supervise(user, entry.cadre))


def _ensure_supervises(user, cadre: Cadre) -> None:
    if not may_supervise(user, cadre):
        raise PermissionDenied(f"{cadre.name}不在您的管辖范围内")


def district_of(region: Region) -> Region:
    """The district (or county) a region lies in; the region itself above that level."""
    if region.level == Region.Level.DISTRICT:
        return region
    return region.ancestors().filter(level=Region.Level.DISTRICT).first() or region


def _same_district(cadres, region: Region, field: str) -> None:
    district = district_of(region)
    outside = [c.name for c in cadres if not c.region.is_within(district)]
    if outside:
        raise ValidationError({field: f"{'、'.join(outside)}不是{district.name}的干部"})


# Contact points -------------------------------------------------------------------------------------------------

SOURCES = {ContactKind.Source.COMMUNITY: Region, ContactKind.Source.ENTERPRISE: Enterprise,
           ContactKind.Source.CADRE: Cadre, ContactKind.Source.HOUSEHOLD: Household}  # fmt: skip
FIELDS = {ContactKind.Source.COMMUNITY: "community", ContactKind.Source.ENTERPRISE: "enterprise",
          ContactKind.Source.CADRE: "official", ContactKind.Source.HOUSEHOLD: "household"}  # fmt: skip


def add_contact(*, actor, cadre: Cadre, kind: ContactKind, record=None, name: str = "", note: str = "", region: Region | None = None,
                starts_on: dt.date | None = None) -> Contact:  # fmt: skip
    """Pair `cadre` with a contact of `kind`: the registry record the kind names (a community, an enterprise, an
    official, a household), or, for a kind of people the registry does not hold (a talent), a person named here
    living in `region`."""
    _ensure_supervises(actor, cadre)
    note = checked_text(note, "note", 200, "备注", required=False)
    source = kind.source
    if source == ContactKind.Source.PERSON:
        name = checked_text(name, "name", 100, "联系人姓名")
        region = region or cadre.region
    else:
        if not isinstance(record, SOURCES[source]) or (source == ContactKind.Source.COMMUNITY and record.level not in ("community", "grid")):
            raise ValidationError({"record": f"请从名册中选择{kind.name}"})
        if source == ContactKind.Source.CADRE and record.pk == cadre.pk:
            raise ValidationError({"record": "不能把干部本人设为联系对象"})
        region = record if source == ContactKind.Source.COMMUNITY else record.region
        name = record.code if source == ContactKind.Source.HOUSEHOLD else record.name
    ensure_region_in_scope(actor, region)
    starts_on = starts_on or timezone.localdate()
    with transaction.atomic():
        current = Contact.objects.current(starts_on).filter(cadre=cadre, kind=kind)
        if source == ContactKind.Source.PERSON:
            current = current.filter(name=name)
        else:
            current = current.filter(**{FIELDS[source]: record})
        if current.exists():
            raise ValidationError({"record": f"{cadre.name}已联系{name}"})
        contact = Contact.objects.create(cadre=cadre, kind=kind, region=region, name=name, note=note, starts_on=starts_on,
                                         created_by=actor, **({FIELDS[source]: record} if source in FIELDS else {}))  # fmt: skip
        record_event(actor=actor, action="fieldwork.contact.add", obj=contact, data={"cadre": cadre.pk, "kind": kind.code, "name": name})
    return contact


def end_contact(*, actor, contact: Contact, ends_on: dt.date | None = None) -> Contact:
    _ensure_supervises(actor, contact.cadre)
    ends_on = ends_on or timezone.localdate()
    if ends_on < contact.starts_on:
        raise ValidationError({"ends_on": "结束日期不能早于开始日期"})
    with transaction.atomic():
        contact.ends_on = ends_on
        contact.save(update_fields=["ends_on"])
        record_event(actor=actor, action="fieldwork.contact.end", obj=contact, data={"ends_on": ends_on.isoformat()})
    return contact


# Work logs ------------------------------------------------------------------------------------------------------

def raiser_kind_of(contact: Contact) -> str:
    """Who raised what was noted at a contact: the enterprise, the official, or a resident."""
    return {ContactKind.Source.ENTERPRISE: Item.Raiser.ENTERPRISE, ContactKind.Source.CADRE: Item.Raiser.OFFICIAL}.get(
        contact.kind.source, Item.Raiser.RESIDENT)


def record_entry(*, actor, contact: Contact, on, form: str, discussed: str, problems: str = "", suggestions: str = "",
                 late_reason: str = "", files=(), raiser_contact: str = "", client_id=None) -> tuple[Entry, bool]:  # fmt: skip
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
    entry = Entry(id=client_id, cadre_id=actor.cadre_id, contact=contact, on=on, form=form, late_reason=late_reason, written_by=actor,
                  discussed=checked_text(discussed, "discussed", 2000, "交流内容"),
                  problems=checked_text(problems, "problems", 2000, "发现的问题", required=False),
                  suggestions=checked_text(suggestions, "suggestions", 2000, "收集的意见建议", required=False))  # fmt: skip
    raiser_contact = checked_text(raiser_contact, "raiser_contact", 100, "联系方式", required=False)
    try:
        with atomic_with_files():
            entry.save(force_insert=True)
            _count_in_month(entry, entries=1, visits=int(entry.form == Entry.Form.VISIT))
            if files:
                entry.photos.set([store_evidence(actor=actor, upload=f, region=actor.region or contact.region, purpose="fieldwork.log") for f in files])
            for kind, lines in ((Item.Kind.PROBLEM, split_lines(entry.problems, "problems", "发现的问题")),
                                (Item.Kind.SUGGESTION, split_lines(entry.suggestions, "suggestions", "收集的意见建议"))):  # fmt: skip
                for line in lines:
                    _new_item(actor, kind=kind, text=line[:1000], region=contact.region, cadre=contact.cadre, entry=entry,
                              raised_by=contact.name, raiser_kind=raiser_kind_of(contact), raiser_contact=raiser_contact)  # fmt: skip
            record_event(actor=actor, action="fieldwork.entry.record", obj=entry, data={"contact": contact.pk, "on": on.isoformat(), "form": form})
    except IntegrityError:
        return Entry.objects.get(pk=client_id), False
    return entry, True


def _count_in_month(entry: Entry, *, entries: int, visits: int) -> None:
    """Keep the month's count of the cadre's entries and the contact's months of the year (inside the entry's
    transaction)."""
    _upsert(CadreMonth, {"cadre_id": entry.cadre_id, "month": entry.on.replace(day=1)}, {},
            entries=F("entries") + entries, visits=F("visits") + visits)  # fmt: skip
    if entries:
        bit = 1 << (entry.on.month - 1)
        _upsert(ContactYear, {"contact_id": entry.contact_id, "year": entry.on.year}, {"cadre_id": entry.cadre_id}, months=F("months").bitor(bit))


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
    _ensure_supervises(actor, entry.cadre)
    comment = checked_text(comment, "comment", 1000, "批阅意见")
    with transaction.atomic():
        entry.reviewed_by, entry.reviewed_at, entry.comment = actor, timezone.now(), comment
        entry.save(update_fields=["reviewed_by", "reviewed_at", "comment"])
        record_event(actor=actor, action="fieldwork.entry.review", obj=entry, data={"comment": comment})
    return entry


# Items ----------------------------------------------------------------------------------------------------------

def _new_item(actor, **fields) -> Item:
    item = Item.objects.create(**fields)
    ItemStep.objects.create(item=item, action="accept", actor=actor, note=item.text[:200])
    return item


def add_item(*, actor, kind: str, text: str, cadre: Cadre, region: Region, raised_by: str = "", raiser_kind: str = Item.Raiser.RESIDENT,
             raiser_contact: str = "", entry: Entry | None = None, meeting: Meeting | None = None, session: Session | None = None) -> Item:  # fmt: skip
    """One item raised in an entry, a meeting or a reception session, followed by `cadre`."""
    if kind not in Item.Kind.values:
        raise ValidationError({"kind": "请选择意见建议或问题"})
    if raiser_kind not in Item.Raiser.values:
        raise ValidationError({"raiser_kind": "请选择提出人类别"})
    fields = {"kind": kind, "text": checked_text(text, "text", 1000, "意见建议或问题"), "cadre": cadre, "region": region,
              "raised_by": checked_text(raised_by, "raised_by", 100, "提出人", required=False), "raiser_kind": raiser_kind,
              "raiser_contact": checked_text(raiser_contact, "raiser_contact", 100, "联系方式", required=False),
              "entry": entry, "meeting": meeting, "session": session}  # fmt: skip
    with transaction.atomic():
        item = _new_item(actor, **fields)
        record_event(actor=actor, action="fieldwork.item.add", obj=item, data={"kind": kind})
    return item


def may_follow(user, item: Item) -> bool:
    """The cadre following an item, and the console users over its region."""
    if user.cadre_id is not None and user.cadre_id == item.cadre_id:
        return True
    return user.can_use_console and (user.is_system_admin or item.region.is_within(user.region))


def _step(actor, item: Item, allowed: set, to: str, action: str, note: str, **fields) -> Item:
    if not may_follow(actor, item):
        raise PermissionDenied("只有跟进该事项的干部或其上级可以办理")
    with transaction.atomic():
        item = Item.objects.select_for_update(of=("self",)).select_related("region", "cadre").get(pk=item.pk)
        if item.status not in allowed:
            raise ValidationError({"status": f"该事项当前为“{item.get_status_display()}”，不能{ItemStep.LABELS[action]}"})
        item.status = to
        for name, value in fields.items():
            setattr(item, name, value)
        item.save()
        ItemStep.objects.create(item=item, action=action, actor=actor, note=note[:2000])
        record_event(actor=actor, action=f"fieldwork.item.{action}", obj=item, data={"note": note[:200]})
    return item


def propose_solution(*, actor, item: Item, solution: str) -> Item:
    """A proposed solution (解决建议)."""
    solution = checked_text(solution, "solution", 2000, "解决建议")
    return _step(actor, item, {S.ACCEPTED, S.PROPOSED}, S.PROPOSED, "propose", solution, solution=solution, proposed_at=timezone.now())


def act_on_item(*, actor, item: Item, note: str) -> Item:
    """What was done about it by the cadre and those around them."""
    note = checked_text(note, "note", 2000, "办理情况")
    return _step(actor, item, {S.ACCEPTED, S.PROPOSED}, S.ACTED, "act", note)


def forward_item(*, actor, item: Item, category, address: str) -> Item:
    """Hand a problem a department must handle to the grid's dispatch: one grid problem, linked to the item, routed
    by the category's route (or left for the street's dispatch when no route names a department). The item closes
    when the grid's problem is closed."""
    if not may_follow(actor, item):
        raise PermissionDenied("只有跟进该事项的干部或其上级可以办理")
    if category is None:
        raise ValidationError({"category": "请选择事件类别"})
    with transaction.atomic():
        locked = Item.objects.select_for_update(of=("self",)).select_related("region", "cadre").get(pk=item.pk)
        if locked.status not in {S.ACCEPTED, S.PROPOSED}:
            raise ValidationError({"status": f"该事项当前为“{locked.get_status_display()}”，不能转交部门办理"})
        description = locked.text if not locked.solution else f"{locked.text}（解决建议：{locked.solution}）"
        problem, _created = grid.report_problem(actor=actor, category=category, region=locked.region, address=address,
                                                description=description[:2000], reporter_kind="cadre",
                                                contact=locked.raiser_contact, scope_checked=True)  # fmt: skip
        step = "已派至" + problem.unit.name if problem.unit_id else "暂无分派规则，待街道分派"
        return _step(actor, locked, {S.ACCEPTED, S.PROPOSED}, S.FORWARDED, "forward", f"事件 #{problem.pk}，{step}", problem=problem)


def close_item(*, actor, item: Item, outcome: str) -> Item:
    """Close an item with its outcome; whoever raised it is told at once when they left a number or an address and
    a channel is configured."""
    outcome = checked_text(outcome, "outcome", 2000, "办理结果")
    allowed = {S.ACTED} | ({S.FORWARDED} if item.problem_id and item.problem.status in ("resolved", "confirmed") else set())
    if item.status == S.FORWARDED and S.FORWARDED not in allowed:
        raise ValidationError({"status": "转交的事件尚未办结，不能关闭"})
    item = _step(actor, item, allowed, S.CLOSED, "close", outcome, outcome=outcome, closed_at=timezone.now())
    transaction.on_commit(lambda: tell_by_message(actor=actor, item=item, quiet=True))
    return item


def close_from_problem(problem) -> Item | None:
    """The grid problem a forwarded item became was closed: close the item with the department's resolution."""
    item = Item.objects.filter(problem=problem, status=S.FORWARDED).first()
    if item is None:
        return None
    resolution = problem.steps.filter(action="resolve").order_by("-at", "-pk").first()
    outcome = f"{problem.unit.name if problem.unit_id else '相关部门'}已办结：{resolution.note if resolution else '已处理'}"
    with transaction.atomic():
        item.status, item.outcome, item.closed_at = S.CLOSED, outcome[:2000], timezone.now()
        item.save(update_fields=["status", "outcome", "closed_at"])
        ItemStep.objects.create(item=item, action="close", note=outcome[:2000])
        record_event(actor=None, action="fieldwork.item.close", obj=item, data={"problem": problem.pk})
    transaction.on_commit(lambda: tell_by_message(actor=None, item=item, quiet=True))
    return item


TOLD = {"message": "短信或邮件", "phone": "电话告知", "in_person": "当面告知"}


def _channel(address: str) -> str | None:
    channel = "email" if "@" in address else "sms"
    return channel if TRANSPORTS[channel].is_configured() else None


def tell_by_message(*, actor, item: Item, quiet: bool = False) -> Item:
    """Send the outcome to whoever raised the item, by text message or e-mail (the pluggable sender). `quiet`: do
    nothing, rather than refuse, when there is no address or channel."""
    item = Item.objects.get(pk=item.pk)
    address = item.raiser_contact
    channel = _channel(address) if address else None
    if item.status != S.CLOSED or item.told_at is not None or channel is None:
        if quiet:
            return item
        if item.status != S.CLOSED:
            raise ValidationError({"status": "事项关闭后才能告知办理结果"})
        raise ValidationError({"how": "没有提出人的联系方式或未配置短信、邮件发送，请电话或当面告知后记录"})
    text = f"【民评】您反映的“{item.text[:40]}”已办结：{item.outcome[:200]}"
    outcome = notify(channel=channel, topic="fieldwork.told", actor=actor,
                     outgoing=[Outgoing(item.raised_by or "提出人", Message(address=address, subject="您反映的事项已办结", text=text))])  # fmt: skip
    if outcome.sent:
        _record_told(actor, item, "message")
    elif not quiet:
        raise ValidationError({"how": "发送失败，请稍后重试或电话告知"})
    return item


def _record_told(actor, item: Item, how: str) -> None:
    with transaction.atomic():
        updated = Item.objects.filter(pk=item.pk, told_at__isnull=True).update(told_at=timezone.now(), told_how=how)
        if updated:
            ItemStep.objects.create(item=item, action="tell", actor=actor, note=TOLD[how])
            record_event(actor=actor, action="fieldwork.item.tell", obj=item, data={"how": how})


def tell_raiser(*, actor, item: Item, how: str) -> Item:
    """Tell whoever raised a closed item its outcome: by message through the sender, or record a call or a visit."""
    if not may_follow(actor, item):
        raise PermissionDenied("只有跟进该事项的干部或其上级可以办理")
    if how not in TOLD:
        raise ValidationError({"how": "请选择告知方式"})
    item = Item.objects.select_related("region").get(pk=item.pk)
    if how == "message":
        return tell_by_message(actor=actor, item=item)
    if item.status != S.CLOSED:
        raise ValidationError({"status": "事项关闭后才能告知办理结果"})
    if item.told_at is not None:
        raise ValidationError({"how": "已告知过提出人"})
    _record_told(actor, item, how)
    return Item.objects.get(pk=item.pk)


# Reception days -------------------------------------------------------------------------------------------------

def _day_in(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def create_schedule(*, actor, region: Region, place: str, day, cadres, per_session=2, months=12, starts_on: dt.date | None = None) -> Schedule:
    """A reception day on `day` of every month at `region`, its sessions for the next `months` months, and a
    rota: the cadres take turns, `per_session` at a time."""
    ensure_region_in_scope(actor, region)
    place = checked_text(place, "place", 200, "接访地点")
    day = _count(day, "day", "每月接访日", 31)
    per_session = _count(per_session, "per_session", "每次接访干部人数", 20)
    months = _count(months, "months", "排班月数", 24)
    cadres = list(cadres)
    if day < 1 or per_session < 1 or months < 1:
        raise ValidationError({"day": "每月接访日、每次接访人数和排班月数都应大于 0"})
    if not cadres:
        raise ValidationError({"cadres": "请选择轮值干部"})
    _same_district(cadres, region, "cadres")
    starts_on = starts_on or timezone.localdate()
    with transaction.atomic():
        schedule = Schedule.objects.create(region=region, place=place, day=day, per_session=per_session, created_by=actor)
        schedule.cadres.set(cadres)
        year, month, turn = starts_on.year, starts_on.month, 0
        for _ in range(months + 1):
            on = _day_in(year, month, day)
            if on >= starts_on and turn < months * per_session:
                session = Session.objects.create(schedule=schedule, on=on)
                session.cadres.set([cadres[(turn + k) % len(cadres)] for k in range(min(per_session, len(cadres)))])
                turn += per_session
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        record_event(actor=actor, action="fieldwork.schedule.create", obj=schedule, data={"region": region.pk, "day": day, "cadres": [c.pk for c in cadres]})
    return schedule


def set_rota(*, actor, session: Session, cadres) -> Session:
    ensure_region_in_scope(actor, session.schedule.region)
    cadres = list(cadres)
    if not cadres:
        raise ValidationError({"cadres": "请选择当天接访的干部"})
    _same_district(cadres, session.schedule.region, "cadres")
    with transaction.atomic():
        session.cadres.set(cadres)
        record_event(actor=actor, action="fieldwork.session.rota", obj=session, data={"cadres": [c.pk for c in cadres]})
    return session


def may_record_session(user, session: Session) -> bool:
    if user.cadre_id and session.cadres.filter(pk=user.cadre_id).exists():
        return True
    return user.can_use_console and (user.is_system_admin or session.schedule.region.is_within(user.region))


def record_session(*, actor, session: Session, visitors, notes: str, items: list[dict]) -> Session:
    """What happened at a reception day: visitors, notes, and each matter raised as an item, followed by the cadre
    on duty who received it."""
    if not may_record_session(actor, session):
        raise PermissionDenied("只有当天接访的干部或其上级可以记录")
    if session.on > timezone.localdate():
        raise ValidationError({"on": "接访日还没到，不能记录"})
    visitors = _count(visitors, "visitors", "来访人数")
    notes = checked_text(notes, "notes", 2000, "接访情况", required=False)
    on_duty = {c.pk: c for c in session.cadres.all()}
    with transaction.atomic():
        session.held, session.visitors, session.notes = True, visitors, notes
        session.save(update_fields=["held", "visitors", "notes"])
        for raised in items:
            cadre = on_duty.get(raised.get("cadre")) or on_duty.get(actor.cadre_id) or next(iter(on_duty.values()), None)
            if cadre is None:
                raise ValidationError({"cadres": "请先安排当天接访的干部"})
            add_item(actor=actor, kind=raised.get("kind", Item.Kind.PROBLEM), text=raised.get("text", ""), cadre=cadre,
                     region=session.schedule.region, raised_by=raised.get("raised_by", ""), raiser_contact=raised.get("raiser_contact", ""),
                     session=session)  # fmt: skip
        record_event(actor=actor, action="fieldwork.session.record", obj=session, data={"visitors": visitors, "items": len(items)})
    return session


# Research topics and meetings -----------------------------------------------------------------------------------

def create_topic(*, actor, region: Region, title: str, owner: Cadre, team, deliverables: str, starts_on, due_on) -> Topic:
    ensure_region_in_scope(actor, region)
    team = [c for c in team if c.pk != owner.pk]
    _same_district([owner, *team], region, "team")
    starts_on, due_on = typed_date(starts_on, "starts_on", "开始日期"), typed_date(due_on, "due_on", "完成期限")
    if due_on < starts_on:
        raise ValidationError({"due_on": "完成期限不能早于开始日期"})
    with transaction.atomic():
        topic = Topic.objects.create(region=region, title=checked_text(title, "title", 200, "课题名称"), owner=owner,
                                     deliverables=checked_text(deliverables, "deliverables", 1000, "预期成果"),
                                     starts_on=starts_on, due_on=due_on, created_by=actor)  # fmt: skip
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


def record_meeting(*, actor, region: Region, kind: str, title: str, held_on, convener: Cadre, participants, documents: str = "",
                   suggestions: str = "", notes: str = "", topic: Topic | None = None) -> Meeting:  # fmt: skip
    """A forum or a site meeting held; each line of `suggestions` becomes an item followed by the convener, each
    line of `documents` a document it produced."""
    ensure_region_in_scope(actor, region)
    if kind not in Meeting.Kind.values:
        raise ValidationError({"kind": "请选择会议类型"})
    held_on = typed_date(held_on, "held_on", "会议日期")
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": "不能记录尚未召开的会议"})
    _same_district([convener], region, "convener")
    if topic is not None and not topic.region.is_within(district_of(region)):
        raise ValidationError({"topic": "课题不属于本区（县）"})
    lines = split_lines(suggestions, "suggestions", "收集的意见建议")
    with transaction.atomic():
        meeting = Meeting.objects.create(region=region, kind=kind, title=checked_text(title, "title", 200, "会议名称"), held_on=held_on,
                                         convener=convener, participants=_count(participants, "participants", "参会人数", 10000),
                                         documents=[d[:200] for d in split_lines(documents, "documents", "形成的文件")],
                                         notes=checked_text(notes, "notes", 2000, "会议纪要", required=False), topic=topic, created_by=actor)  # fmt: skip
        for line in lines:
            _new_item(actor, kind=Item.Kind.SUGGESTION, text=line[:1000], region=region, cadre=convener, meeting=meeting,
                      raised_by="参会人员", raiser_kind=Item.Raiser.RESIDENT)  # fmt: skip
        record_event(actor=actor, action="fieldwork.meeting.record", obj=meeting, data={"kind": kind, "participants": meeting.participants})
    return meeting


# 蹲点 --------------------------------------------------------------------------------------------------------------

def create_project(*, actor, region: Region, name: str, description: str = "") -> Project:
    ensure_region_in_scope(actor, region)
    name = checked_text(name, "name", 200, "项目名称")
    if Project.objects.filter(region=region, name=name).exists():
        raise ValidationError({"name": f"{region.name}已有项目“{name}”"})
    with transaction.atomic():
        project = Project.objects.create(region=region, name=name, description=checked_text(description, "description", 1000, "项目简介", required=False))
        record_event(actor=actor, action="fieldwork.project.create", obj=project, data={"name": name})
    return project


def create_pairing(*, actor, project: Project, cadre: Cadre, senior: Cadre, starts_on, ends_on, site_days_a_week=1,
                   exchanges_a_month=1, reports_a_month=1) -> Pairing:  # fmt: skip
    ensure_region_in_scope(actor, project.region)
    if cadre.pk == senior.pk:
        raise ValidationError({"senior": "蹲点干部和二线干部不能是同一人"})
    _same_district([cadre, senior], project.region, "cadre")
    starts_on, ends_on = typed_date(starts_on, "starts_on", "开始日期"), typed_date(ends_on, "ends_on", "结束日期")
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "结束日期不能早于开始日期"})
    targets = {"site_days_a_week": _count(site_days_a_week, "site_days_a_week", "每周在现场天数", 7),
               "exchanges_a_month": _count(exchanges_a_month, "exchanges_a_month", "每月交流次数", 31),
               "reports_a_month": _count(reports_a_month, "reports_a_month", "每月报告次数", 31)}  # fmt: skip
    with transaction.atomic():
        pairing = Pairing.objects.create(project=project, cadre=cadre, senior=senior, starts_on=starts_on, ends_on=ends_on,
                                         created_by=actor, **targets)  # fmt: skip
        record_event(actor=actor, action="fieldwork.pairing.create", obj=pairing, data={"project": project.pk, "cadre": cadre.pk, "senior": senior.pk, **targets})
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
