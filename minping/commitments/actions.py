"""Every change to commitments, duty reports and pledges: one function each, in one transaction, audited."""

import datetime as dt
import secrets
from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from minping.accounts.scoping import ensure_region_in_scope
from minping.audit.actions import record_event
from minping.commitments import periods, scoring
from minping.commitments.models import (
    Assessment,
    Check,
    CommitmentForm,
    ConfirmedVersion,
    DutyReport,
    Item,
    Pledge,
    Progress,
    Question,
    Reminder,
    Review,
    Revision,
    SampleAudit,
    Score,
    Sequence,
)
from minping.evaluations import actions as evaluations
from minping.evaluations import lifecycle
from minping.evaluations.models import Campaign, Instrument, Subject
from minping.evidence.actions import atomic_with_files, store_evidence
from minping.lib import sampling, stats
from minping.lib.dates import typed_date
from minping.lib.text import checked_percent, checked_text
from minping.org.models import Cadre, Region, Unit

MAX_ITEMS = 20
MAX_SAMPLE = 100
MAX_RATED_ITEMS = 100  # one rating ballot lists at most this many commitments
MAX_FILES = 5
Status = CommitmentForm.Status
EDITABLE = {Status.DRAFT, Status.RETURNED}
DECIDED = {Status.APPROVED, Status.PUBLISHED}


def owner_region(owner) -> Region:
    return owner if isinstance(owner, Region) else owner.region


def may_file(user, owner) -> bool:
    """A cadre files their own form, a department handler their unit's; console users any form of their region."""
    if isinstance(owner, Cadre) and user.cadre_id == owner.pk:
        return True
    if isinstance(owner, Unit) and user.unit_id == owner.pk:
        return True
    if not user.can_use_console:
        return False
    return user.is_system_admin or owner_region(owner).is_within(user.region)


def ensure_may_file(user, form: CommitmentForm) -> None:
    if not may_file(user, form.owner):
        raise PermissionDenied("您不能填报或修改这份承诺表")


def may_approve(user, form: CommitmentForm) -> bool:
    if not user.can_use_console or (form.cadre_id and user.cadre_id == form.cadre_id):
        return False
    return user.is_system_admin or form.region.is_within(user.region)


def ensure_may_approve(user, form: CommitmentForm) -> None:
    if not may_approve(user, form):
        raise PermissionDenied("您不能审核这份承诺表")


def _locked(form: CommitmentForm) -> CommitmentForm:
    return CommitmentForm.objects.select_for_update().select_related("region").get(pk=form.pk)


def start_form(*, actor, owner, month: dt.date, sequence: Sequence | None = None) -> CommitmentForm:
    """A draft form of `owner` (a cadre, a unit or a community) for `month`, or the one it already has."""
    if isinstance(owner, Region) and owner.level != Region.Level.COMMUNITY:
        raise ValidationError({"owner": "集体承诺只能由社区（村）填报"})
    if not may_file(actor, owner):
        raise PermissionDenied("您不能为此人或单位填报承诺表")
    periods.ensure_open_for_filing(month)
    region = owner_region(owner)
    if sequence is not None and not region.is_within(sequence.region):
        raise ValidationError({"sequence": "所选序列不属于该区域"})
    field = {Cadre: "cadre", Unit: "unit", Region: "collective"}[type(owner)]
    with transaction.atomic():
        form, created = CommitmentForm.objects.get_or_create(
            **{field: owner, "month": month},
            defaults={"region": region, "sequence": sequence or _last_sequence(field, owner), "created_by": actor},
        )
        if created:
            record_event(actor=actor, action="commitment.form_start", obj=form, data={"owner": str(owner), "month": str(month)})
    return form


def _last_sequence(field: str, owner) -> Sequence | None:
    last = CommitmentForm.objects.filter(**{field: owner}, sequence__isnull=False).order_by("-month").first()
    return last.sequence if last else None


def _deadline_bounds(form: CommitmentForm) -> tuple[dt.date, dt.date]:
    """An item's deadline lies inside the form's month; a pledge's forms run to the end of their year."""
    if Pledge.objects.filter(community_form=form).exists() or Pledge.objects.filter(unit_form=form).exists():
        return form.month, dt.date(form.month.year, 12, 31)
    return form.month, periods.last_day(form.month)


def _item_fields(form: CommitmentForm, data: dict) -> dict:
    category = data.get("category") or Item.Category.KEY_WORK
    if category not in Item.Category.values:
        raise ValidationError({"category": "请选择承诺类别"})
    deadline = typed_date(data.get("deadline"), "deadline", "完成时限")
    first, last = _deadline_bounds(form)
    if not first <= deadline <= last:
        raise ValidationError({"deadline": f"完成时限应在 {first:%Y年%-m月%-d日} 至 {last:%Y年%-m月%-d日} 之间"})
    place = data.get("place")
    if place is not None and not place.is_within(form.region.parent or form.region) and not place.is_within(form.region):
        raise ValidationError({"place": "关联区域不在本承诺表的范围内"})
    return {
        "category": category,
        "content": checked_text(data.get("content"), "content", 500, what="承诺内容"),
        "target": checked_text(data.get("target"), "target", 300, what="可衡量的目标"),
        "deadline": deadline,
        "project": checked_text(data.get("project"), "project", 200, required=False, what="重点项目"),
        "place": place,
    }


def save_item(*, actor, form: CommitmentForm, data: dict, item: Item | None = None, reason: str = "") -> Item:
    """Add an item to a draft or returned form, or change one. An item of an approved or published form may only
    be changed with a reason, and its earlier wording is kept as a revision shown on the board."""
    ensure_may_file(actor, form)
    with transaction.atomic():
        form = _locked(form)
        if form.status == Status.SUBMITTED:
            raise ValidationError("承诺表已提交审核，审核前不能修改")
        if form.status in DECIDED and timezone.localdate() > _deadline_bounds(form)[1]:
            raise ValidationError(f"{periods.label(form.month)}的承诺期已经结束，承诺不能再修改")
        fields = _item_fields(form, data)
        if form.status in DECIDED:
            if item is None:
                raise ValidationError("承诺表已审核通过，不能再增加承诺；如需调整请修改原承诺并说明理由")
            reason = checked_text(reason, "reason", 300, what="修改理由")
            item = Item.objects.select_for_update().get(pk=item.pk, form=form)
            Revision.objects.create(
                item=item,
                number=item.revision,
                category=item.category,
                content=item.content,
                target=item.target,
                deadline=item.deadline,
                reason=reason,
                changed_by=actor,
            )
            item.revision += 1
        else:
            periods.ensure_open_for_filing(form.month)
            if item is None:
                if form.items.count() >= MAX_ITEMS:
                    raise ValidationError(f"每份承诺表最多 {MAX_ITEMS} 项承诺")
                item = Item(form=form, position=form.items.count() + 1)
            else:
                item = Item.objects.select_for_update().get(pk=item.pk, form=form)
        for name, value in fields.items():
            setattr(item, name, value)
        item.save()
        record_event(
            actor=actor, action="commitment.item_save", obj=form, data={"item": item.pk, "revision": item.revision, "reason": reason}
        )
    return item


def remove_item(*, actor, item: Item) -> None:
    ensure_may_file(actor, item.form)
    with transaction.atomic():
        form = _locked(item.form)
        if form.status not in EDITABLE:
            raise ValidationError("只有草稿或退回的承诺表可以删除承诺")
        item.delete()
        record_event(actor=actor, action="commitment.item_remove", obj=form, data={"item": item.content[:100]})


def submit_form(*, actor, form: CommitmentForm) -> CommitmentForm:
    ensure_may_file(actor, form)
    with transaction.atomic():
        form = _locked(form)
        if form.status not in EDITABLE:
            raise ValidationError("这份承诺表已经提交过了")
        periods.ensure_open_for_filing(form.month)
        if not form.items.exists():
            raise ValidationError("请至少填写一项承诺再提交")
        form.status, form.submitted_at, form.return_reason = Status.SUBMITTED, timezone.now(), ""
        form.save(update_fields=["status", "submitted_at", "return_reason"])
        record_event(actor=actor, action="commitment.submit", obj=form)
    return form


def approve_form(*, actor, form: CommitmentForm) -> CommitmentForm:
    return _decide(actor, form, Status.APPROVED, "")


def return_form(*, actor, form: CommitmentForm, reason: str) -> CommitmentForm:
    return _decide(actor, form, Status.RETURNED, checked_text(reason, "reason", 500, what="退回理由"))


def _decide(actor, form: CommitmentForm, status: str, reason: str) -> CommitmentForm:
    ensure_may_approve(actor, form)
    with transaction.atomic():
        form = _locked(form)
        if form.status != Status.SUBMITTED:
            raise ValidationError("只能审核已提交的承诺表")
        form.status, form.return_reason, form.decided_by, form.decided_at = status, reason, actor, timezone.now()
        form.save(update_fields=["status", "return_reason", "decided_by", "decided_at"])
        record_event(
            actor=actor, action=f"commitment.{'approve' if status == Status.APPROVED else 'return'}", obj=form, data={"reason": reason}
        )
    return form


def publish_forms(*, actor, forms) -> int:
    """Post approved forms on the public board."""
    forms = list(forms)
    for form in forms:
        ensure_may_approve(actor, form)
    with transaction.atomic():
        ids = [f.pk for f in forms]
        locked = list(CommitmentForm.objects.select_for_update().filter(pk__in=ids))
        waiting = [f for f in locked if f.status == Status.APPROVED]
        if not waiting:
            raise ValidationError("没有已审核待公开的承诺表")
        CommitmentForm.objects.filter(pk__in=[f.pk for f in waiting]).update(status=Status.PUBLISHED, published_at=timezone.now())
        for form in waiting:
            record_event(actor=actor, action="commitment.publish", obj=form)
    return len(waiting)


def add_progress(*, actor, item: Item, percent, text: str, outcome: str = Item.Outcome.OPEN, reason: str = "", files=()) -> Progress:
    """Record progress on a published commitment, with evidence files (checked and kept by evidence); an outcome
    other than "open" ends the item. Nothing is kept if any part is refused."""
    form = item.form
    ensure_may_file(actor, form)
    percent = checked_percent(percent)
    if outcome not in Item.Outcome.values:
        raise ValidationError({"outcome": "请选择践诺结果"})
    if outcome == Item.Outcome.KEPT and percent != 100:
        raise ValidationError(
            {"percent": f"“已践诺”须达到承诺目标（进度 100%），现在填的是 {percent}%；未达到目标请选“部分践诺”或继续记录进展"}
        )
    reason = checked_text(reason, "reason", 500, required=outcome in {Item.Outcome.PARTLY, Item.Outcome.NOT_KEPT}, what="未完全践诺的原因")
    text = checked_text(text, "text", 1000, what="进展情况")
    files = [f for f in files if f]
    if len(files) > MAX_FILES:
        raise ValidationError({"file": f"每次最多上传 {MAX_FILES} 个文件"})
    with atomic_with_files():
        form = _locked(form)
        if form.status != Status.PUBLISHED:
            raise ValidationError("承诺公开后才能记录践诺进展")
        item = Item.objects.select_for_update().get(pk=item.pk, form=form)
        if item.outcome != Item.Outcome.OPEN:
            raise ValidationError("这项承诺已有最终结果，不能再更新")
        if outcome == Item.Outcome.KEPT and not files and not Progress.evidence.through.objects.filter(progress__item=item).exists():
            raise ValidationError({"file": "“已践诺”须有佐证材料（照片或文件），请随本次进展上传"})
        update = Progress.objects.create(item=item, percent=percent, text=text, outcome=outcome, added_by=actor)
        stored = [store_evidence(actor=actor, upload=f, region=form.region, purpose="commitment.progress", public=True) for f in files]
        update.evidence.set(stored)
        item.progress, item.outcome, item.outcome_reason = percent, outcome, reason
        item.verification = Item.Verification.SELF_REPORTED  # a new report is the owner's word until verified
        item.save(update_fields=["progress", "outcome", "outcome_reason", "verification"])
        record_event(
            actor=actor,
            action="commitment.progress",
            obj=form,
            data={"item": item.pk, "percent": percent, "outcome": outcome, "files": [str(e.pk) for e in stored]},
        )
    return update


def review_outcome(*, actor, item: Item, verdict: str, note: str = "") -> Review:
    """The office verifies an outcome the owner reported (已践诺 or 部分践诺): confirmed, partly confirmed, or
    refuted. A refuted claim reopens the item (its owner reports again) and stays on the item's history; only
    someone who may approve the owner's form reviews it, never the owner."""
    form = item.form
    ensure_may_approve(actor, form)
    if verdict not in {v for v in Item.Verification.values if v}:
        raise ValidationError({"verdict": "请选择核实结论"})
    note = checked_text(note, "note", 500, required=verdict != Item.Verification.CONFIRMED, what="核实说明")
    with transaction.atomic():
        item = Item.objects.select_for_update().get(pk=item.pk)
        if item.outcome not in {Item.Outcome.KEPT, Item.Outcome.PARTLY}:
            raise ValidationError("这项承诺还没有申报践诺结果，无需核实")
        return _apply_review(actor, item, verdict, note, by_sample=False)


def _apply_review(actor, item: Item, verdict: str, note: str, *, by_sample: bool) -> Review:
    review = Review.objects.create(item=item, claimed=item.outcome, verdict=verdict, note=note, reviewed_by=actor, by_sample=by_sample)
    item.verification = verdict
    if verdict == Item.Verification.REFUTED:
        item.outcome, item.outcome_reason = Item.Outcome.OPEN, ""
    item.save(update_fields=["verification", "outcome", "outcome_reason"])
    record_event(
        actor=actor,
        action="commitment.review",
        obj=item.form,
        data={"item": item.pk, "claimed": review.claimed, "verdict": verdict, "sample": by_sample},
    )
    return review


QUOTA_FIELDS = {
    "innovation_quota": "实干创新奖名额",
    "excellent_min": "优秀奖最少名额",
    "excellent_max": "优秀奖最多名额",
    "good_quota": "良好奖名额",
}


def save_sequence(*, actor, region: Region, name: str, quotas: dict, sequence: Sequence | None = None) -> Sequence:
    """Create a sequence of `region` (or change one) with its award quotas."""
    ensure_region_in_scope(actor, region)
    name = checked_text(name, "name", 100, what="序列名称")
    values = {}
    for key, label in QUOTA_FIELDS.items():
        raw = str(quotas.get(key, "")).strip()
        if not raw.isdigit() or int(raw) > 50:
            raise ValidationError({key: f"{label}应为 0 到 50 的整数"})
        values[key] = int(raw)
    if values["excellent_min"] > values["excellent_max"]:
        raise ValidationError({"excellent_min": "优秀奖最少名额不能多于最多名额"})
    with transaction.atomic():
        if Sequence.objects.filter(region=region, name=name).exclude(pk=getattr(sequence, "pk", None)).exists():
            raise ValidationError({"name": f"{region.name}已有名为“{name}”的序列"})
        if sequence is None:
            sequence = Sequence(region=region)
        else:
            ensure_region_in_scope(actor, sequence.region)
        sequence.name = name
        for key, value in values.items():
            setattr(sequence, key, value)
        sequence.save()
        record_event(actor=actor, action="commitment.sequence", obj=sequence, data={"name": name, **values})
    return sequence


def set_sequence(*, actor, form: CommitmentForm, sequence: Sequence | None) -> CommitmentForm:
    ensure_may_file(actor, form)
    if sequence is not None and not form.region.is_within(sequence.region):
        raise ValidationError({"sequence": "所选序列不属于该区域"})
    with transaction.atomic():
        form = _locked(form)
        form.sequence = sequence
        form.save(update_fields=["sequence"])
        record_event(actor=actor, action="commitment.form_sequence", obj=form, data={"sequence": str(sequence or "")})
    return form


def draw_sample(*, actor, region: Region, month: dt.date, size) -> SampleAudit:
    """Draw `size` of the month's published items in `region` at random to check, with the sampler every module
    uses (lib/sampling.draw) and a recorded seed, so anyone can redraw the sample from the month's items."""
    ensure_region_in_scope(actor, region)
    try:
        size = int(size)
    except (TypeError, ValueError):
        raise ValidationError({"size": "抽查数量应为整数"}) from None
    if not 1 <= size <= MAX_SAMPLE:
        raise ValidationError({"size": f"抽查数量应为 1 到 {MAX_SAMPLE}"})
    ids = list(Item.objects.published().within(region).filter(form__month=month).values_list("pk", flat=True))
    if not ids:
        raise ValidationError(f"{periods.label(month)}该区域还没有公开的承诺")
    seed = secrets.token_hex(16)
    chosen = sampling.draw(((0, pk) for pk in ids), {0: min(size, len(ids))}, seed)[0]
    with transaction.atomic():
        sample = SampleAudit.objects.create(region=region, month=month, drawn_by=actor, seed=seed)
        Check.objects.bulk_create(Check(sample=sample, item_id=pk) for pk in sorted(chosen))
        record_event(actor=actor, action="commitment.sample", obj=sample, data={"month": str(month), "items": sorted(chosen), "seed": seed})
    return sample


CHECK_VERIFIES = {
    Check.Verdict.CONFIRMED: Item.Verification.CONFIRMED,
    Check.Verdict.PARTLY: Item.Verification.PARTLY,
    Check.Verdict.REFUTED: Item.Verification.REFUTED,
}


def record_check(*, actor, check: Check, verdict: str, note: str = "") -> Check:
    ensure_region_in_scope(actor, check.sample.region)
    if verdict not in {v for v in Check.Verdict.values if v}:
        raise ValidationError({"verdict": "请选择核查结论"})
    with transaction.atomic():
        check = Check.objects.select_for_update().get(pk=check.pk)
        check.verdict, check.note = verdict, checked_text(note, "note", 500, required=verdict != Check.Verdict.CONFIRMED, what="核查说明")
        check.checked_by, check.checked_at = actor, timezone.now()
        check.save()
        record_event(actor=actor, action="commitment.check", obj=check.sample, data={"item": check.item_id, "verdict": verdict})
        item = Item.objects.select_for_update().get(pk=check.item_id)
        if item.outcome in {Item.Outcome.KEPT, Item.Outcome.PARTLY}:  # a claimed outcome checked on the ground
            _apply_review(actor, item, CHECK_VERIFIES[verdict], check.note, by_sample=True)
    return check


def open_rating(*, actor, region: Region, month: dt.date, sequence: Sequence | None = None, quorum=10) -> Campaign:
    """A draft campaign in which residents rate the month's published commitments of `region` (评诺), one
    subject per item; codes are issued and voting opened on the campaign's page like any other campaign."""
    ensure_region_in_scope(actor, region)
    items = Item.objects.published().within(region).filter(form__month=month).select_related("form__region")
    if sequence is not None:
        items = items.filter(form__sequence=sequence)
    items = list(items.order_by("form__region__path", "form_id", "position"))
    if not items:
        raise ValidationError(f"{periods.label(month)}该区域还没有公开的承诺可供评议")
    if len(items) > MAX_RATED_ITEMS:
        raise ValidationError(f"共有 {len(items)} 项承诺，一张评议票最多 {MAX_RATED_ITEMS} 项；请按序列或下级区域分别组织评诺")
    name = f"{region.name}{periods.label(month)}公开承诺群众评诺" + (f"（{sequence.name}）" if sequence else "")
    instrument = Instrument.objects.get(builtin_key="commitment_rating", region__isnull=True)
    with transaction.atomic():
        campaign = evaluations.create_campaign(
            actor=actor, name=name, region=region, instrument=instrument, channels=["qr", "online"], quorum=int(quorum)
        )
        evaluations.add_subjects(actor=actor, campaign=campaign, subjects=items)
    return campaign


# Duty reports and questions -------------------------------------------------------------------------------------


def may_report(user, subject: Subject) -> bool:
    if subject.kind == "cadre" and user.cadre_id == subject.ref or subject.kind == "unit" and user.unit_id == subject.ref:
        return True
    return user.can_use_console and (user.is_system_admin or subject.campaign.region.is_within(user.region))


def write_duty_report(*, actor, subject: Subject, text: str, upload=None) -> DutyReport:
    """The subject's duty report for the campaign, written or uploaded, while the campaign has not closed."""
    if not may_report(actor, subject):
        raise PermissionDenied("您不能为该对象提交述职报告")
    text = checked_text(text, "text", 20000, what="述职报告")
    with atomic_with_files():
        lifecycle.ensure(subject.campaign, "write_report")
        evidence = None
        if upload is not None:
            evidence = store_evidence(
                actor=actor, upload=upload, region=subject.region or subject.campaign.region, purpose="duty_report", public=True
            )
        report, _created = DutyReport.objects.update_or_create(
            subject=subject,
            defaults={
                "campaign_id": subject.campaign_id,
                "text": text,
                "written_by": actor,
                "updated_at": timezone.now(),
                **({"evidence": evidence} if evidence else {}),
            },
        )
        record_event(actor=actor, action="duty_report.write", obj=subject.campaign, data={"subject": subject.pk})
    return report


def ask_question(*, subject: Subject, text: str, asker: str = "", at_meeting: bool = False, actor=None) -> Question:
    """A resident's question to a subject, before the meeting (public page) or at it (entered by an organiser)."""
    if at_meeting:
        ensure_region_in_scope(actor, subject.campaign.region)
    text = checked_text(text, "text", 1000, what="问题")
    asker = checked_text(asker, "asker", 50, required=False, what="姓名")
    lifecycle.ensure(subject.campaign, "ask")
    with transaction.atomic():
        question = Question.objects.create(campaign_id=subject.campaign_id, subject=subject, text=text, asker=asker, at_meeting=at_meeting)
        if actor is not None:
            record_event(actor=actor, action="question.record", obj=subject.campaign, data={"question": question.pk})
    return question


def answer_question(*, actor, question: Question, answer: str) -> Question:
    if not may_report(actor, question.subject):
        raise PermissionDenied("您不能回答这个问题")
    answer = checked_text(answer, "answer", 5000, what="答复")
    with transaction.atomic():
        question = Question.objects.select_for_update().get(pk=question.pk)
        question.answer, question.answered_by, question.answered_at = answer, actor, timezone.now()
        question.save(update_fields=["answer", "answered_by", "answered_at"])
        record_event(actor=actor, action="question.answer", obj=question.campaign, data={"question": question.pk})
    return question


# 双诺双述双评 -------------------------------------------------------------------------------------------------------


def sign_pledge(*, actor, community: Region, unit: Unit, signed_on: dt.date, agreement=None) -> Pledge:
    """A community and a unit in it sign mutual commitments for the year of `signed_on`: two forms (filled in
    like any other) and the signed agreement document."""
    ensure_region_in_scope(actor, community)
    if community.level != Region.Level.COMMUNITY:
        raise ValidationError({"community": "双诺的一方应为社区（村）"})
    if not unit.region.is_within(community) and not community.is_within(unit.region):
        raise ValidationError({"unit": "该单位不在这个社区或其所在街道"})
    month = periods.month_of(signed_on)
    try:
        return _sign_pledge(actor, community, unit, signed_on, month, agreement)
    except IntegrityError:  # the same pledge signed at the same moment from another page
        raise ValidationError(f"{community.name}与{unit.name}{signed_on.year}年的双诺已经签订") from None


def _sign_pledge(actor, community: Region, unit: Unit, signed_on: dt.date, month: dt.date, agreement) -> Pledge:
    with atomic_with_files():
        if Pledge.objects.filter(community=community, unit=unit, year=signed_on.year).exists():
            raise ValidationError(f"{community.name}与{unit.name}{signed_on.year}年的双诺已经签订")
        community_form = start_form(actor=actor, owner=community, month=month)
        unit_form = start_form(actor=actor, owner=unit, month=month)
        for form, side in ((community_form, community), (unit_form, unit)):
            signed = Pledge.objects.filter(Q(community_form=form) | Q(unit_form=form)).select_related("community", "unit").first()
            if signed is not None:
                raise ValidationError(
                    {
                        "signed_on": f"{side.name}{periods.label(month)}的承诺表已用于“{signed}”，"
                        f"一份承诺表只能对应一份双诺，请改在其他月份签订"
                    }
                )
        document = None
        if agreement is not None:
            document = store_evidence(actor=actor, upload=agreement, region=community, purpose="pledge.agreement", public=True)
        pledge = Pledge.objects.create(
            community=community,
            unit=unit,
            year=signed_on.year,
            signed_on=signed_on,
            community_form=community_form,
            unit_form=unit_form,
            agreement=document,
        )
        record_event(actor=actor, action="pledge.sign", obj=pledge, data={"community": community.name, "unit": unit.name})
    return pledge


def evaluate_pledges(*, actor, community: Region, year: int, quorum=5) -> tuple[Campaign, Campaign]:
    """The year-end 双评: the community's representatives rate the units it signed with, and the units' rate the
    community, each through a campaign of its own (so nobody rates their own side); each side's duty report is
    written on its subject and shown on the ballot."""
    ensure_region_in_scope(actor, community)
    pledges = list(Pledge.objects.filter(community=community, year=year).select_related("unit"))
    if not pledges:
        raise ValidationError(f"{community.name}{year}年没有签订双诺")
    if any(p.of_unit_id for p in pledges):
        raise ValidationError(f"{community.name}{year}年的双评已经建立")
    instrument = Instrument.objects.get(builtin_key="mutual_pledge", region__isnull=True)
    # units in the community, or (as most are) registered with its street
    region = community if all(p.unit.region.is_within(community) for p in pledges) else community.parent
    with transaction.atomic():
        of_units = evaluations.create_campaign(
            actor=actor,
            name=f"{community.name}{year}年双诺双评·社区评驻区单位",
            region=region,
            instrument=instrument,
            channels=["qr", "paper"],
            quorum=int(quorum),
            groups=[{"name": "社区代表", "kind": "grassroots", "weight": 1}],
        )
        evaluations.add_subjects(actor=actor, campaign=of_units, subjects=[p.unit for p in pledges])
        of_community = evaluations.create_campaign(
            actor=actor,
            name=f"{community.name}{year}年双诺双评·驻区单位评社区",
            region=community,
            instrument=instrument,
            channels=["qr", "paper"],
            quorum=int(quorum),
            groups=[{"name": "驻区单位代表", "kind": "custom", "weight": 1}],
        )
        evaluations.add_subjects(actor=actor, campaign=of_community, subjects=[community])
        Pledge.objects.filter(pk__in=[p.pk for p in pledges]).update(of_unit=of_units, of_community=of_community)
        record_event(actor=actor, action="pledge.evaluate", obj=community, data={"year": year, "campaigns": [of_units.pk, of_community.pk]})
    return of_units, of_community


# The quarter's assessment (奖诺): scores by scoring.py's formula, awards within the quotas -----------------------


def assess_quarter(*, actor, region, year: int, quarter: int, weights: dict | None = None) -> Assessment:
    """Compute (or compute again, while not confirmed) the quarter's scores, ranks and proposed awards."""
    ensure_region_in_scope(actor, region)
    weights = scoring.clean_weights(weights or scoring.DEFAULT_WEIGHTS)
    found = scoring.tallies(region, year, quarter)
    if not found:
        raise ValidationError(f"{periods.quarter_label(year, quarter)}该区域没有公开的承诺，无法考评")
    with transaction.atomic():
        assessment = Assessment.objects.select_for_update().filter(region=region, year=year, quarter=quarter).first()
        if assessment and assessment.status == Assessment.Status.CONFIRMED:
            raise ValidationError(f"{periods.quarter_label(year, quarter)}的考评结果已确认，不能重新计算")
        if assessment is None:
            assessment = Assessment(region=region, year=year, quarter=quarter)
        assessment.weights, assessment.computed_by, assessment.computed_at = weights, actor, timezone.now()
        assessment.save()
        assessment.scores.all().delete()
        by_sequence = defaultdict(list)
        for tally in found:
            parts = {
                "fulfilment": scoring.mean(tally.outcomes),
                "verification": scoring.mean(tally.verdicts),
                "rating": scoring.mean(tally.ratings),
            }
            by_sequence[tally.sequence].append(
                Score(
                    assessment=assessment,
                    cadre_id=tally.cadre_id,
                    unit_id=tally.unit_id,
                    sequence=tally.sequence,
                    label=tally.label[:200],
                    items=len(tally.outcomes),
                    fulfilment=round(parts["fulfilment"], 2),
                    verification=scoring.rounded(parts["verification"]),
                    rating=scoring.rounded(parts["rating"]),
                    score=scoring.score_of(parts, weights),
                    rank=0,
                )
            )
        rows, notes = [], []
        for sequence, scores in by_sequence.items():
            for score, rank in zip(scores, stats.competition_ranks([s.score for s in scores]), strict=True):
                score.rank = rank
            notes += scoring.propose(scores, sequence)
            rows += scores
        Score.objects.bulk_create(rows)
        assessment.notes = notes
        assessment.save(update_fields=["notes"])
        record_event(
            actor=actor,
            action="commitment.assess",
            obj=assessment,
            data={"weights": weights, "scores": len(rows), "proposed": sum(1 for r in rows if r.proposed)},
        )
    return assessment


def set_award(*, actor, score: Score, award: str) -> Score:
    """Change one award of a proposed assessment, within the sequence's quotas (优秀奖 up to its maximum)."""
    if award not in Score.Award.values:
        raise ValidationError({"award": "请选择奖项"})
    with transaction.atomic():
        assessment = Assessment.objects.select_for_update().get(pk=score.assessment_id)
        ensure_region_in_scope(actor, assessment.region)
        if assessment.status == Assessment.Status.CONFIRMED:
            raise ValidationError("考评结果已确认，奖项不能再改")
        score = Score.objects.select_related("sequence").get(pk=score.pk)
        if award and score.sequence is None:
            raise ValidationError("未分序列的人员不参与评奖，请先为其承诺表指定序列")
        if award:
            quota = {
                Score.Award.INNOVATION: score.sequence.innovation_quota,
                Score.Award.EXCELLENT: score.sequence.excellent_max,
                Score.Award.GOOD: score.sequence.good_quota,
            }[award]
            taken = Score.objects.filter(assessment=assessment, sequence=score.sequence, award=award).exclude(pk=score.pk).count()
            if taken >= quota:
                raise ValidationError(f"“{score.sequence.name}”序列的{Score.Award(award).label}最多 {quota} 个，已经评满")
        before = score.award
        score.award = award
        score.save(update_fields=["award"])
        record_event(actor=actor, action="commitment.award", obj=assessment, data={"who": score.label, "from": before, "to": award})
    return score


def may_confirm_awards(user) -> bool:
    """Awards are confirmed, closed early and reopened by the organisation department (考核办), not by the street
    office whose staff they rank."""
    return user.is_system_admin or user.role == user.Role.ORGANISER


def ensure_organiser(actor, assessment: Assessment) -> None:
    if not may_confirm_awards(actor):
        raise PermissionDenied("季度奖项只能由组织部门（考核办）确认、提前结束或重新打开")
    ensure_region_in_scope(actor, assessment.region)


def close_quarter_early(*, actor, assessment: Assessment, reason: str) -> Assessment:
    """Let a quarter still running be confirmed now, with the reason on record."""
    ensure_organiser(actor, assessment)
    reason = checked_text(reason, "reason", 500, what="提前结束的理由")
    with transaction.atomic():
        assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if scoring.quarter_ended(assessment):
            raise ValidationError(f"{assessment}已经结束，无需提前结束")
        assessment.closed_early_reason, assessment.closed_early_by, assessment.closed_early_at = reason, actor, timezone.now()
        assessment.save(update_fields=["closed_early_reason", "closed_early_by", "closed_early_at"])
        record_event(actor=actor, action="commitment.close_early", obj=assessment, data={"reason": reason})
    return assessment


def confirm_awards(*, actor, assessment: Assessment) -> Assessment:
    """Confirm the awards, once the quarter has ended (or was closed early): each sequence must have its 优秀奖
    minimum unless it has too few people."""
    ensure_organiser(actor, assessment)
    with transaction.atomic():
        assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if assessment.status == Assessment.Status.CONFIRMED:
            raise ValidationError("考评结果已经确认过了")
        if not scoring.quarter_ended(assessment) and not assessment.closed_early_reason:
            last = periods.quarter_end(assessment.year, assessment.quarter)
            raise ValidationError(
                f"{assessment}到 {last:%Y年%-m月%-d日} 才结束，结束后才能确认奖项；确需提前确认的，请先填写理由提前结束本季度"
            )
        scores = list(assessment.scores.select_related("sequence"))
        for sequence in {s.sequence for s in scores if s.sequence}:
            members = [s for s in scores if s.sequence == sequence]
            excellent = sum(1 for s in members if s.award == Score.Award.EXCELLENT)
            if excellent < min(sequence.excellent_min, max(0, len(members) - sequence.innovation_quota)):
                raise ValidationError(f"“{sequence.name}”序列的优秀奖至少 {sequence.excellent_min} 个（现有 {excellent} 个）")
        assessment.status, assessment.confirmed_by, assessment.confirmed_at = Assessment.Status.CONFIRMED, actor, timezone.now()
        assessment.save(update_fields=["status", "confirmed_by", "confirmed_at"])
        record_event(
            actor=actor,
            action="commitment.confirm",
            obj=assessment,
            data={"version": assessment.versions.count() + 1, "awards": [[s.label, s.award] for s in scores if s.award]},
        )
    return assessment


def reopen_quarter(*, actor, assessment: Assessment, reason: str) -> ConfirmedVersion:
    """Reopen a confirmed quarter, with a reason: the confirmed awards are kept as a version of their own, and the
    quarter may be assessed and confirmed again."""
    ensure_organiser(actor, assessment)
    reason = checked_text(reason, "reason", 500, what="重新打开的理由")
    with transaction.atomic():
        assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if assessment.status != Assessment.Status.CONFIRMED:
            raise ValidationError("只有已确认的季度考评才能重新打开")
        scores = [
            {
                "label": s.label,
                "sequence": s.sequence.name if s.sequence else "",
                "score": s.score,
                "rank": s.rank,
                "proposed": s.proposed,
                "award": s.award,
                "award_label": str(s.get_award_display()) if s.award else "",
            }
            for s in assessment.scores.select_related("sequence")
        ]
        version = ConfirmedVersion.objects.create(
            assessment=assessment,
            number=assessment.versions.count() + 1,
            scores=scores,
            weights=assessment.weights,
            confirmed_at=assessment.confirmed_at,
            confirmed_by_id=assessment.confirmed_by_id,
            reopened_by=actor,
            reason=reason,
        )
        assessment.status, assessment.confirmed_by, assessment.confirmed_at = Assessment.Status.PROPOSED, None, None
        assessment.save(update_fields=["status", "confirmed_by", "confirmed_at"])
        record_event(actor=actor, action="commitment.reopen", obj=assessment, data={"version": version.number, "reason": reason})
    return version


def claim_reminder(*, month, kind: str, cadre: Cadre) -> bool:
    """Record that `cadre` is reminded of `kind` for `month`; False when a reminder was already recorded, so two
    ticks never send the same reminder twice."""
    try:
        with transaction.atomic():
            Reminder.objects.create(month=month, kind=kind, cadre=cadre)
    except IntegrityError:
        return False
    return True
