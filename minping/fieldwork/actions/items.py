"""Items followed to closure: a solution proposed, acted on, handed to the grid's dispatch, closed, and whoever raised it told."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from minping.audit.actions import record_event
from minping.fieldwork.actions.common import S
from minping.fieldwork.models import (
    Entry,
    FollowUp,
    ItemStep,
    Meeting,
    ReceptionDay,
)
from minping.grid import actions as grid
from minping.lib.messaging import TRANSPORTS, Message
from minping.lib.text import checked_text
from minping.notifications.actions import Outgoing, notify
from minping.org.models import Cadre, Region


def new_item(actor, **fields) -> FollowUp:
    item = FollowUp.objects.create(**fields)
    ItemStep.objects.create(item=item, action="accept", actor=actor, note=item.text[:200])
    return item


def add_item(
    *,
    actor,
    kind: str,
    text: str,
    cadre: Cadre,
    region: Region,
    raised_by: str = "",
    raiser_kind: str = FollowUp.Raiser.RESIDENT,
    raiser_contact: str = "",
    entry: Entry | None = None,
    meeting: Meeting | None = None,
    session: ReceptionDay | None = None,
) -> FollowUp:
    """One item raised in an entry, a meeting or a reception session, followed by `cadre`."""
    if kind not in FollowUp.Kind.values:
        raise ValidationError({"kind": "请选择意见建议或问题"})
    if raiser_kind not in FollowUp.Raiser.values:
        raise ValidationError({"raiser_kind": "请选择提出人类别"})
    fields = {
        "kind": kind,
        "text": checked_text(text, "text", 1000, "意见建议或问题"),
        "cadre": cadre,
        "region": region,
        "raised_by": checked_text(raised_by, "raised_by", 100, "提出人", required=False),
        "raiser_kind": raiser_kind,
        "raiser_contact": checked_text(raiser_contact, "raiser_contact", 100, "联系方式", required=False),
        "entry": entry,
        "meeting": meeting,
        "session": session,
    }
    with transaction.atomic():
        item = new_item(actor, **fields)
        record_event(actor=actor, action="fieldwork.item.add", obj=item, data={"kind": kind})
    return item


def may_follow(user, item: FollowUp) -> bool:
    """The cadre following an item, and the console users over its region."""
    if user.cadre_id is not None and user.cadre_id == item.cadre_id:
        return True
    return user.can_use_console and (user.is_system_admin or item.region.is_within(user.region))


def _step(actor, item: FollowUp, allowed: set, to: str, action: str, note: str, **fields) -> FollowUp:
    if not may_follow(actor, item):
        raise PermissionDenied("只有跟进该事项的干部或其上级可以办理")
    with transaction.atomic():
        item = FollowUp.objects.select_for_update(of=("self",)).select_related("region", "cadre").get(pk=item.pk)
        if item.status not in allowed:
            raise ValidationError({"status": f"该事项当前为“{item.get_status_display()}”，不能{ItemStep.LABELS[action]}"})
        item.status = to
        for name, value in fields.items():
            setattr(item, name, value)
        item.save()
        ItemStep.objects.create(item=item, action=action, actor=actor, note=note[:2000])
        record_event(actor=actor, action=f"fieldwork.item.{action}", obj=item, data={"note": note[:200]})
    return item


def propose_solution(*, actor, item: FollowUp, solution: str) -> FollowUp:
    """A proposed solution (解决建议)."""
    solution = checked_text(solution, "solution", 2000, "解决建议")
    return _step(actor, item, {S.ACCEPTED, S.PROPOSED}, S.PROPOSED, "propose", solution, solution=solution, proposed_at=timezone.now())


def act_on_item(*, actor, item: FollowUp, note: str) -> FollowUp:
    """What was done about it by the cadre and those around them."""
    note = checked_text(note, "note", 2000, "办理情况")
    return _step(actor, item, {S.ACCEPTED, S.PROPOSED}, S.ACTED, "act", note)


def forward_item(*, actor, item: FollowUp, category, address: str) -> FollowUp:
    """Hand a problem a department must handle to the grid's dispatch: one grid problem, linked to the item, routed
    by the category's route (or left for the street's dispatch when no route names a department). The item closes
    when the grid's problem is closed."""
    if not may_follow(actor, item):
        raise PermissionDenied("只有跟进该事项的干部或其上级可以办理")
    if category is None:
        raise ValidationError({"category": "请选择事件类别"})
    with transaction.atomic():
        locked = FollowUp.objects.select_for_update(of=("self",)).select_related("region", "cadre").get(pk=item.pk)
        if locked.status not in {S.ACCEPTED, S.PROPOSED}:
            raise ValidationError({"status": f"该事项当前为“{locked.get_status_display()}”，不能转交部门办理"})
        description = locked.text if not locked.solution else f"{locked.text}（解决建议：{locked.solution}）"
        problem, _created = grid.report_problem(
            actor=actor,
            category=category,
            region=locked.region,
            address=address,
            description=description[:2000],
            reporter_kind="cadre",
            contact=locked.raiser_contact,
            scope_checked=True,
        )
        step = "已派至" + problem.unit.name if problem.unit_id else "暂无分派规则，待街道分派"
        return _step(actor, locked, {S.ACCEPTED, S.PROPOSED}, S.FORWARDED, "forward", f"事件 #{problem.pk}，{step}", problem=problem)


def close_item(*, actor, item: FollowUp, outcome: str) -> FollowUp:
    """Close an item with its outcome; whoever raised it is told at once when they left a number or an address and
    a channel is configured."""
    outcome = checked_text(outcome, "outcome", 2000, "办理结果")
    allowed = {S.ACTED} | ({S.FORWARDED} if item.problem_id and item.problem.status in ("resolved", "confirmed") else set())
    if item.status == S.FORWARDED and S.FORWARDED not in allowed:
        raise ValidationError({"status": "转交的事件尚未办结，这一事项也不能办结"})
    item = _step(actor, item, allowed, S.CLOSED, "close", outcome, outcome=outcome, closed_at=timezone.now())
    transaction.on_commit(lambda: tell_by_message(actor=actor, item=item, quiet=True))
    return item


def close_from_problem(problem) -> FollowUp | None:
    """The grid problem a forwarded item became was closed: close the item with the department's resolution."""
    item = FollowUp.objects.filter(problem=problem, status=S.FORWARDED).first()
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


def tell_by_message(*, actor, item: FollowUp, quiet: bool = False) -> FollowUp:
    """Send the outcome to whoever raised the item, by text message or e-mail (the pluggable sender). `quiet`: do
    nothing, rather than refuse, when there is no address or channel."""
    item = FollowUp.objects.get(pk=item.pk)
    address = item.raiser_contact
    channel = _channel(address) if address else None
    if item.status != S.CLOSED or item.told_at is not None or channel is None:
        if quiet:
            return item
        if item.status != S.CLOSED:
            raise ValidationError({"status": "事项办结后才能告知办理结果"})
        raise ValidationError({"how": "没有提出人的联系方式或未配置短信、邮件发送，请电话或当面告知后记录"})
    text = f"【民评】您反映的“{item.text[:40]}”已办结：{item.outcome[:200]}"
    outcome = notify(
        channel=channel,
        topic="fieldwork.told",
        actor=actor,
        outgoing=[Outgoing(item.raised_by or "提出人", Message(address=address, subject="您反映的事项已办结", text=text))],
    )
    if outcome.sent:
        _record_told(actor, item, "message")
    elif not quiet:
        raise ValidationError({"how": "发送失败，请稍后重试或电话告知"})
    return item


def _record_told(actor, item: FollowUp, how: str) -> None:
    with transaction.atomic():
        updated = FollowUp.objects.filter(pk=item.pk, told_at__isnull=True).update(told_at=timezone.now(), told_how=how)
        if updated:
            ItemStep.objects.create(item=item, action="tell", actor=actor, note=TOLD[how])
            record_event(actor=actor, action="fieldwork.item.tell", obj=item, data={"how": how})


def tell_raiser(*, actor, item: FollowUp, how: str) -> FollowUp:
    """Tell whoever raised a closed item its outcome: by message through the sender, or record a call or a visit."""
    if not may_follow(actor, item):
        raise PermissionDenied("只有跟进该事项的干部或其上级可以办理")
    if how not in TOLD:
        raise ValidationError({"how": "请选择告知方式"})
    item = FollowUp.objects.select_related("region").get(pk=item.pk)
    if how == "message":
        return tell_by_message(actor=actor, item=item)
    if item.status != S.CLOSED:
        raise ValidationError({"status": "事项办结后才能告知办理结果"})
    if item.told_at is not None:
        raise ValidationError({"how": "已告知过提出人"})
    _record_told(actor, item, how)
    return FollowUp.objects.get(pk=item.pk)
