"""Every write of the composite assessment, each in one transaction with its audit event: schemes (from a
template, edited, raters named), inputs (superiors' sheets, bonus and penalty items, indicators' actuals), runs,
calibration overrides, publication, appeals and follow-up actions."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from psycopg.types.json import Jsonb

from minping.accounts.scoping import ensure_region_in_scope
from minping.assessment import engine, schemes, sources
from minping.assessment.models import Adjustment, Appeal, FollowUp, Measure, Rating, Result, Run, Scheme
from minping.audit.actions import record_event
from minping.evidence.actions import atomic_with_files, store_evidence
from minping.lib.text import checked_number, checked_text

BATCH = 2000


def _organiser(actor, scheme: Scheme) -> None:
    if not actor.can_use_console:
        raise PermissionDenied("只有组织部门可以管理考核方案")
    ensure_region_in_scope(actor, scheme.region)


def _locked(scheme: Scheme) -> Scheme:
    return Scheme.objects.select_for_update().get(pk=scheme.pk)


def _member(scheme: Scheme, ref) -> dict:
    found = next((m for m in sources.members(scheme) if str(m["ref"]) == str(ref)), None)
    if found is None:
        raise ValidationError({"member": "考核对象不在这个方案的参评范围内"})
    return found


def _inputs_open(scheme: Scheme, ref: int) -> None:
    """Inputs change before publication, or afterwards for a member whose appeal is under review."""
    if (
        scheme.status == Scheme.Status.PUBLISHED
        and not Appeal.objects.filter(result__run__scheme=scheme, result__ref=ref, status=Appeal.Status.OPEN).exists()
    ):
        raise ValidationError("考核结果已发布，只有申诉复核中的对象可以更正输入")


def create_scheme(*, actor, region, template: str, year, name: str = "") -> Scheme:
    found, definition = schemes.template_definition(template)
    year = int(checked_number(year, "year", "年度", 2000, 2100))
    name = checked_text(name, "name", 200, "方案名称", required=False) or found["name"]
    ensure_region_in_scope(actor, region)
    if not actor.can_use_console:
        raise PermissionDenied("只有组织部门可以管理考核方案")
    with transaction.atomic():
        if Scheme.objects.filter(region=region, year=year, name=name).exists():
            raise ValidationError({"name": f"{region.name} {year} 年已有名为“{name}”的考核方案"})
        scheme = Scheme.objects.create(
            region=region, name=name, year=year, cohort=found["cohort"], template=template, definition=definition, created_by=actor
        )
        record_event(actor=actor, action="assessment.scheme.create", obj=scheme, data={"template": template, "year": year})
    return scheme


def save_definition(*, actor, scheme: Scheme, definition: dict, appeal_days=None) -> Scheme:
    """A scheme's definition as edited, checked whole (weights, campaigns, grades, quota, vetoes)."""
    _organiser(actor, scheme)
    cleaned = schemes.clean_definition(definition, scheme.cohort, sources.check_campaigns(scheme.region))
    days = scheme.appeal_days if appeal_days in (None, "") else int(checked_number(appeal_days, "appeal_days", "申诉期限（天）", 1, 90))
    with transaction.atomic():
        scheme = _locked(scheme)
        if scheme.status == Scheme.Status.PUBLISHED:
            raise ValidationError("考核结果已发布，方案不能再改；申诉复核可以更正输入后重新计算")
        scheme.definition, scheme.appeal_days = cleaned, days
        scheme.save(update_fields=["definition", "appeal_days"])
        record_event(actor=actor, action="assessment.scheme.edit", obj=scheme, data={"definition": cleaned, "appeal_days": days})
    return scheme


def set_raters(*, actor, scheme: Scheme, raters) -> Scheme:
    _organiser(actor, scheme)
    raters = list(raters)
    for rater in raters:
        if not rater.can_use_console and rater.role != "cadre":
            raise ValidationError({"raters": f"{rater.person_name} 不能担任评分人"})
        if not rater.is_system_admin and (
            rater.region_id is None or not scheme.region.is_within(rater.region) and not rater.region.is_within(scheme.region)
        ):
            raise ValidationError({"raters": f"{rater.person_name} 不在本区域"})
    with transaction.atomic():
        scheme.raters.set(raters)
        record_event(actor=actor, action="assessment.scheme.raters", obj=scheme, data={"raters": [r.username for r in raters]})
    return scheme


def rate(*, actor, scheme: Scheme, member, scores: dict) -> Rating:
    """A named rater's sheet for one member: points 0–100 for every criterion of the superior component."""
    if not scheme.raters.filter(pk=actor.pk).exists():
        raise PermissionDenied("您不是这个考核方案的评分人")
    found = _member(scheme, member)
    component = next((c for c in scheme.definition["components"] if c["kind"] == "superior"), None)
    if component is None:
        raise ValidationError("这个方案没有上级考评")
    cleaned = {
        c["key"]: checked_number(scores.get(c["key"], ""), f"score-{c['key']}", f"“{c['label']}”的评分", 0, 100)
        for c in component["criteria"]
    }
    with transaction.atomic():
        _inputs_open(_locked(scheme), found["ref"])
        rating, _created = Rating.objects.update_or_create(
            scheme=scheme, rater=actor, ref=found["ref"], defaults={"scores": cleaned, "updated_at": timezone.now()}
        )
        record_event(actor=actor, action="assessment.rate", obj=scheme, data={"member": found["label"], "scores": cleaned})
    return rating


def add_adjustment(*, actor, scheme: Scheme, member, points, reason: str, evidence: str, veto: bool = False, file=None) -> Adjustment:
    """A bonus or penalty item: its points, reason and the document it rests on (named, and its scan if given)."""
    _organiser(actor, scheme)
    found = _member(scheme, member)
    value = checked_number(points, "points", "加减分", -100, 100)
    reason = checked_text(reason, "reason", 300, "加减分的事由")
    evidence = checked_text(evidence, "evidence", 300, "依据（文件、通报的名称和文号）")
    if value == 0 and not veto:
        raise ValidationError({"points": "加减分不能为 0"})
    with atomic_with_files():
        _inputs_open(_locked(scheme), found["ref"])
        stored = store_evidence(actor=actor, upload=file, region=scheme.region, purpose="assessment.adjustment") if file else None
        item = Adjustment.objects.create(
            scheme=scheme,
            ref=found["ref"],
            points=round(value, 2),
            reason=reason,
            evidence=evidence,
            veto=bool(veto),
            created_by=actor,
            file=stored,
        )
        record_event(
            actor=actor,
            action="assessment.adjust",
            obj=scheme,
            data={"member": found["label"], "points": value, "reason": reason, "evidence": evidence, "veto": bool(veto)},
        )
    return item


def set_measure(*, actor, scheme: Scheme, component: str, member, actual, note: str = "") -> Measure:
    _organiser(actor, scheme)
    found = _member(scheme, member)
    if not any(c["key"] == component and c["kind"] == "kpi" for c in scheme.definition["components"]):
        raise ValidationError({"component": "这个方案没有这项自定指标"})
    value = checked_number(actual, "actual", "实际值", 0, 10**9)
    with transaction.atomic():
        _inputs_open(_locked(scheme), found["ref"])
        measure, _created = Measure.objects.update_or_create(
            scheme=scheme,
            component=component,
            ref=found["ref"],
            defaults={"actual": value, "note": checked_text(note, "note", 300, "说明", required=False), "entered_by": actor},
        )
        record_event(
            actor=actor, action="assessment.measure", obj=scheme, data={"member": found["label"], "component": component, "actual": value}
        )
    return measure


def run_scheme(*, actor, scheme: Scheme, reason: str = "") -> Run:
    """Compute the scheme on today's records: snapshot the inputs, store every member's result, and carry the
    previous run's overrides (with their reasons) to the members they were made for."""
    _organiser(actor, scheme)
    schemes.clean_definition(scheme.definition, scheme.cohort, sources.check_campaigns(scheme.region))
    with transaction.atomic():
        scheme = _locked(scheme)
        if scheme.status == Scheme.Status.PUBLISHED and not reason:
            raise ValidationError({"reason": "结果已发布，重新计算要说明原因（如申诉复核）"})
        inputs = sources.snapshot(scheme)
        if not inputs["members"]:
            raise ValidationError("参评范围内没有考核对象")
        results, notes = engine.compute(scheme.definition, inputs["members"])
        number = (scheme.runs.aggregate(n=Max("number"))["n"] or 0) + 1
        previous = scheme.runs.filter(number=number - 1).first()
        overrides = (
            {r.ref: r for r in previous.results.exclude(override_reason="").only("ref", "grade", "override_reason", "overridden_by_id")}
            if previous
            else {}
        )
        run = Run.objects.create(
            scheme=scheme,
            number=number,
            ran_by=actor,
            reason=checked_text(reason, "reason", 500, "重新计算的原因", required=False),
            definition=scheme.definition,
            inputs=inputs,
            notes=notes,
        )
        rows = []
        for result in results:
            carried = overrides.get(result["ref"])
            rows.append(
                Result(
                    run=run,
                    ref=result["ref"],
                    cadre_id=result["cadre"],
                    label=result["label"],
                    detail=result["detail"],
                    category=result["category"],
                    score=result["score"],
                    parts=result["parts"],
                    adjustment=result["adjustment"],
                    rank=result["rank"],
                    proposed=result["proposed"],
                    grade=carried.grade if carried else result["proposed"],
                    reasons=result["reasons"],
                    follow_ups=result["follow_ups"],
                    override_reason=carried.override_reason if carried else "",
                    overridden_by_id=carried.overridden_by_id if carried else None,
                )
            )
        _store_results(rows)
        if scheme.status == Scheme.Status.DRAFT:
            scheme.status = Scheme.Status.RUN
            scheme.save(update_fields=["status"])
        record_event(actor=actor, action="assessment.run", obj=run, data={"members": len(rows), "reason": run.reason, "notes": notes})
    return run


RESULT_COLUMNS = [
    "run_id",
    "ref",
    "cadre_id",
    "label",
    "detail",
    "category",
    "score",
    "parts",
    "adjustment",
    "rank",
    "proposed",
    "grade",
    "reasons",
    "follow_ups",
    "override_reason",
    "overridden_by_id",
]
JSON_COLUMNS = {"parts", "reasons", "follow_ups"}


def _store_results(rows: list[Result]) -> None:
    """A run's results in one COPY on PostgreSQL (a city's cohorts are 50,000 rows of JSON, which an INSERT of
    arrays spends most of a run quoting); bulk inserts elsewhere."""
    if connection.vendor != "postgresql":
        Result.objects.bulk_create(rows, batch_size=BATCH)
        return
    columns = ", ".join(RESULT_COLUMNS)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {Result._meta.db_table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([Jsonb(getattr(row, c)) if c in JSON_COLUMNS else getattr(row, c) for c in RESULT_COLUMNS])


def latest_run(scheme: Scheme) -> Run | None:
    return scheme.runs.order_by("-number").first()


def override(*, actor, result: Result, grade: str, reason: str) -> Result:
    """A calibration: the organiser gives another grade than the one proposed, with the reason on record."""
    scheme = result.run.scheme
    _organiser(actor, scheme)
    labels = [g["label"] for g in result.run.definition["grades"]]
    if grade not in labels:
        raise ValidationError({"grade": "请选择一个等次"})
    reason = checked_text(reason, "reason", 500, "调整等次的理由")
    with transaction.atomic():
        scheme = _locked(scheme)
        if latest_run(scheme).pk != result.run_id:
            raise ValidationError("这不是最近一次计算的结果，请在最新结果上调整")
        if scheme.published_run_id == result.run_id:
            raise ValidationError("结果已发布，等次只能经申诉复核更改")
        before = result.grade
        result.grade, result.override_reason, result.overridden_by = grade, reason, actor
        if grade == result.proposed:
            result.override_reason, result.overridden_by = "", None
        result.save(update_fields=["grade", "override_reason", "overridden_by"])
        record_event(
            actor=actor,
            action="assessment.override",
            obj=result,
            data={"from": before, "to": grade, "proposed": result.proposed, "reason": reason},
        )
    return result


def publish(*, actor, scheme: Scheme) -> Scheme:
    """Publish the latest run: its grades stand, the appeal window opens (at the first publication), and the
    follow-up actions its rules propose are put on the list."""
    _organiser(actor, scheme)
    with transaction.atomic():
        scheme = _locked(scheme)
        run = latest_run(scheme)
        if run is None:
            raise ValidationError("请先计算考核结果")
        if scheme.published_run_id == run.pk:
            raise ValidationError("这次计算的结果已经发布")
        scheme.published_run, scheme.status = run, Scheme.Status.PUBLISHED
        scheme.published_at = scheme.published_at or timezone.now()
        scheme.save(update_fields=["published_run", "published_at", "status"])
        _list_follow_ups(run)
        record_event(actor=actor, action="assessment.publish", obj=scheme, data={"run": run.number})
    return scheme


def _list_follow_ups(run: Run) -> None:
    """A follow-up action for each rule that applies to a member of the published run (once per member and
    action: one listed under an earlier run stays, with what was recorded on it)."""
    listed = set(FollowUp.objects.filter(result__run__scheme=run.scheme).values_list("result__ref", "kind"))
    rows = [
        FollowUp(result=result, kind=item["kind"], rule=item["rule"])
        for result in run.results.exclude(follow_ups=[])
        for item in result.follow_ups
        if (result.ref, item["kind"]) not in listed
    ]
    FollowUp.objects.bulk_create(rows, batch_size=BATCH)


def file_appeal(*, actor, result: Result, text: str) -> Appeal:
    scheme = result.run.scheme
    if actor.cadre_id is None or actor.cadre_id != result.cadre_id:
        raise PermissionDenied("只能对本人的考核结果提出申诉")
    text = checked_text(text, "text", 4000, "申诉的理由")
    with transaction.atomic():
        scheme = _locked(scheme)
        if scheme.published_run_id != result.run_id:
            raise ValidationError("只能对已发布的考核结果提出申诉")
        if timezone.now() > scheme.appeal_ends:
            raise ValidationError(f"申诉期已于 {timezone.localtime(scheme.appeal_ends):%Y年%-m月%-d日} 结束")
        if Appeal.objects.filter(result__run__scheme=scheme, result__ref=result.ref, status=Appeal.Status.OPEN).exists():
            raise ValidationError("您的申诉正在复核，请等候结果")
        appeal = Appeal.objects.create(result=result, filed_by=actor, text=text)
        record_event(actor=actor, action="assessment.appeal", obj=appeal, data={"scheme": scheme.pk, "member": result.label})
    return appeal


def decide_appeal(*, actor, appeal: Appeal, decision: str, changed: bool = False) -> Appeal:
    """The review of an appeal: upheld as published, or changed: the latest run, made after the inputs were
    corrected (and calibrated), is published, or a run is made now and published. The appeal keeps both runs."""
    scheme = appeal.result.run.scheme
    _organiser(actor, scheme)
    decision = checked_text(decision, "decision", 4000, "复核意见")
    if appeal.status != Appeal.Status.OPEN:
        raise ValidationError("这项申诉已经有复核结论")
    with transaction.atomic():
        scheme, new_run = _locked(scheme), None
        if changed:
            new_run = latest_run(scheme)
            if new_run.pk == scheme.published_run_id:
                new_run = run_scheme(actor=actor, scheme=scheme, reason=f"申诉复核：{appeal.result.label}")
            scheme.refresh_from_db()
            publish(actor=actor, scheme=scheme)
        appeal.status = Appeal.Status.CHANGED if changed else Appeal.Status.UPHELD
        appeal.decision, appeal.decided_by, appeal.decided_at, appeal.rerun = decision, actor, timezone.now(), new_run
        appeal.save(update_fields=["status", "decision", "decided_by", "decided_at", "rerun"])
        record_event(
            actor=actor,
            action="assessment.appeal.decide",
            obj=appeal,
            data={"status": appeal.status, "run": new_run.number if new_run else None},
        )
    return appeal


def schedule_follow_up(*, actor, follow_up: FollowUp, due_on: dt.date | None, done_on: dt.date | None = None, note: str = "") -> FollowUp:
    scheme = follow_up.result.run.scheme
    _organiser(actor, scheme)
    if due_on is None and done_on is None:
        raise ValidationError({"due_on": "请填写安排的日期或完成的日期"})
    if done_on is not None and done_on > timezone.localdate():
        raise ValidationError({"done_on": "完成日期不能晚于今天"})
    if done_on is not None and not (note or "").strip():
        raise ValidationError({"note": "请记录谈话或处理的情况"})
    with transaction.atomic():
        if due_on is not None:
            follow_up.due_on = due_on
        if done_on is not None:
            follow_up.done_on, follow_up.note = done_on, checked_text(note, "note", 1000, "谈话或处理的情况")
        follow_up.save(update_fields=["due_on", "done_on", "note"])
        record_event(
            actor=actor,
            action="assessment.follow_up",
            obj=scheme,
            data={"member": follow_up.result.label, "kind": follow_up.kind, "due_on": due_on, "done_on": done_on},
        )
    return follow_up
