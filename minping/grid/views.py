"""Grid pages: a worker's due list and visit form, reporting a problem, the problem lists of a department and of an
office, a problem's page with the steps its viewer may take, routes, and department scorecards."""

import datetime as dt
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from minping.accounts.scoping import console_required, get_for_user, scope
from minping.grid import actions, forms, scorecards
from minping.grid.forms import ProblemForm, VisitForm
from minping.grid.models import Assignment, Category, Problem, Route, Site, Visit
from minping.lib import charts
from minping.lib.feedback import attempting, form_refusal, form_refused
from minping.lib.formdata import posted_id
from minping.lib.stats import percent_text
from minping.org.models import Household, Region, Unit

PAGE_SIZE = 50
DUE_PAGE_SIZE = 20  # households with their visit forms: a phone's screenful or two
MAX_SITES = 200
S = Problem.Status


def _grid_for(user, pk) -> tuple[Region, bool]:
    """The grid, and whether `user` works on it today (an office over it may look, not record); 404 for others."""
    grid = get_object_or_404(Region, pk=pk, level=Region.Level.GRID)
    if Assignment.objects.current().filter(worker=user, grid=grid).exists():
        return grid, True
    if user.can_use_console and (user.is_system_admin or grid.is_within(user.region)):
        return grid, False
    raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def due(request, pk):
    grid, works_here = _grid_for(request.user, pk)
    if request.method == "POST":
        with attempting(request, PermissionDenied):
            forms.SiteForm(request.POST, user=request.user, grid=grid).save()
            messages.success(request, _("Saved."))
        return redirect("grid:due", grid.pk)
    today, cycle = timezone.localdate(), settings.VISIT_CYCLE_DAYS
    # A grid's households are a few hundred: read the due ones in one query and page through them here, rather
    # than count them and read a page in two queries that both join every household with its last visit.
    households = list(actions.due_households([grid.pk], today, cycle).values("pk", "code", "address", "last"))
    page = Paginator(households, DUE_PAGE_SIZE).get_page(request.GET.get("page"))
    sites = Site.objects.filter(grid=grid)[:MAX_SITES]
    due_sites = actions.due_sites([grid.pk], today, cycle)[:MAX_SITES]
    form = _visit_form(request, grid, today) if works_here else None
    context = {
        "grid": grid,
        "page": page,
        "cycle": cycle,
        "sites": sites,
        "site_kinds": Site.Kind.choices,
        "labels": {"last": _("last visited"), "never": _("never visited")},
        # each form's record id is made once, with the page: a form sent again is found
        "rows": [(h, _due(h["last"], today, cycle), form and form("household", h["pk"], h["address"])) for h in page],
        "due_sites": [(s, _due(s.last_visited_on, today, cycle), form and form("site", s.pk, s.address)) for s in due_sites],
    }
    return render(request, "grid/due.html", context)


def _due(last: dt.date | None, today: dt.date, cycle: int) -> dict:
    """When a household or site falls due: `overdue` days past its cycle (never visited counts as overdue, with
    no number), else the day it is due this week."""
    if last is None:
        return {"overdue": 0, "never": True}
    due_on = last + dt.timedelta(days=cycle)
    return {"overdue": (today - due_on).days} if due_on < today else {"due_on": due_on}


def _visit_form(request, grid: Region, today: dt.date):
    """`form(field, pk, address)`: the due list's visit form for the household or site `pk`. The due list is a grid
    worker's most used page and holds a form for every record on it, so the forms are put together here, once
    each, from the parts they share."""
    head = format_html(
        '<form method="post" action="{}" class="stack"><input type="hidden" name="csrfmiddlewaretoken" value="{}">'
        '<input type="hidden" name="grid" value="{}">',
        reverse("grid:visit"),
        get_token(request),
        grid.pk,
    )
    fields = _visit_fields(today)
    changed, new_address, record = _("Something changed?"), _("New address"), _("Record the visit")

    def form(field: str, pk: int, address: str) -> str:
        return format_html(
            '{}<input type="hidden" name="{}" value="{}"><input type="hidden" name="id" value="{}">{}<details><summary>{}'
            '</summary><label>{}<input name="address" maxlength="200" placeholder="{}"></label></details>'
            '<button class="primary">{}</button></form>',
            head,
            field,
            pk,
            uuid.uuid4(),
            fields,
            changed,
            new_address,
            address,
            record,
        )

    return form


def _visit_fields(today: dt.date) -> str:
    """The fields every visit form on the due list shares, made once for the page."""
    day = today.isoformat()
    kinds = "".join(format_html('<option value="{}">{}</option>', value, label) for value, label in Visit.Kind.choices)
    return format_html(
        '<label>{}<input type="date" name="visited_on" value="{}" max="{}"></label><label>{}<select name="kind">{}</select></label>'
        '<label>{}<textarea name="notes" rows="2" maxlength="1000"></textarea></label>',
        _("date"),
        day,
        day,
        _("kind"),
        mark_safe(kinds),
        _("notes"),
    )  # noqa: S308 (made of escaped parts)


@login_required
@require_POST
def visit(request):
    """A visit from the due list's form: to a household, or to a legal person or site (`site`)."""
    form = VisitForm(request.POST)
    if not form.is_valid():
        form_refused(request, form)
        return redirect("home")
    record = form.record()
    if record is None:
        raise Http404
    with attempting(request, PermissionDenied):
        _visit, created = form.save(actor=request.user, record=record)
        messages.success(
            request,
            _("Visit to %(household)s recorded.") % {"household": str(record)} if created else _("This visit had already been recorded."),
        )
    back = posted_id(request.POST.get("grid")) or (record.grid_id if isinstance(record, Site) else record.region_id)
    return redirect("grid:due", back) if Region.objects.filter(pk=back, level=Region.Level.GRID).exists() else redirect("home")


def _report_regions(user):
    grids = list(actions.grids_of(user))
    if user.can_use_console:
        scoped = Region.objects.filter(level__in=["community", "grid"]).order_by("path")
        grids += list(scoped if user.is_system_admin else scoped.within(user.region))
    return list(dict.fromkeys(grids))


@login_required
@require_http_methods(["GET", "POST"])
def report(request):
    regions = _report_regions(request.user)
    if not regions:
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        form = ProblemForm(request.POST, regions=regions, files=request.FILES.getlist("photos"))
        with attempting(request) as outcome:
            if not form.is_valid():
                raise form_refusal(form)
            problem, _created = form.save(actor=request.user)
            messages.success(request, _("Problem #%(n)s reported: %(status)s.") % {"n": problem.pk, "status": problem.get_status_display()})
            return redirect("grid:problem", problem.pk)
        status = outcome.status
    context = {
        "regions": regions,
        "categories": Category.objects.filter(is_active=True),
        "id": request.POST.get("id") or uuid.uuid4(),
        "data": request.POST,
    }
    return render(request, "grid/report.html", context, status=status)


def _visible_problems(user):
    return Problem.objects.visible_to(user)


@login_required
def problems(request):
    rows = _visible_problems(request.user).select_related("category", "unit", "region")
    status = request.GET.get("status")
    if status == "overdue":
        rows = rows.filter(escalation__gt=0).exclude(status__in=[S.CONFIRMED, S.MERGED, S.RESOLVED])
    elif status in S.values:
        rows = rows.filter(status=status)
    page = Paginator(rows.order_by("-created_at"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "grid/problems.html", {"page": page, "statuses": S.choices, "status": status})


PROBLEM_DONE = {
    "dispatch": gettext_lazy("Dispatched: the department is told and must receive it in time."),
    "receive": gettext_lazy("Received: the deadline to resolve it runs."),
    "handle": gettext_lazy("Recorded: the problem is being handled."),
    "return": gettext_lazy("Returned to the street office with your reason."),
    "resolve": gettext_lazy("Resolved: the reporter and the street office are asked to confirm the fix."),
    "confirm": gettext_lazy("Confirmed: the case is closed."),
    "reopen": gettext_lazy("Reopened with your reason: the department must handle it again."),
    "merge": gettext_lazy("Merged: its reporter now follows the other problem."),
}


@login_required
@require_http_methods(["GET", "POST"])
def problem(request, pk):
    problem = get_object_or_404(_visible_problems(request.user).select_related("category", "unit", "region", "reporter"), pk=pk)
    user = request.user
    if request.method == "POST":
        step = forms.PROBLEM_STEPS.get(request.POST.get("step"))
        with attempting(request, PermissionDenied):
            if step is None:
                raise ValidationError("未知的操作")
            step(request.POST, request.FILES, user=user, problem=problem).save()
            messages.success(request, str(PROBLEM_DONE[request.POST["step"]]))
        return redirect("grid:problem", problem.pk)
    steps = problem.steps.select_related("actor", "unit").prefetch_related("evidence")
    units = (
        actions.units_serving(problem.region).select_related("region").order_by("region__depth", "region__path", "name")
        if actions.may_dispatch(user, problem)
        else []
    )
    context = {
        "problem": problem,
        "steps": steps,
        "units": units,
        "may_dispatch": actions.may_dispatch(user, problem),
        "may_handle": actions.may_handle(user, problem),
        "may_confirm": actions.may_confirm(user, problem),
    }
    return render(request, "grid/problem.html", context)


@console_required
@require_http_methods(["GET", "POST"])
def routes(request):
    if request.method == "POST":
        with attempting(request):
            forms.RouteForm(request.POST, user=request.user).save()
            messages.success(request, _("Saved."))
            return redirect("grid:routes")
    rows = scope(Route.objects.select_related("category", "region", "unit"), request.user).order_by("category__code", "region__path")
    regions = Region.objects.exclude(level="grid").order_by("path")
    context = {
        "routes": rows[:500],
        "categories": Category.objects.filter(is_active=True),
        "regions": regions if request.user.is_system_admin else regions.within(request.user.region),
        "units": Unit.objects.filter(kind__in=["department", "station"]).order_by("name"),
    }
    return render(request, "grid/routes.html", context)


def _period(request) -> tuple[dt.datetime, dt.datetime, str]:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
        if not 2000 <= year <= 2100:
            raise ValueError
    except ValueError:
        raise Http404 from None
    start = timezone.make_aware(dt.datetime(year, 1, 1))
    return start, timezone.make_aware(dt.datetime(year + 1, 1, 1)), str(year)


def _percent(rate) -> str:
    return percent_text(rate.value)


@console_required
@require_POST
def callbacks(request):
    with attempting(request):
        campaign, count = forms.CallbacksForm(request.POST, user=request.user).save(issue=False)
        messages.success(
            request, _("The call-back campaign is ready: issue %(n)s codes here, one for each reporter of a closed problem.") % {"n": count}
        )
        return redirect("evaluations:campaign-detail", campaign.pk)
    return redirect("grid:scorecards")


@login_required
def scorecards_page(request):
    user = request.user
    if user.role == "handler" and user.unit_id:
        units = Unit.objects.filter(pk=user.unit_id)
    elif user.can_use_console:
        # the region's own departments and those above it that serve it (dispatch reaches no others): a district
        # department serving a street is on the street's scorecard, counted on the street's problems
        units = scope(Unit.objects.filter(kind__in=["department", "station"]), user)
        if not user.is_system_admin:
            units = units | actions.units_serving(user.region)
    else:
        raise PermissionDenied
    start, end, year = _period(request)
    units = list(units.order_by("name")[:300])
    area = (
        get_for_user(user, Region.objects, pk=posted_id(request.GET.get("region")) or 0)
        if request.GET.get("region") and user.can_use_console
        else None
    )
    if area is None and user.can_use_console and not user.is_system_admin:
        area = user.region  # a department serving several streets is counted on this user's problems only
    cards = scorecards.scorecard(units, start, end, region=area)
    names = [name for name, _d in scorecards.DEFINITIONS]
    rows = [(unit, cards[unit.pk]) for unit in units if unit.pk in cards]
    table = [(unit, card["dispatched"], [(_percent(card[name]), card[name].k, card[name].n) for name in names]) for unit, card in rows]
    trend = None
    if len(rows) == 1 or request.GET.get("unit"):
        chosen = next((u for u, _c in rows if str(u.pk) == request.GET.get("unit")), rows[0][0] if rows else None)
        if chosen is not None:
            monthly = scorecards.monthly_on_time(chosen, start, end)
            points = [(f"{m}月", None if monthly.get(m) is None else monthly[m] * 100) for m in range(1, 13)]
            trend = charts.trend(points, f"{chosen.name} 按时办结率（%）")
    context = {
        "rows": table,
        "year": year,
        "names": names,
        "definitions": scorecards.DEFINITIONS,
        "trend": trend,
        "regions": Region.objects.filter(level__in=["district", "street"]).order_by("path").within(user.region)
        if user.can_use_console and user.region_id
        else [],
        "today": timezone.localdate(),
        "area": area,
    }
    return render(request, "grid/scorecards.html", context)


# Street tasks and secondments ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def tasks(request):
    from minping.grid.models import Task

    user = request.user
    if request.method == "POST":
        if not user.can_use_console:
            raise PermissionDenied
        with attempting(request):
            task = forms.TaskForm(request.POST, user=user).save()
            return redirect("grid:task", task.pk)
    if user.can_use_console:
        rows = scope(Task.objects.select_related("region"), user)
    else:
        rows = Task.objects.filter(secondments__cadre=user).select_related("region").distinct()
    streets = Region.objects.filter(level__in=["district", "street"]).order_by("path")
    context = {"tasks": rows[:200], "streets": streets if user.is_system_admin else streets.within(user.region) if user.region_id else []}
    return render(request, "grid/tasks.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def task(request, pk):
    from minping.grid.models import Task

    task = get_object_or_404(Task.objects.select_related("region"), pk=pk)
    user = request.user
    console = user.can_use_console and (user.is_system_admin or task.region.is_within(user.region))
    if not console and not task.secondments.filter(cadre=user).exists():
        raise Http404
    if request.method == "POST":
        with attempting(request, PermissionDenied):
            if request.POST.get("step") == "second":
                if not console:
                    raise PermissionDenied
                forms.SecondmentForm(request.POST, user=user, task=task).save()
            else:
                forms.TaskProgressForm(request.POST, user=user, task=task).save()
            messages.success(request, _("Saved."))
        return redirect("grid:task", task.pk)
    context = {
        "task": task,
        "secondments": task.secondments.select_related("cadre__cadre"),
        "updates": task.updates.select_related("added_by"),
        "console": console,
        "may_report": actions.may_report_on(user, task),
    }
    return render(request, "grid/task.html", context)


@console_required
@require_http_methods(["GET", "POST"])
def teams(request):
    from minping.grid.models import Team

    user = request.user
    if request.method == "POST":
        with attempting(request):
            step = request.POST.get("step")
            if step in ("join", "leave"):
                team = get_object_or_404(scope(Team.objects.select_related("region"), user), pk=posted_id(request.POST.get("team")) or 0)
                forms.TeamMemberForm(request.POST, user=user, team=team, leaving=step == "leave").save()
            else:
                forms.TeamForm(request.POST, user=user).save()
            messages.success(request, _("Saved."))
            return redirect("grid:teams")
    rows = scope(Team.objects.prefetch_related("grids", "members").select_related("region"), user)[:200]
    communities = Region.objects.filter(level="community").order_by("path")
    communities = communities if user.is_system_admin else communities.within(user.region)
    grids = Region.objects.filter(level="grid", parent__in=communities).select_related("parent").order_by("path")[:2000]
    return render(request, "grid/teams.html", {"teams": rows, "communities": communities[:500], "grids": grids})


ASSIGNMENT_STEPS = {"end": forms.EndAssignmentForm, "move": forms.MoveWorkerForm}


@console_required
@require_http_methods(["GET", "POST"])
def assignments(request):
    """Who works on which grid: every current and coming assignment of the office's grids, with what each cadre
    taking a grid over (我当网格员) has done against the visits expected; assign, move and end from here."""
    from minping.grid.work import assignment_work

    user = request.user
    if request.method == "POST":
        with attempting(request, PermissionDenied):
            step = request.POST.get("step")
            if step in ASSIGNMENT_STEPS:
                assignment = get_object_or_404(
                    scope(Assignment.objects.select_related("grid", "worker"), user), pk=posted_id(request.POST.get("assignment")) or 0
                )
                ASSIGNMENT_STEPS[step](request.POST, user=user, assignment=assignment).save()
            else:
                forms.AssignmentForm(request.POST, user=user).save()
            messages.success(request, _("Saved."))
            return redirect("grid:assignments")
    today = timezone.localdate()
    grids = Region.objects.filter(level="grid").select_related("parent").order_by("path")
    grids = grids if user.is_system_admin else grids.within(user.region) if user.region_id else grids.none()
    rows = list(
        scope(Assignment.objects.select_related("grid__parent", "worker__cadre"), user)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .order_by("grid__path", "starts_on")[:1000]
    )
    work = assignment_work([a for a in rows if a.is_secondment], today)
    context = {"rows": [(a, work.get(a.pk)) for a in rows], "grids": grids[:3000], "today": today}
    return render(request, "grid/assignments.html", context)


def _share(part: int, whole: int) -> str:
    return percent_text(part / whole if whole else None)


@console_required
def coverage(request):
    """Visit coverage below a region: for each region under it, its households and how many were visited within
    the cycle."""
    from django.db.models import Count
    from django.db.models.functions import Substr

    from minping.org.models import PATH_SEGMENT

    user = request.user
    region_id = posted_id(request.GET.get("region"))
    region = get_for_user(user, Region.objects, pk=region_id) if region_id else (user.region or Region.objects.roots().first())
    if region is None:
        raise Http404
    since = timezone.localdate() - dt.timedelta(days=settings.VISIT_CYCLE_DAYS)
    length = len(region.path) + PATH_SEGMENT + 1
    households = (
        Household.objects.filter(region__path__startswith=region.path)
        .exclude(region=region)
        .annotate(child=Substr("region__path", 1, length))
        .values("child")
        .annotate(n=Count("pk"), visited=Count("pk", filter=Q(visit_state__last_visited_on__gt=since)))
    )
    sites = (
        Site.objects.filter(grid__path__startswith=region.path)
        .exclude(grid=region)
        .annotate(child=Substr("grid__path", 1, length))
        .values("child")
        .annotate(n=Count("pk"), visited=Count("pk", filter=Q(last_visited_on__gt=since)))
    )
    counts = {}  # child's path: [households, visited, sites, visited]
    for offset, rows in ((0, households), (2, sites)):
        for row in rows:
            counts.setdefault(row["child"], [0, 0, 0, 0])[offset : offset + 2] = [row["n"], row["visited"]]
    children = {r.path: r for r in Region.objects.filter(path__in=list(counts))}
    table = [(children[path], *n) for path, n in sorted(counts.items()) if path in children]
    totals = [sum(row[i] for row in table) for i in range(1, 5)]
    context = {
        "region": region,
        "rows": [(child, n, visited, _share(visited, n), sites, seen, _share(seen, sites)) for child, n, visited, sites, seen in table],
        "total": (totals[0], totals[1], _share(totals[1], totals[0]), totals[2], totals[3], _share(totals[3], totals[2])),
        "cycle": settings.VISIT_CYCLE_DAYS,
        "parent": region.parent if region.parent_id and (user.is_system_admin or region.parent.is_within(user.region)) else None,
    }
    return render(request, "grid/coverage.html", context)
