"""What grid governance puts on the workbench: a grid worker's households due this week and problems to confirm;
a handler's problems to receive and resolve; an office's problems waiting for dispatch and those overdue."""

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from minping.accounts.scoping import scope
from minping.accounts.workbench import Section, Task, section
from minping.grid import actions
from minping.grid.models import Problem

LIMIT = 20
S = Problem.Status


@section("grid_worker", "cadre", "office", "organiser", order=30)
def my_grids(user) -> Section | None:
    if user.role == "cadre":
        return None  # a cadre's grid days (我当网格员) are their own section, with the work counted to them
    grids = list(actions.grids_of(user))
    if not grids:
        if user.role == "grid_worker":
            return Section(
                _("My grids"), [], _("You are on no grid yet: your street or community office puts you on one (Grid assignments).")
            )
        return None
    today = timezone.localdate()
    tasks = []
    for grid in grids:
        due = actions.due_households([grid.pk], today, settings.VISIT_CYCLE_DAYS).count()
        sites = actions.due_sites([grid.pk], today, settings.VISIT_CYCLE_DAYS).count()
        due_text = (
            _("%(n)s households and %(s)s sites due a visit this week") if sites else _("%(n)s households due a visit this week")
        ) % {"n": due, "s": sites}
        tasks.append(Task(grid.name, reverse("grid:due", args=[grid.pk]), due_text))
    mine = Problem.objects.filter(reporter=user, status=S.RESOLVED).order_by("-resolved_at")[:LIMIT]
    tasks += [Task(f"#{p.pk} {p.category.name}", reverse("grid:problem", args=[p.pk]), _("resolved: confirm or reopen")) for p in mine]
    return Section(
        _("My grids"),
        tasks,
        "",
        [Task(_("Field work (works offline)"), reverse("grid:field")), Task(_("Report a problem"), reverse("grid:report"))],
    )


@section("handler", order=30)
def problems_to_handle(user) -> Section | None:
    if not user.unit_id:
        return None
    waiting = (
        Problem.objects.filter(unit_id=user.unit_id, status__in=[S.DISPATCHED, S.RECEIVED, S.HANDLING])
        .select_related("category")
        .order_by("resolve_by")[:LIMIT]
    )
    now = timezone.now()
    tasks = [
        Task(
            f"#{p.pk} {p.category.name}：{p.address}",
            reverse("grid:problem", args=[p.pk]),
            _("overdue") if p.resolve_by and p.resolve_by < now else p.get_status_display(),
        )
        for p in waiting
    ]
    return Section(
        _("Problems routed to my department"),
        tasks,
        _("No problem is waiting for your department."),
        [Task(_("All problems of my department"), reverse("grid:problems"))],
    )


@section("admin", "organiser", "office", order=35)
def problems_to_dispatch(user) -> Section:
    problems = scope(Problem.objects.all(), user)
    triage = problems.filter(status=S.TRIAGE).count()
    late = problems.filter(Q(escalation__gt=0), ~Q(status__in=[S.CONFIRMED, S.MERGED, S.RESOLVED])).count()
    tasks = []
    if triage:
        tasks.append(Task(_("%(n)s problems waiting for dispatch") % {"n": triage}, f"{reverse('grid:problems')}?status=triage"))
    if late:
        tasks.append(Task(_("%(n)s problems overdue") % {"n": late}, f"{reverse('grid:problems')}?status=overdue"))
    return Section(
        _("Grid problems"),
        tasks,
        _("No problem is waiting for dispatch or overdue."),
        [
            Task(_("All problems"), reverse("grid:problems")),
            Task(_("Department scorecards"), reverse("grid:scorecards")),
            Task(_("Street tasks"), reverse("grid:tasks")),
            Task(_("Grid assignments"), reverse("grid:assignments")),
            Task(_("Grid teams"), reverse("grid:teams")),
            Task(_("Visit coverage"), reverse("grid:coverage")),
        ],
    )


@section("cadre", "office", "organiser", order=31)
def my_secondments(user) -> Section | None:
    from minping.grid.models import Secondment

    today = timezone.localdate()
    current = Secondment.objects.filter(cadre=user, starts_on__lte=today, ends_on__gte=today).select_related("task")
    tasks = [
        Task(
            s.task.name,
            reverse("grid:task", args=[s.task_id]),
            _("until %(day)s, %(progress)s%% done") % {"day": s.ends_on.strftime("%Y-%m-%d"), "progress": s.task.progress},
        )
        for s in current
    ]
    return Section(_("My secondments"), tasks) if tasks else None


@section("cadre", "office", "organiser", "handler", order=32)
def my_grid_days(user) -> Section | None:
    """A cadre taking over a grid (我当网格员): its due list for these days, and the work counted to them so far."""
    from minping.grid.models import Assignment
    from minping.grid.work import assignment_work

    current = list(Assignment.objects.current().filter(worker=user, is_secondment=True).select_related("grid__parent"))
    if not current:
        return None
    work = assignment_work(current)
    tasks = [
        Task(
            f"{a.grid.parent.name} {a.grid.name}",
            reverse("grid:due", args=[a.grid_id]),
            _("until %(day)s: %(visits)s visits of %(target)s expected, %(problems)s problems found")
            % {
                "day": a.ends_on.strftime("%Y-%m-%d") if a.ends_on else "—",
                "visits": work[a.pk]["visits"],
                "target": a.target_visits or "—",
                "problems": work[a.pk]["problems"],
            },
        )
        for a in current
    ]
    return Section(_("My days as a grid worker (我当网格员)"), tasks, links=[Task(_("Field page"), reverse("grid:field"))])
