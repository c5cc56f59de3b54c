"""Every write of phone surveys and sample audits, each in one transaction with its audit event: drawing a
survey's sample, naming its interviewers, taking the next number, recording a call's outcome (and releasing a
replacement when a case ends without an interview), dialling, counting an interviewer's keyed ballots, back-checks,
closing a survey; drawing a sample audit and recording its verdicts."""

import datetime as dt
import math
import secrets
from collections import Counter
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Case as Case_
from django.db.models import Count, Value, When
from django.utils import timezone

from minping.accounts.scoping import ensure_region_in_scope
from minping.audit.actions import record_event
from minping.evaluations import actions as evaluations
from minping.evaluations import lifecycle
from minping.fieldwork import actions as fieldwork
from minping.fieldwork.models import Entry
from minping.grid import actions as grid
from minping.grid.models import Problem
from minping.lib import sampling
from minping.lib.dates import typed_date
from minping.lib.text import checked_number, checked_text
from minping.org.models import Region, Resident
from minping.sampling import audits
from minping.sampling.models import Attempt, Audit, AuditItem, Case, InterviewerStats, Survey

LEVELS = {"street": "街道", "community": "社区", "grid": "网格"}
ADULT = 18  # the frame: residents of this age or more in the survey's year
BANDS = [(18, 34, "18–34岁"), (35, 59, "35–59岁"), (60, 200, "60岁以上")]  # (from, to, label), by age in the year
SEXES = {"M": "男", "F": "女"}
SECONDS_PER_QUESTION = 8  # a completed call shorter than this per question read out is flagged as short
RETRY_AFTER = [dt.timedelta(hours=3), dt.timedelta(hours=26), dt.timedelta(hours=49), dt.timedelta(hours=74)]  # other times of day


def strata_of(region: Region, level: str) -> dict[str, Region]:
    """{path: stratum region} of the region's strata at `level`."""
    return {r.path: r for r in Region.objects.within(region).filter(level=level).select_related("parent")}


def _band_case(year: int):
    """The age band of a birth year in `year`, as the database computes it."""
    whens = [When(birth_year__gte=year - high, then=Value(index)) for index, (_low, high, _label) in enumerate(BANDS[:-1])]
    return Case_(*whens, default=Value(len(BANDS) - 1))


def band_of(birth_year: int, year: int) -> int:
    return next((index for index, (_low, high, _label) in enumerate(BANDS[:-1]) if birth_year >= year - high), len(BANDS) - 1)


def cell_key(stratum: int, sex: str = "", band: int | None = None) -> str:
    """A cell of the design: a stratum, crossed with sex and an age band where the survey asks for them."""
    return "-".join([str(stratum), *([sex] if sex else []), *([str(band)] if band is not None else [])])


def adults(queryset, year: int):
    return queryset.exclude(phone="").filter(birth_year__lte=year - ADULT)


def frame_sizes(region: Region, strata: dict, excluded_ids, by_sex: bool, by_age: bool, year: int) -> tuple[dict, dict]:
    """({cell: adults with a phone, but for those called recently}, {region id: its stratum id}): counted per region
    (and sex and age band), an integer grouping over the subtree's region ids with no join, and summed up to the
    cells in the process."""
    length = len(next(iter(strata)))
    paths = dict(Region.objects.within(region).values_list("pk", "path"))
    rows = adults(Resident.objects.filter(region_id__in=list(paths)), year).exclude(pk__in=excluded_ids).order_by()
    rows = rows.annotate(band=_band_case(year)).values("region_id", "gender", "band").annotate(n=Count("pk"))
    sizes, regions = {}, {}
    for row in rows:
        stratum = strata.get(paths[row["region_id"]][:length])
        if stratum is None:
            continue
        regions[row["region_id"]] = stratum.pk
        key = cell_key(stratum.pk, row["gender"] if by_sex else "", row["band"] if by_age else None)
        sizes[key] = sizes.get(key, 0) + row["n"]
    return sizes, regions


def frame(region: Region, strata: dict, excluded_ids, by_sex: bool, by_age: bool, year: int):
    """(cell, resident id) of every adult with a phone, read once in chunks."""
    length = len(next(iter(strata)))
    ids = {path: r.pk for path, r in strata.items()}
    rows = adults(Resident.objects.within(region), year).values_list("pk", "region__path", "gender", "birth_year").order_by()
    for pk, path, sex, born in rows.iterator(chunk_size=20000):
        stratum = ids.get(path[:length])
        if stratum is not None and pk not in excluded_ids:
            yield cell_key(stratum, sex if by_sex else "", band_of(born, year) if by_age else None), pk


def draw_in_database(survey: Survey, regions: dict, quotas: dict, spare: int, excluded) -> int:
    """lib/sampling.draw done by PostgreSQL, straight into the survey's cases: the same cells, keys
    (hashint8extended, lib/sampling.int_key) and order, one window query over the frame (its residents found by
    region id, its cells partitioned by stratum, sex and band as numbers and letters, not text), so a million
    residents are never read into the process. Returns the cases stored."""
    year = survey.created_at.year
    band = "CASE " + " ".join(f"WHEN r.birth_year >= {year - high} THEN {index}" for index, (_l, high, _b) in enumerate(BANDS[:-1]))
    band = f"{band} ELSE {len(BANDS) - 1} END" if survey.by_age else "-1"
    sex = "r.gender" if survey.by_sex else "''"
    keep = []
    for cell, quota in quotas.items():
        parts = cell.split("-")
        keep.append((int(parts[0]), parts[1] if survey.by_sex else "", int(parts[-1]) if survey.by_age else -1, quota, cell))
    places = ", ".join(["(%s, %s)"] * len(regions))
    cells = ", ".join(["(%s, %s, %s, %s, %s)"] * len(keep))
    sql = f"""
        WITH place(region_id, stratum) AS (VALUES {places}), quota(stratum, sex, band, quota, cell) AS (VALUES {cells})
        INSERT INTO sampling_case (survey_id, stratum_id, cell, resident_id, rank, released, attempts, outcome, final, back_checked)
        SELECT %s, q.stratum, q.cell, ranked.id, ranked.rank - 1, ranked.rank <= q.quota, 0, '', false, ''
        FROM (
            SELECT r.id, p.stratum, {sex} AS sex, {band} AS band,
                   row_number() OVER (PARTITION BY p.stratum, {sex}, {band} ORDER BY hashint8extended(r.id, %s::bigint), r.id) AS rank
            FROM org_resident r JOIN place p ON p.region_id = r.region_id
            WHERE r.phone <> '' AND r.birth_year <= %s AND NOT (r.id = ANY(%s))
        ) ranked JOIN quota q ON q.stratum = ranked.stratum AND q.sex = ranked.sex AND q.band = ranked.band
        WHERE ranked.rank <= %s AND ranked.rank <= q.quota + %s"""
    params = [v for row in regions.items() for v in row] + [v for row in keep for v in row]
    params += [survey.pk, int(survey.seed), year - ADULT, list(excluded), max(quotas.values()) + spare, spare]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")  # the frame's sort stays in memory
        cursor.execute(sql, params)
        return cursor.rowcount


def recently_called(days: int) -> set[int]:
    since = timezone.now() - dt.timedelta(days=days)
    return set(Case.objects.filter(calls__at__gte=since).values_list("resident_id", flat=True).distinct())


def create_survey(
    *,
    actor,
    campaign,
    region: Region,
    name: str,
    strata_level: str,
    margin,
    confidence="0.95",
    response="1",
    allocation="proportional",
    exclusion_days="90",
    max_attempts="4",
    by_sex=False,
    by_age=False,
) -> Survey:
    """Draw a stratified sample of the region's adult residents with phones for a campaign that takes telephone
    interviews: the interviews a margin of error needs, divided by the response rate expected, allocated to the
    cells (a stratum, crossed with sex and age band if asked: the register knows them) and drawn with a recorded
    seed."""
    ensure_region_in_scope(actor, region)
    if not actor.can_use_console:
        raise PermissionDenied("只有组织部门可以组织电话督评")
    if "phone" not in campaign.channels or not lifecycle.allows(campaign, "edit"):
        raise ValidationError({"campaign": "请选择尚未开始、接受电话访问的测评活动（抽样时为每个分层设一个评价群体）"})
    if strata_level not in LEVELS:
        raise ValidationError({"strata_level": "按街道、社区或网格分层"})
    name = checked_text(name, "name", 200, "督评名称", required=False) or f"{campaign.name}电话督评"[:200]
    margin = checked_number(margin, "margin", "误差范围", 0.001, 0.3)
    confidence = checked_number(confidence, "confidence", "置信水平", 0.8, 0.99)
    response = checked_number(response, "response", "预计应答率", 0.05, 1)
    if allocation not in Survey.Allocation.values:
        raise ValidationError({"allocation": "请选择样本分配方法"})
    days = int(checked_number(exclusion_days, "exclusion_days", "不重复访问的天数", 0, 730))
    attempts = int(checked_number(max_attempts, "max_attempts", "每个号码的拨打次数", 1, 10))
    strata = strata_of(region, strata_level)
    if not strata:
        raise ValidationError({"strata_level": f"{region.name}下没有{LEVELS[strata_level]}"})
    excluded = recently_called(days) if days else set()
    year = timezone.localdate().year
    sizes, regions = frame_sizes(region, strata, excluded, bool(by_sex), bool(by_age), year)
    reached = {int(key.split("-")[0]) for key, n in sizes.items() if n}
    empty = [stratum.name for stratum in strata.values() if stratum.pk not in reached]
    if empty:
        raise ValidationError(
            {"strata_level": f"这些{LEVELS[strata_level]}没有可拨打的电话号码：{'、'.join(empty[:10])}；请补录电话或换一种分层"}
        )
    total = sum(sizes.values())
    interviews = sampling.sample_size(margin, confidence, total)
    n = math.ceil(interviews / response - 1e-9)
    if n > total:
        raise ValidationError(
            {
                "margin": f"误差 ±{margin:.0%} 需要完成 {interviews} 次访问，按预计应答率 {response:.0%} 要抽取 {n} 人，名册中有电话的只有 {total} 人"
            }
        )
    quotas = sampling.allocate(n, sizes, allocation)
    strata_by_id = {r.pk: r for r in strata.values()}
    seed = str(secrets.randbits(63))  # an integer: the draw orders by hashint8extended(id, seed)
    spare = max(quotas.values())
    with transaction.atomic():
        survey = Survey.objects.create(
            campaign=campaign,
            region=region,
            name=name,
            strata_level=strata_level,
            margin=margin,
            confidence=confidence,
            allocation=allocation,
            exclusion_days=days,
            max_attempts=attempts,
            seed=seed,
            population=sizes,
            quotas=quotas,
            by_sex=bool(by_sex),
            by_age=bool(by_age),
            excluded=len(excluded),
            created_by=actor,
        )
        survey.groups = cell_groups(actor, campaign, strata_by_id, [cell for cell in quotas if quotas[cell]], sizes)
        survey.save(update_fields=["groups"])
        if connection.vendor == "postgresql":
            draw_in_database(survey, regions, {cell: q for cell, q in quotas.items() if q}, spare, excluded)
        else:
            drawn = sampling.draw(
                frame(region, strata, excluded, survey.by_sex, survey.by_age, year), quotas, int(seed), spare, sampling.int_key
            )
            Case.objects.bulk_create(
                (
                    Case(
                        survey=survey,
                        stratum_id=int(cell.split("-")[0]),
                        cell=cell,
                        resident_id=resident,
                        rank=rank,
                        released=rank < quotas[cell],
                    )
                    for cell, residents in drawn.items()
                    for rank, resident in enumerate(residents)
                ),
                batch_size=5000,
            )
        record_event(actor=actor, action="survey.draw", obj=survey, data={"n": n, "frame": total, "seed": seed, "quotas": survey.quotas})
    return survey


def cell_label(cell: str, strata: dict) -> str:
    """A cell as people read it: 光明社区, or 光明社区·女·35–59岁."""
    parts = cell.split("-")
    stratum = strata[int(parts[0])]
    words = [stratum.name, *(SEXES.get(p, BANDS[int(p)][2] if p.isdigit() else p) for p in parts[1:])]
    return "·".join(words)


def cell_groups(actor, campaign, strata: dict, cells: list[str], sizes: dict) -> dict:
    """An evaluator group of the campaign per cell, weighing the cell's share of the frame, so the campaign's
    combined figure is the post-stratified one; the campaign's other groups (on-site, online) weigh 0 and stand
    beside it, for comparing modes. Weights are kept to four places and sum to 1."""
    total = sum(sizes[cell] for cell in cells)
    shares = {cell: Decimal(sizes[cell] / total).quantize(Decimal("0.0001")) for cell in cells}
    largest = max(shares, key=shares.get)
    shares[largest] += Decimal(1) - sum(shares.values())
    for group in campaign.groups.all():
        evaluations.set_group_weight(actor=actor, group=group, weight=0)
    labels = [cell_label(cell, strata) for cell in cells]
    repeated = {label for label, n in Counter(labels).items() if n > 1}
    labels = [f"{strata[int(cell.split('-')[0])].parent.name}{label}" if label in repeated else label for cell, label in zip(cells, labels)]
    groups = evaluations.add_groups(
        actor=actor, campaign=campaign, groups=[(f"电话·{label}"[:100], "masses", shares[cell]) for cell, label in zip(cells, labels)]
    )
    return {cell: group.pk for cell, group in zip(cells, groups)}


def set_interviewers(*, actor, survey: Survey, interviewers) -> Survey:
    ensure_region_in_scope(actor, survey.region)
    interviewers = list(interviewers)
    for person in interviewers:
        if person.role not in {"interviewer", "office", "organiser"}:
            raise ValidationError({"interviewers": f"{person.person_name} 不能担任电话访问员"})
    with transaction.atomic():
        survey.interviewers.set(interviewers)
        record_event(actor=actor, action="survey.interviewers", obj=survey, data={"interviewers": [p.username for p in interviewers]})
    return survey


def _calling(survey: Survey, actor) -> None:
    """Refuse a call by someone not named on the survey, or once the survey or its campaign has closed (as they
    stand now, not as the survey was read): one query when all is well."""
    voting = lifecycle.STEPS["vote"].states
    if Survey.objects.filter(pk=survey.pk, interviewers=actor, status=Survey.Status.CALLING, campaign__status__in=voting).exists():
        return
    if not survey.interviewers.filter(pk=actor.pk).exists():
        raise PermissionDenied("您不是这次电话督评的访问员")
    raise ValidationError("测评已结束或督评已关闭，不再拨打")


def next_case(*, actor, survey: Survey) -> Case | None:
    """The interviewer's next number: the case they hold, else a released case nobody holds, callbacks whose
    time has come before numbers not yet called (each read from its partial index), locked and skipped by the others
    so two interviewers never get one."""
    _calling(survey, actor)
    now = timezone.now()
    held = Case.objects.filter(survey=survey, interviewer=actor, final=False).first()
    if held is not None:
        return held
    with transaction.atomic():
        waiting = Case.objects.select_for_update(skip_locked=True).filter(
            survey=survey, released=True, final=False, interviewer__isnull=True
        )
        case = waiting.filter(next_call_at__lte=now).order_by("next_call_at", "pk").first()
        if case is None:
            case = waiting.filter(next_call_at__isnull=True).order_by("rank", "pk").first()
        if case is None:
            return None
        case.interviewer = actor
        case.save(update_fields=["interviewer"])
    return case


def record_outcome(*, actor, case: Case, outcome: str) -> Case:
    """A call's outcome. A number not answered, busy or asked to call back is tried again later, at another time of
    day, up to the survey's attempts; any other outcome ends the case, and a case ended without an interview
    releases the next replacement of its cell."""
    survey = case.survey
    _calling(survey, actor)
    if outcome not in Case.Outcome.values:
        raise ValidationError({"outcome": "请选择这次拨打的结果"})
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.interviewer_id != actor.pk or case.final:
            raise PermissionDenied("这个号码没有分配给您")
        case.attempts += 1
        case.outcome = outcome
        Attempt.objects.create(case=case, interviewer=actor, outcome=outcome)
        if outcome in Case.RETRY and case.attempts < survey.max_attempts:
            case.next_call_at = timezone.now() + RETRY_AFTER[min(case.attempts, len(RETRY_AFTER)) - 1]
        else:
            case.final = True
            case.next_call_at = None
        if outcome == Case.Outcome.COMPLETE and case.dialled_at is not None:
            _count_call(survey, actor, (timezone.now() - case.dialled_at).total_seconds())
        case.interviewer, case.dialled_at = None, None
        case.save(update_fields=["attempts", "outcome", "next_call_at", "final", "interviewer", "dialled_at"])
        if case.final and outcome != Case.Outcome.COMPLETE:
            spare = Case.objects.filter(survey=survey, cell=case.cell, released=False).order_by("rank").first()
            if spare is not None:
                Case.objects.filter(pk=spare.pk).update(released=True)
        record_event(actor=actor, action="survey.call", obj=survey, data={"outcome": outcome, "attempt": case.attempts})
    return case


def back_check(*, actor, case: Case, answer: str) -> Case:
    """A supervisor's call to a completed case: did someone call you about the evaluation?"""
    ensure_region_in_scope(actor, case.survey.region)
    if case.outcome != Case.Outcome.COMPLETE or not case.final:
        raise ValidationError("只能回访已完成的电话访问")
    if answer not in {"yes", "no"}:
        raise ValidationError({"answer": "请选择回访结果"})
    with transaction.atomic():
        case.back_checked = answer
        case.save(update_fields=["back_checked"])
        record_event(actor=actor, action="survey.back_check", obj=case.survey, data={"answer": answer})
    return case


def close_survey(*, actor, survey: Survey) -> Survey:
    """No more calls: the numbers not reached stay as they are, and the rates count them as not reached."""
    ensure_region_in_scope(actor, survey.region)
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        if survey.status == Survey.Status.CLOSED:
            raise ValidationError("这次电话督评已经关闭")
        survey.status = Survey.Status.CLOSED
        survey.save(update_fields=["status"])
        Case.objects.filter(survey=survey, interviewer__isnull=False).update(interviewer=None)
        record_event(actor=actor, action="survey.close", obj=survey)
    return survey


def reveal_number(*, actor, case: Case) -> str:
    """The whole number, for dialling, to the interviewer holding the case; audited."""
    if case.interviewer_id != actor.pk or case.final:
        raise PermissionDenied("这个号码没有分配给您")
    with transaction.atomic():
        Case.objects.filter(pk=case.pk).update(dialled_at=timezone.now())
        record_event(actor=actor, action="survey.dial", obj=case.survey, data={"case": case.pk})
    return case.resident.phone


def _stats(survey: Survey, interviewer) -> InterviewerStats:
    stats, _created = InterviewerStats.objects.select_for_update().get_or_create(survey=survey, interviewer=interviewer)
    return stats


def _count_call(survey: Survey, interviewer, seconds: float) -> None:
    stats = _stats(survey, interviewer)
    questions = len(survey.campaign.definition["subject_questions"]) * max(1, survey.campaign.subjects.count())
    stats.completes += 1
    stats.seconds += int(seconds)
    stats.short += int(seconds < SECONDS_PER_QUESTION * questions)
    stats.save(update_fields=["completes", "seconds", "short"])


def count_entry(*, user, campaign, answers: dict) -> None:
    """After an interviewer keys a ballot of a surveyed campaign: one more entered, and one more straight-lined if
    a subject's questions of one kind (three or more of a scale, say) all got the same option. The ballot is not
    named."""
    surveys = list(Survey.objects.filter(campaign=campaign, interviewers=user, status=Survey.Status.CALLING))
    if not surveys:
        return
    sections = [section for section in (answers.get("subjects") or {}).values() if isinstance(section, dict) and not section.get("unknown")]
    by_type = {}
    for question in campaign.definition["subject_questions"]:
        by_type.setdefault(question["type"], []).append(question["key"])
    alike = any(
        len(keys) >= 3 and len({section.get(key) for key in keys}) == 1 and section.get(keys[0]) is not None
        for section in sections
        for kind, keys in by_type.items()
        if kind in {"scale", "grade", "yesno", "single"}
    )
    with transaction.atomic():
        for survey in surveys:
            stats = _stats(survey, user)
            stats.entered += 1
            stats.straightlined += int(alike)
            stats.save(update_fields=["entered", "straightlined"])


MAX_AUDIT = 500


def draw_audit(*, actor, kind: str, region: Region, start, end, size) -> Audit:
    """Draw `size` of a region's resolved problems or work-log entries of a period to check on the ground, with the
    survey's sampler and a recorded seed."""
    ensure_region_in_scope(actor, region)
    if kind not in Audit.Kind.values:
        raise ValidationError({"kind": "请选择抽查的对象"})
    start, end = typed_date(start, "start", "开始日期"), typed_date(end, "end", "结束日期")
    if end < start:
        raise ValidationError({"end": "结束日期应在开始日期之后"})
    size = int(checked_number(size, "size", "抽查数量", 1, MAX_AUDIT))
    records = {str(r.pk): r for r in audits.FRAMES[kind](region, start, end)}
    if not records:
        raise ValidationError("这段时间该区域没有可抽查的记录")
    seed = secrets.token_hex(16)
    chosen = sampling.draw(((0, ref) for ref in records), {0: min(size, len(records))}, seed)[0]
    with transaction.atomic():
        audit = Audit.objects.create(kind=kind, region=region, start=start, end=end, frame=len(records), seed=seed, drawn_by=actor)
        AuditItem.objects.bulk_create(AuditItem(audit=audit, ref=ref, label=audits.label(kind, records[ref])[:300]) for ref in chosen)
        record_event(actor=actor, action="audit.draw", obj=audit, data={"kind": kind, "frame": len(records), "drawn": chosen, "seed": seed})
    return audit


def record_verdict(*, actor, item: AuditItem, verdict: str, note: str = "") -> AuditItem:
    """What was found on the ground, stored on the audit and on the record, where its module's figures count it
    (a department's 核查属实率, a cadre's 抽查属实率)."""
    audit = item.audit
    ensure_region_in_scope(actor, audit.region)
    if verdict not in {v for v in AuditItem.Verdict.values if v}:
        raise ValidationError({"verdict": "请选择核查结论"})
    note = checked_text(note, "note", 500, "核查情况", required=False)
    if verdict != AuditItem.Verdict.CONFIRMED and not note:
        raise ValidationError({"note": "核查不属实或部分属实的，请写明情况"})
    with transaction.atomic():
        if audit.kind == Audit.Kind.PROBLEMS:
            grid.set_verification(actor=actor, problem=Problem.objects.get(pk=int(item.ref)), verdict=verdict)
        else:
            fieldwork.set_entry_verification(
                actor=actor, entry=Entry.objects.select_related("cadre__region").get(pk=item.ref), verdict=verdict
            )
        item.verdict, item.note, item.checked_by, item.checked_at = verdict, note[:500], actor, timezone.now()
        item.save(update_fields=["verdict", "note", "checked_by", "checked_at"])
        record_event(actor=actor, action="audit.verdict", obj=audit, data={"item": item.ref, "verdict": verdict})
    return item
