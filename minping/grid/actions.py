"""Every change in grid governance: assignments, visits, problems and their steps. One function each, one
transaction, audited; a problem's steps are also kept on the problem (`Step`), with actor and time."""

import datetime as dt
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from minping.accounts.scoping import ensure_region_in_scope
from minping.audit.actions import record_event
from minping.evidence.actions import atomic_with_files, store_evidence
from minping.grid import catalogue, hooks
from minping.grid.models import (
    Assignment,
    Category,
    Problem,
    Route,
    Site,
    Step,
    Visit,
    VisitState,
)
from minping.lib.dates import week_start
from minping.lib.identity import clean_text
from minping.lib.ids import client_uuid
from minping.lib.text import checked_percent, checked_text
from minping.org import actions as registry
from minping.org.models import PATH_SEGMENT, Household, Region, Unit

MAX_FILES = 5
S = Problem.Status


# Assignments ----------------------------------------------------------------------------------------------------


def assign_worker(
    *,
    actor,
    grid: Region,
    worker,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    secondment: bool = False,
    target_visits: int | None = None,
) -> Assignment:
    """Put a worker on a grid for a period (a secondment: a cadre taking over the grid, 我当网格员, with the visits
    expected of them in it)."""
    _ensure_assignable(actor, grid, worker, starts_on, ends_on)
    if target_visits is not None and not 0 < target_visits <= 100_000:
        raise ValidationError({"target_visits": "目标走访户次应为 1 到 100000 之间的整数"})
    if Assignment.objects.filter(grid=grid, worker=worker).filter(_overlapping(starts_on, ends_on)).exists():
        raise ValidationError({"worker": f"{worker.person_name}在这段时间已经负责这个网格"})
    with transaction.atomic():
        assignment = Assignment.objects.create(
            grid=grid,
            worker=worker,
            starts_on=starts_on,
            ends_on=ends_on,
            is_secondment=secondment,
            target_visits=target_visits if secondment else None,
            created_by=actor,
        )
        record_event(
            actor=actor,
            action="grid.assign",
            obj=grid,
            data={"worker": worker.username, "from": starts_on, "until": ends_on, "secondment": secondment, "target": target_visits},
        )
    return assignment


def _ensure_assignable(actor, grid: Region, worker, starts_on: dt.date, ends_on: dt.date | None) -> None:
    ensure_region_in_scope(actor, grid)
    if grid.level != Region.Level.GRID:
        raise ValidationError({"grid": "只能分配到网格"})
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": "结束日期不能早于开始日期"})
    if not worker.is_active:
        raise ValidationError({"worker": "这个账号已停用"})
    if worker.region_id is None or not may_work_on(grid.path, worker.region.path):
        raise ValidationError({"worker": "该人员不属于这个网格所在的社区"})


def may_work_on(grid_path: str, person_path: str) -> bool:
    """Whether a person of the region at `person_path` may work on the grid at `grid_path`: their region holds
    the grid (a district's cadre taking it over), or lies within the grid's community."""
    community = grid_path[: -(PATH_SEGMENT + 1)] or grid_path
    return grid_path.startswith(person_path) or person_path.startswith(community)


def _overlapping(starts_on: dt.date, ends_on: dt.date | None) -> Q:
    """Assignments whose period shares a day with [starts_on, ends_on] (an open end runs on)."""
    overlap = Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on)
    return overlap & Q(starts_on__lte=ends_on) if ends_on else overlap


def end_assignment(*, actor, assignment: Assignment, ends_on: dt.date) -> Assignment:
    """End a worker's assignment to a grid on `ends_on` (their last day on it)."""
    ensure_region_in_scope(actor, assignment.grid)
    with transaction.atomic():
        assignment = Assignment.objects.select_for_update().select_related("grid", "worker").get(pk=assignment.pk)
        if ends_on < assignment.starts_on:
            raise ValidationError({"ends_on": "结束日期不能早于开始日期"})
        if assignment.ends_on is not None and assignment.ends_on < ends_on:
            raise ValidationError({"ends_on": "这项分配已在更早的日期结束"})
        assignment.ends_on = ends_on
        assignment.save(update_fields=["ends_on"])
        record_event(
            actor=actor, action="grid.unassign", obj=assignment.grid, data={"worker": assignment.worker.username, "until": ends_on}
        )
    return assignment


def move_worker(*, actor, assignment: Assignment, grid: Region, on: dt.date) -> Assignment:
    """Move a worker from their grid to `grid` from `on`: the old assignment ends the day before, the new one keeps
    its end, kind and target."""
    old = assignment
    if grid.pk == old.grid_id:
        raise ValidationError({"grid": "请选择另一个网格"})
    if on <= old.starts_on or (old.ends_on is not None and on > old.ends_on):
        raise ValidationError({"on": "调整日期应在原分配的期间之内（开始之后）"})
    _ensure_assignable(actor, grid, old.worker, on, old.ends_on)
    with transaction.atomic():
        end_assignment(actor=actor, assignment=old, ends_on=on - dt.timedelta(days=1))
        moved = Assignment.objects.create(
            grid=grid,
            worker=old.worker,
            starts_on=on,
            ends_on=old.ends_on,
            is_secondment=old.is_secondment,
            target_visits=old.target_visits,
            created_by=actor,
        )
        record_event(actor=actor, action="grid.move", obj=grid, data={"worker": old.worker.username, "from_grid": old.grid.name, "on": on})
    return moved


def add_team_member(*, actor, team, member) -> None:
    ensure_region_in_scope(actor, team.region)
    with transaction.atomic():
        team.members.add(member)
        record_event(actor=actor, action="grid.team_join", obj=team.region, data={"team": team.name, "member": member.username})


def remove_team_member(*, actor, team, member) -> None:
    ensure_region_in_scope(actor, team.region)
    with transaction.atomic():
        team.members.remove(member)
        record_event(actor=actor, action="grid.team_leave", obj=team.region, data={"team": team.name, "member": member.username})


def import_assignments(*, actor, rows: list[dict]) -> dict:
    """Assignments from an import (each row: grid_id, worker_id, starts_on, ends_on, secondment, target_visits), in
    the import's transaction and under its audit event; a row already held (same grid, worker and start) is left
    as it is."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for row in rows:
        found = Assignment.objects.filter(grid_id=row["grid_id"], worker_id=row["worker_id"], starts_on=row["starts_on"]).first()
        fields = {"ends_on": row["ends_on"], "is_secondment": row["secondment"], "target_visits": row["target_visits"]}
        if found is None:
            Assignment.objects.create(
                grid_id=row["grid_id"], worker_id=row["worker_id"], starts_on=row["starts_on"], created_by=actor, **fields
            )
            counts["created"] += 1
        elif any(getattr(found, k) != v for k, v in fields.items()):
            Assignment.objects.filter(pk=found.pk).update(**fields)
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    return counts


def grids_of(user, day: dt.date | None = None):
    """The grids a user works on that day."""
    return Region.objects.filter(pk__in=Assignment.objects.current(day).filter(worker=user).values("grid_id"))


def ensure_works_on(user, grid_id: int, day: dt.date | None = None, refusal: str = "这户不在您负责的网格内") -> None:
    if not Assignment.objects.current(day).filter(worker=user, grid_id=grid_id).exists():
        raise PermissionDenied(refusal)


# Visits -----------------------------------------------------------------------------------------------------------


def record_visit(
    *,
    actor,
    household: Household,
    visited_on: dt.date,
    kind: str = Visit.Kind.ROUTINE,
    notes: str = "",
    address: str | None = None,
    address_seen: str | None = None,
    client_id=None,
) -> tuple[Visit, bool]:
    """Record a visit to a household of one of the worker's grids, applying what changed to the registry through
    its own action. `client_id` is the id the phone gave the record: sent again, the same visit is returned
    (created False); sent again with other content, it is refused, so nothing is silently overwritten.

    `address_seen` is the address the phone showed when the worker changed it (a phone may have been offline
    for hours). If someone else changed it since, the visit is kept but the change is not applied: the visit's
    `changes` hold the conflict, for the worker to see and settle."""
    client_id = client_uuid(client_id or uuid.uuid4())
    notes = _checked_visit(visited_on, kind, notes)
    if address is None and connection.vendor == "postgresql":
        stored = _visit_in_one_statement(actor, household.pk, visited_on, kind, notes, client_id)
        if stored is not None:
            return stored, True
    household = Household.objects.filter(pk=household.pk).first()  # as it is now (the caller may hold only its id)
    if household is None:
        raise ValidationError({"household": "没有这一户"})
    existing = Visit.objects.filter(pk=client_id).first()
    if existing is not None:
        return _same_visit(existing, actor, visited_on, kind, notes, household=household), False
    ensure_works_on(actor, household.region_id, visited_on)
    try:
        with transaction.atomic():
            household = Household.objects.select_for_update().get(pk=household.pk)
            changes = _address_changes(
                household.address,
                address,
                address_seen,
                lambda proposed: registry.update_household(actor=actor, household=household, address=proposed),
            )
            visit = Visit.objects.create(
                id=client_id,
                household=household,
                grid_id=household.region_id,
                worker=actor,
                visited_on=visited_on,
                kind=kind,
                notes=notes,
                changes=changes,
            )
            state, created = VisitState.objects.get_or_create(household=household, defaults={"last_visited_on": visited_on})
            if not created and state.last_visited_on < visited_on:
                VisitState.objects.filter(pk=household.pk, last_visited_on__lt=visited_on).update(last_visited_on=visited_on)
    except IntegrityError:  # the same record sent twice at once: the other request stored it
        return _same_visit(Visit.objects.get(pk=client_id), actor, visited_on, kind, notes, household=household), False
    return visit, True


def record_site_visit(
    *,
    actor,
    site: Site,
    visited_on: dt.date,
    kind: str = Visit.Kind.ROUTINE,
    notes: str = "",
    address: str | None = None,
    address_seen: str | None = None,
    client_id=None,
) -> tuple[Visit, bool]:
    """Record a visit to a legal person or site of one of the worker's grids, as `record_visit` does for a
    household: a changed address goes into the site's record (audited), or, if someone else changed it since the
    phone showed it, into the visit as a conflict."""
    client_id = client_uuid(client_id or uuid.uuid4())
    notes = _checked_visit(visited_on, kind, notes)
    existing = Visit.objects.filter(pk=client_id).first()
    if existing is not None:
        return _same_visit(existing, actor, visited_on, kind, notes, site=site), False
    ensure_works_on(actor, site.grid_id, visited_on, "这个场所不在您负责的网格内")
    try:
        with transaction.atomic():
            site = Site.objects.select_for_update().get(pk=site.pk)
            changes = _address_changes(site.address, address, address_seen, lambda proposed: _update_site(actor, site, proposed))
            visit = Visit.objects.create(
                id=client_id, site=site, grid_id=site.grid_id, worker=actor, visited_on=visited_on, kind=kind, notes=notes, changes=changes
            )
            Site.objects.filter(pk=site.pk).filter(Q(last_visited_on__isnull=True) | Q(last_visited_on__lt=visited_on)).update(
                last_visited_on=visited_on
            )
    except IntegrityError:
        return _same_visit(Visit.objects.get(pk=client_id), actor, visited_on, kind, notes, site=site), False
    return visit, True


def _checked_visit(visited_on: dt.date, kind: str, notes: str) -> str:
    """The visit's notes as stored, or ValidationError for a kind, day or text that cannot be recorded."""
    if kind not in Visit.Kind.values:
        raise ValidationError({"kind": "请选择走访类型"})
    today = timezone.localdate()
    if visited_on > today:
        raise ValidationError({"visited_on": "走访日期不能晚于今天"})
    if visited_on < today - dt.timedelta(days=30):
        raise ValidationError({"visited_on": "只能补记 30 天内的走访"})
    return checked_text(notes, "notes", 1000, "走访情况", required=False)


def _address_changes(current: str, address: str | None, address_seen: str | None, apply) -> dict:
    """What a visit changed of a record's address: applied through `apply` (True when it changed something), or,
    when the phone saw another address than the record now holds, kept as a conflict and not applied."""
    proposed = clean_text(address) if address is not None else None
    if proposed is None or proposed == current:
        return {}
    if address_seen is not None and clean_text(address_seen) != current:
        return {"address_conflict": {"seen": clean_text(address_seen), "current": current, "proposed": proposed}}
    return {"address": [current, proposed]} if apply(proposed) else {}


def _update_site(actor, site: Site, address: str) -> bool:
    address = checked_text(address, "address", 200, "地址")
    Site.objects.filter(pk=site.pk).update(address=address)
    record_event(actor=actor, action="grid.site.update", obj=site.grid, data={"site": site.name, "address": [site.address, address]})
    site.address = address
    return True


def _visit_in_one_statement(actor, household_id: int, visited_on, kind: str, notes: str, client_id) -> Visit | None:
    """The common visit (nothing in the registry changed) in one statement on PostgreSQL, atomic by itself: the
    visit, if the household lies in a grid the worker is on that day and the id is new, and the household's last
    visit. None when nothing was stored; the caller then finds out why (a resent record, or not the worker's)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH stored AS (
                INSERT INTO grid_visit (id, household_id, grid_id, worker_id, visited_on, kind, notes, changes, created_at)
                SELECT %s, h.id, h.region_id, %s, %s, %s, %s, '{}', now() FROM org_household h
                WHERE h.id = %s AND EXISTS (
                    SELECT 1 FROM grid_assignment a WHERE a.worker_id = %s AND a.grid_id = h.region_id
                    AND a.starts_on <= %s AND (a.ends_on IS NULL OR a.ends_on >= %s))
                ON CONFLICT (id) DO NOTHING
                RETURNING household_id, grid_id, visited_on, created_at)
            INSERT INTO grid_visitstate (household_id, last_visited_on) SELECT household_id, visited_on FROM stored
            ON CONFLICT (household_id) DO UPDATE SET last_visited_on = GREATEST(grid_visitstate.last_visited_on, EXCLUDED.last_visited_on)
            RETURNING (SELECT grid_id FROM stored), (SELECT created_at FROM stored)""",
            [client_id, actor.pk, visited_on, kind, notes, household_id, actor.pk, visited_on, visited_on],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return Visit(
        id=client_id,
        household_id=household_id,
        grid_id=row[0],
        worker=actor,
        visited_on=visited_on,
        kind=kind,
        notes=notes,
        changes={},
        created_at=row[1],
    )


def _same_visit(existing: Visit, actor, visited_on, kind, notes, household=None, site=None) -> Visit:
    if (existing.worker_id, existing.household_id, existing.site_id, existing.visited_on, existing.kind, existing.notes) != (
        actor.pk,
        household and household.pk,
        site and site.pk,
        visited_on,
        kind,
        notes,
    ):
        raise ValidationError({"id": "这条走访记录已用不同的内容保存过，请核对后重新填写"})
    return existing


def _due_by(day: dt.date, cycle_days: int) -> dt.date:
    """A record last visited on or before this day is due a visit by the end of `day`'s week."""
    return week_start(day) + dt.timedelta(days=6 - cycle_days)


def due_households(grid_ids, day: dt.date, cycle_days: int):
    """Households of the grids due a visit by the end of `day`'s week (never visited, or last visited more than
    `cycle_days` before then), those overdue first."""
    return (
        Household.objects.filter(region_id__in=list(grid_ids))
        .filter(Q(visit_state__isnull=True) | Q(visit_state__last_visited_on__lte=_due_by(day, cycle_days)))
        .annotate(last=F("visit_state__last_visited_on"))
        .order_by(F("last").asc(nulls_first=True), "code")
    )


def due_sites(grid_ids, day: dt.date, cycle_days: int):
    """The legal persons and sites of the grids due a visit by the end of `day`'s week, on the same cycle."""
    return (
        Site.objects.filter(grid_id__in=list(grid_ids))
        .filter(Q(last_visited_on__isnull=True) | Q(last_visited_on__lte=_due_by(day, cycle_days)))
        .order_by(F("last_visited_on").asc(nulls_first=True), "name")
    )


# Problems ---------------------------------------------------------------------------------------------------------


def route_for(category: Category, region: Region) -> Unit | None:
    """The department of the most specific route of `category` for `region` or a region above it."""
    prefixes = [region.path[: i + 7] for i in range(0, len(region.path), 7)]
    route = Route.objects.filter(category=category, region__path__in=prefixes).select_related("unit").order_by("-region__depth").first()
    return route.unit if route else None


def _step(problem: Problem, action: str, actor, note: str = "", unit=None, evidence=()) -> Step:
    step = Step.objects.create(
        problem=problem, action=action, actor=actor if actor is not None and actor.pk else None, unit=unit, note=note
    )
    if evidence:
        step.evidence.set(evidence)
    record_event(
        actor=actor, action=f"problem.{action}", obj=problem, data={"status": problem.status, "unit": unit and unit.pk, "note": note[:200]}
    )
    return step


def _files(actor, files, region, purpose) -> list:
    files = [f for f in files if f]
    if len(files) > MAX_FILES:
        raise ValidationError({"file": f"每次最多上传 {MAX_FILES} 个文件"})
    return [store_evidence(actor=actor, upload=f, region=region, purpose=purpose) for f in files]


def _dispatch(problem: Problem, unit: Unit, now) -> None:
    problem.unit, problem.status, problem.dispatched_at = unit, S.DISPATCHED, now
    problem.receive_by = now + dt.timedelta(hours=problem.category.receive_hours)
    problem.resolve_by = now + dt.timedelta(days=problem.category.resolve_days)
    problem.received_at = None


def report_problem(
    *,
    actor,
    category: Category,
    region: Region,
    address: str,
    description: str,
    lat=None,
    lon=None,
    files=(),
    reporter_kind: str | None = None,
    contact: str = "",
    client_id=None,
    for_resident: bool = False,
    scope_checked: bool = False,
) -> tuple[Problem, bool]:
    """A problem reported in `region`: dispatched at once to the department its category's route names, or kept
    for dispatch by the street (triage) when no route does; never lost. `client_id` as for visits. With
    `for_resident`, `actor` (an app's API key) passes on a resident's report: the resident, reachable through
    `contact`, is the reporter, and the office of the region confirms the fix for them. With `scope_checked`, the
    caller has established the actor's standing in `region` (a cadre's contact point lies outside their own)."""
    client_id = client_uuid(client_id or uuid.uuid4())
    existing = Problem.objects.filter(client_id=client_id).first()
    if existing is not None:
        if (existing.category_id, existing.region_id, existing.description) != (category.pk, region.pk, description.strip()):
            raise ValidationError({"id": "这条事件已用不同的内容上报过，请核对后重新填写"})
        return existing, False
    if not category.is_active:
        raise ValidationError({"category": "该事件类别已停用"})
    if actor is not None and actor.pk and not scope_checked and not Assignment.objects.current().filter(worker=actor, grid=region).exists():
        ensure_region_in_scope(actor, region)
    lat, lon = _coordinates(lat, lon)
    kind = Problem.Reporter.RESIDENT if for_resident else reporter_kind or _reporter_kind(actor)
    problem = Problem(
        client_id=client_id,
        category=category,
        region=region,
        address=checked_text(address, "address", 200, "地址"),
        description=checked_text(description, "description", 2000, "问题描述"),
        lat=lat,
        lon=lon,
        reporter_kind=kind,
        reporter=actor if actor is not None and actor.pk and not for_resident else None,
        reporter_contact=checked_text(contact, "contact", 100, "联系方式", required=False),
        status=S.TRIAGE,
    )
    try:
        with atomic_with_files():
            unit = route_for(category, region)
            now = timezone.now()
            problem.created_at = now
            if unit is not None:
                _dispatch(problem, unit, now)
            problem.save()
            photos = _files(actor, files, region, "problem.report") if files else []
            _step(problem, "report", actor, problem.description[:200], evidence=photos)
            if unit is not None:
                _step(problem, "dispatch", None, "按分派规则自动派单", unit=unit)
    except IntegrityError:
        return Problem.objects.get(client_id=client_id), False
    return problem, True


def _reporter_kind(actor) -> str:
    if actor is None or not actor.pk:
        return Problem.Reporter.RESIDENT
    return (
        Problem.Reporter.GRID_WORKER
        if actor.role == "grid_worker" or Assignment.objects.current().filter(worker=actor).exists()
        else Problem.Reporter.CADRE
    )


def _coordinates(lat, lon):
    if lat in (None, "") and lon in (None, ""):
        return None, None
    from decimal import Decimal, InvalidOperation

    try:
        lat, lon = Decimal(str(lat)), Decimal(str(lon))
    except (InvalidOperation, ValueError):
        raise ValidationError({"lat": "经纬度应为数字"}) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValidationError({"lat": "经纬度超出范围"})
    return lat.quantize(Decimal("0.000001")), lon.quantize(Decimal("0.000001"))


def _locked(problem: Problem) -> Problem:
    return Problem.objects.select_for_update(of=("self",)).select_related("category", "unit", "region").get(pk=problem.pk)


def may_dispatch(user, problem: Problem) -> bool:
    """The street or district office of the problem's region dispatches (and re-dispatches) it."""
    return user.can_use_console and (user.is_system_admin or problem.region.is_within(user.region))


def may_handle(user, problem: Problem) -> bool:
    """Only the handlers of the department it is routed to act on a problem, wherever it lies."""
    return user.role == "handler" and user.unit_id is not None and user.unit_id == problem.unit_id


def units_serving(region: Region):
    """The departments and stations that serve `region`: those of the region itself and of the regions above it
    (the district's departments, the street's own stations), never another street's."""
    places = [*region.ancestors(), region]
    return Unit.objects.filter(kind__in=[Unit.Kind.DEPARTMENT, Unit.Kind.STATION], region__in=places)


def ensure_unit_serves(unit: Unit, region: Region) -> None:
    if not units_serving(region).filter(pk=unit.pk).exists():
        raise ValidationError({"unit": f"“{unit.name}”不服务{region.name}，只能派给本街道的站所或上级部门"})


def dispatch_problem(*, actor, problem: Problem, unit: Unit, note: str = "") -> Problem:
    if not may_dispatch(actor, problem):
        raise PermissionDenied("您不能分派这个事件")
    ensure_unit_serves(unit, problem.region)
    with transaction.atomic():
        problem = _locked(problem)
        if problem.status not in {S.TRIAGE, S.DISPATCHED}:
            raise ValidationError("只能分派待分派或尚未签收的事件")
        _dispatch(problem, unit, timezone.now())
        problem.save()
        _step(problem, "dispatch", actor, note, unit=unit)
    return problem


def _handler_step(actor, problem: Problem, allowed: set, to: str, action: str, note: str = "", evidence=None) -> Problem:
    with atomic_with_files():
        problem = _locked(problem)
        if not may_handle(actor, problem):
            raise PermissionDenied("这个事件不是派给您单位的")
        if problem.status not in allowed:
            raise ValidationError(f"事件当前为“{problem.get_status_display()}”，不能{ACTION_LABELS[action]}")
        now = timezone.now()
        if to == S.RECEIVED:
            problem.received_at = now
        if to == S.RESOLVED:
            problem.resolved_at = now
        if to == S.TRIAGE:
            problem.returned += 1
            problem.unit, problem.receive_by, problem.resolve_by = None, None, None
        unit = problem.unit or actor.unit
        problem.status = to
        photos = evidence(problem) if evidence else []
        problem.save()
        _step(problem, action, actor, note, unit=unit, evidence=photos)
    return problem


ACTION_LABELS = {"receive": "签收", "handle": "开始办理", "resolve": "办结", "return": "回退", "confirm": "确认", "reopen": "重办"}


def receive_problem(*, actor, problem: Problem) -> Problem:
    return _handler_step(actor, problem, {S.DISPATCHED}, S.RECEIVED, "receive")


def start_handling(*, actor, problem: Problem, note: str = "") -> Problem:
    return _handler_step(actor, problem, {S.RECEIVED}, S.HANDLING, "handle", checked_text(note, "note", 1000, "说明", required=False))


def return_problem(*, actor, problem: Problem, reason: str) -> Problem:
    """回退: not this department's business; back to the street for re-dispatch, with the reason."""
    return _handler_step(actor, problem, {S.DISPATCHED, S.RECEIVED}, S.TRIAGE, "return", checked_text(reason, "reason", 500, "回退理由"))


def resolve_problem(*, actor, problem: Problem, note: str, files=()) -> Problem:
    note = checked_text(note, "note", 1000, "办理结果")
    files = [f for f in files if f]
    if problem.category.evidence_required and not files:
        raise ValidationError({"file": f"“{problem.category.name}”类事件办结时须上传现场照片或文件"})
    return _handler_step(
        actor,
        problem,
        {S.RECEIVED, S.HANDLING},
        S.RESOLVED,
        "resolve",
        note,
        evidence=lambda p: _files(actor, files, p.region, "problem.resolve"),
    )


def may_confirm(user, problem: Problem) -> bool:
    """Whoever reported it confirms the fix; for a resident's report (no account), the office of its region."""
    if problem.reporter_id:
        return user.pk == problem.reporter_id
    return may_dispatch(user, problem)


def confirm_fix(*, actor, problem: Problem) -> Problem:
    return _reporter_step(actor, problem, S.CONFIRMED, "confirm", "")


def reopen_problem(*, actor, problem: Problem, reason: str) -> Problem:
    return _reporter_step(actor, problem, S.HANDLING, "reopen", checked_text(reason, "reason", 500, "重办理由"))


def _reporter_step(actor, problem: Problem, to: str, action: str, note: str) -> Problem:
    if not may_confirm(actor, problem):
        raise PermissionDenied("只有上报人可以确认或要求重办")
    with transaction.atomic():
        problem = _locked(problem)
        if problem.status != S.RESOLVED:
            raise ValidationError("已结案的事件不能再确认" if problem.status == S.CONFIRMED else "事件尚未办结，不能确认或重办")
        problem.status = to
        if to == S.CONFIRMED:
            problem.closed_at = timezone.now()
        else:
            problem.reopened += 1
            problem.resolved_at = None
            problem.resolve_by = timezone.now() + dt.timedelta(days=problem.category.resolve_days)
        problem.save()
        _step(problem, action, actor, note, unit=problem.unit)
        if to == S.CONFIRMED:
            hooks.problem_closed(problem)  # field work closes the item the problem was forwarded from
    return problem


def late_to_receive(now) -> Q:
    """Problems past their deadline to be received and not yet escalated for it."""
    return Q(status=S.DISPATCHED, receive_by__lt=now, escalation=0)


def late_to_resolve(now) -> Q:
    """Open problems past their deadline to be resolved and not yet escalated for it."""
    return Q(status__in=[S.DISPATCHED, S.RECEIVED, S.HANDLING], resolve_by__lt=now, escalation__lt=2)


def overdue(now):
    """The problems `escalate_problem` would escalate at `now`."""
    return Problem.objects.filter(late_to_receive(now) | late_to_resolve(now))


def escalate_problem(*, problem: Problem, now) -> str | None:
    """Escalate a problem past a deadline it has not yet been escalated for (escalation 1: late to receive; 2:
    late to resolve), as a step of its life, audited like every other; what it is late for, or None if nothing
    is due (another run got there first, or it moved on meanwhile)."""
    with transaction.atomic():
        problem = _locked(problem)
        this = Problem.objects.filter(pk=problem.pk)
        late_receive, late_resolve = this.filter(late_to_receive(now)).exists(), this.filter(late_to_resolve(now)).exists()
        if not (late_receive or late_resolve):
            return None
        what = "超时未签收" if late_receive and not late_resolve else "超时未办结"
        problem.escalation = 2 if late_resolve else 1
        problem.save(update_fields=["escalation"])
        _step(problem, "escalate", None, f"{what}，已升级督办", unit=problem.unit)
    return what


def merge_problem(*, actor, problem: Problem, into: Problem) -> Problem:
    """A duplicate of an open problem: closed into it, its reporter following the other."""
    if not may_dispatch(actor, problem):
        raise PermissionDenied("您不能合并这个事件")
    if into.pk == problem.pk or into.status == S.MERGED:
        raise ValidationError("不能合并到它自己或已合并的事件")
    with transaction.atomic():
        problem = _locked(problem)
        if problem.status in {S.CONFIRMED, S.MERGED}:
            raise ValidationError("已结案的事件不能合并")
        problem.status, problem.merged_into, problem.closed_at = S.MERGED, into, timezone.now()
        problem.save()
        _step(problem, "merge", actor, f"与 #{into.pk} 重复", unit=into.unit)
    return problem


def save_route(*, actor, category: Category, region: Region, unit: Unit) -> Route:
    ensure_region_in_scope(actor, region)
    ensure_unit_serves(unit, region)
    with transaction.atomic():
        route, _created = Route.objects.update_or_create(category=category, region=region, defaults={"unit": unit})
        record_event(actor=actor, action="grid.route", obj=region, data={"category": category.code, "unit": unit.name})
    return route


# Street tasks and secondments -----------------------------------------------------------------------------------------


def create_task(*, actor, region: Region, name: str, target: str, baseline, starts_on: dt.date, ends_on: dt.date):
    from minping.grid.models import Task

    ensure_region_in_scope(actor, region)
    baseline = checked_percent(baseline)
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "结束日期不能早于开始日期"})
    with transaction.atomic():
        task = Task.objects.create(
            region=region,
            name=checked_text(name, "name", 200, "任务名称"),
            target=checked_text(target, "target", 500, "任务目标"),
            baseline=baseline,
            progress=baseline,
            starts_on=starts_on,
            ends_on=ends_on,
            created_by=actor,
        )
        record_event(actor=actor, action="grid.task", obj=task, data={"target": task.target, "baseline": baseline})
    return task


def second_cadre(*, actor, task, cadre, starts_on: dt.date, ends_on: dt.date):
    """Attach a cadre (an account) to a street task for a period within the task's."""
    from minping.grid.models import Secondment

    ensure_region_in_scope(actor, task.region)
    if cadre.role != "cadre" and not cadre.can_use_console:
        raise ValidationError({"cadre": "只能抽调干部"})
    if cadre.region_id is None or not (cadre.region.is_within(task.region.parent or task.region) or task.region.is_within(cadre.region)):
        raise ValidationError({"cadre": "该干部不在本区县"})
    if not task.starts_on <= starts_on <= ends_on <= task.ends_on:
        raise ValidationError({"ends_on": "抽调期应在任务期内"})
    with transaction.atomic():
        secondment, _created = Secondment.objects.update_or_create(
            task=task, cadre=cadre, defaults={"starts_on": starts_on, "ends_on": ends_on}
        )
        record_event(actor=actor, action="grid.second", obj=task, data={"cadre": cadre.username, "from": starts_on, "until": ends_on})
    return secondment


def may_report_on(user, task) -> bool:
    """The cadres seconded to the task (during their period) and the offices of its region."""
    today = timezone.localdate()
    if task.secondments.filter(cadre=user, starts_on__lte=today, ends_on__gte=today).exists():
        return True
    return user.can_use_console and (user.is_system_admin or task.region.is_within(user.region))


def report_task_progress(*, actor, task, percent, note: str):
    from minping.grid.models import Task, TaskProgress

    if not may_report_on(actor, task):
        raise PermissionDenied("您不在这项任务的抽调期内")
    percent = checked_percent(percent)
    note = checked_text(note, "note", 1000, "进展情况")
    with transaction.atomic():
        task = Task.objects.select_for_update().get(pk=task.pk)
        update = TaskProgress.objects.create(task=task, percent=percent, note=note, added_by=actor)
        task.progress = percent
        task.save(update_fields=["progress"])
        record_event(actor=actor, action="grid.task_progress", obj=task, data={"percent": percent})
    return update


# 回访: residents' satisfaction with the handling, through anonymous ballots ---------------------------------------------

MAX_CALLBACK_DEPARTMENTS = 60


def open_callbacks(*, actor, region: Region, start: dt.date, end: dt.date, quorum=5, issue: bool = True):
    """A draft campaign in which the residents whose problems in `region` were closed between `start` and `end`
    rate the departments that handled them (回访). Its subjects are the departments, not the problems, so a ballot
    says nothing of which problem its voter reported and every count has the ballots' small-group protection.
    One code is issued per closed problem, to be handed or sent to its reporter; each rates their department and
    marks the others 不了解. Returns the campaign and the codes (token, short code); without `issue`, the campaign and
    how many codes to issue on its page (where they are printed as slips)."""
    from minping.evaluations import actions as evaluations
    from minping.evaluations.models import Instrument

    ensure_region_in_scope(actor, region)
    if end < start:
        raise ValidationError({"end": "结束日期不能早于开始日期"})
    closed = Problem.objects.within(region).filter(
        status=S.CONFIRMED, closed_at__date__gte=start, closed_at__date__lte=end, unit__isnull=False
    )
    units = list(Unit.objects.filter(pk__in=closed.values("unit_id")).order_by("name"))
    if not units:
        raise ValidationError(f"{start:%Y-%m-%d} 至 {end:%Y-%m-%d} 该区域没有结案的事件可以回访")
    if len(units) > MAX_CALLBACK_DEPARTMENTS:
        raise ValidationError(f"涉及 {len(units)} 个部门，一张回访票最多 {MAX_CALLBACK_DEPARTMENTS} 个；请缩小区域或时间")
    outside = [u for u in units if not (u.region.is_within(region) or region.is_within(u.region))]
    campaign_region = (
        region
        if not outside
        else Region.objects.filter(path__in=[region.path[: i + 7] for i in range(0, len(region.path), 7)]).order_by("depth").first()
    )
    instrument = Instrument.objects.get(builtin_key="problem_callback", region__isnull=True)
    with transaction.atomic():
        campaign = evaluations.create_campaign(
            actor=actor,
            name=f"{region.name}{start:%Y年%-m月%-d日}至{end:%-m月%-d日}事件办理回访",
            region=campaign_region,
            instrument=instrument,
            channels=["qr", "online"],
            quorum=int(quorum),
        )
        evaluations.add_subjects(actor=actor, campaign=campaign, subjects=units)
        count = closed.count()
        pairs = (
            evaluations.issue_codes(actor=actor, campaign=campaign, group=campaign.groups.get(), count=count, channel="qr") if issue else []
        )
    return campaign, pairs if issue else count


def create_team(*, actor, community: Region, name: str, grids, members):
    """组团: several grids of a community served together by a team of workers and cadres."""
    from minping.grid.models import Team

    ensure_region_in_scope(actor, community)
    if community.level != Region.Level.COMMUNITY:
        raise ValidationError({"region": "组团应建在社区（村）"})
    grids = list(grids)
    if not grids or any(g.level != Region.Level.GRID or g.parent_id != community.pk for g in grids):
        raise ValidationError({"grids": "请选择本社区的网格"})
    members = list(members)
    if any(m.region_id is None or not (m.region.is_within(community) or community.is_within(m.region)) for m in members):
        raise ValidationError({"members": "组团成员应属于本社区或其上级"})
    name = checked_text(name, "name", 100, "组团名称")
    with transaction.atomic():
        if Team.objects.filter(region=community, name=name).exists():
            raise ValidationError({"name": f"{community.name}已有名为“{name}”的组团"})
        team = Team.objects.create(region=community, name=name)
        team.grids.set(grids)
        team.members.set(members)
        record_event(
            actor=actor,
            action="grid.team",
            obj=community,
            data={"team": name, "grids": [g.pk for g in grids], "members": [m.username for m in members]},
        )
    return team


def add_site(*, actor, grid: Region, name: str, kind: str, address: str = ""):
    """A legal person or site under a grid (a shop, a rented house, a 三小场所), recorded by its grid worker or an office."""
    if not Assignment.objects.current().filter(worker=actor, grid=grid).exists():
        ensure_region_in_scope(actor, grid)
    if kind not in Site.Kind.values:
        raise ValidationError({"kind": "请选择类型"})
    with transaction.atomic():
        site = Site.objects.create(
            grid=grid,
            name=checked_text(name, "name", 200, "名称"),
            kind=kind,
            address=checked_text(address, "address", 200, "地址", required=False),
        )
        record_event(actor=actor, action="grid.site", obj=grid, data={"site": site.name, "kind": kind})
    return site


def install_categories(Category) -> None:
    """Create the categories that are missing (`Category` is the model, or a migration's historical model)."""
    for code, name, hours, days, evidence in catalogue.CATALOGUE:
        Category.objects.get_or_create(
            code=code, defaults={"name": name, "receive_hours": hours, "resolve_days": days, "evidence_required": evidence}
        )


VERDICTS = {"confirmed": "核查属实", "partly": "部分属实", "refuted": "核查不属实"}


def set_verification(*, actor, problem: Problem, verdict: str) -> Problem:
    """A sample audit's verdict on a resolved problem, checked on the ground: it counts in the department's
    核查属实率."""
    ensure_region_in_scope(actor, problem.region)
    if verdict not in VERDICTS:
        raise ValidationError({"verdict": "请选择核查结论"})
    if problem.resolved_at is None:
        raise ValidationError("只能核查已办结的事件")
    with transaction.atomic():
        Problem.objects.filter(pk=problem.pk).update(verification=verdict)
        problem.verification = verdict
        record_event(actor=actor, action="problem.verify", obj=problem, data={"verdict": verdict})
    return problem
