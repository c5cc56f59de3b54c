"""Grid governance (网格化管理, seeds 002 and 003): grid workers assigned to grids, households visited on a cycle,
and problems (事件) reported in the field, routed to the responsible department, received, handled, resolved with
evidence, confirmed by whoever reported them, escalated when late.

A visit and a problem carry an id made where they were recorded (a phone, perhaps offline): sending the same
record again finds it instead of storing it twice.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minping.accounts.scoping import scope
from minping.org.models import ScopedQuerySet


class GridScopedQuerySet(ScopedQuerySet):
    region_path = "grid__path"


class AssignmentQuerySet(GridScopedQuerySet):
    def current(self, day=None):
        day = day or timezone.localdate()
        return self.filter(starts_on__lte=day).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))


class Assignment(models.Model):
    """A worker on a grid for a period: a grid worker (a grid can have several, a worker several grids), or a
    cadre taking over a grid for a day or a season (我当网格员), whose work is counted to them."""

    grid = models.ForeignKey("org.Region", models.PROTECT, related_name="assignments", verbose_name=_("grid"))
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="grid_assignments", verbose_name=_("worker"))
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    is_secondment = models.BooleanField(_("secondment (我当网格员)"), default=False)
    target_visits = models.PositiveIntegerField(_("visits expected"), null=True, blank=True)  # a secondment's target
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["grid", "starts_on"]
        indexes = [models.Index(fields=["worker", "starts_on"], name="assignment_worker")]


class Team(models.Model):
    """组团: several grids of a community served together by a team."""

    region = models.ForeignKey("org.Region", models.PROTECT, related_name="+", verbose_name=_("community"))
    name = models.CharField(_("name"), max_length=100)
    grids = models.ManyToManyField("org.Region", related_name="teams")
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="grid_teams")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="team_unique_name")]

    def __str__(self) -> str:
        return self.name


class Site(models.Model):
    """A legal person or a site under a grid (a shop, a rented house, a 三小场所), visited like a household."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("Enterprise")
        SHOP = "shop", _("Shop")
        RENTAL = "rental", _("Rented housing")
        SMALL_VENUE = "small_venue", _("Small venue (三小场所)")
        OTHER = "other", _("Other")

    grid = models.ForeignKey("org.Region", models.PROTECT, related_name="sites", verbose_name=_("grid"))
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    address = models.CharField(_("address"), max_length=200, blank=True)
    enterprise = models.ForeignKey("org.Enterprise", models.SET_NULL, null=True, blank=True, related_name="sites")
    last_visited_on = models.DateField(null=True, blank=True)  # the due list reads this, not the visits

    objects = GridScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class VisitState(models.Model):
    """When a household was last visited: the due list reads this, not the visits."""

    household = models.OneToOneField("org.Household", models.CASCADE, primary_key=True, related_name="visit_state")
    last_visited_on = models.DateField()


class Visit(models.Model):
    class Kind(models.TextChoices):
        ROUTINE = "routine", _("Routine visit")
        CHECK = "check", _("Safety check")
        FOLLOW_UP = "follow_up", _("Follow-up")
        SERVICE = "service", _("Service")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)  # made on the phone
    # Found through the indexes below, which lead with them: an index of their own would only slow each insert.
    household = models.ForeignKey("org.Household", models.PROTECT, null=True, blank=True, related_name="visits", db_index=False)
    site = models.ForeignKey(
        Site, models.PROTECT, null=True, blank=True, related_name="visits", db_index=False
    )  # or a legal person or site
    grid = models.ForeignKey("org.Region", models.PROTECT, related_name="+", db_index=False)
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    visited_on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ROUTINE)
    notes = models.CharField(_("notes"), max_length=1000, blank=True)
    changes = models.JSONField(default=dict, blank=True)  # registry changes applied with it
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["grid", "visited_on"], name="visit_grid_day"),
            models.Index(fields=["household", "visited_on"], name="visit_household_day"),
            # few visits are to sites: an index of those alone costs the household visits nothing
            models.Index(fields=["site", "visited_on"], name="visit_site_day", condition=Q(site__isnull=False)),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(household__isnull=False, site__isnull=True) | Q(household__isnull=True, site__isnull=False),
                name="visit_household_or_site",
            )
        ]


class Category(models.Model):
    """A kind of problem (the catalogue is configurable), with its deadlines and whether resolving needs evidence."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=500, blank=True)
    receive_hours = models.PositiveIntegerField(_("hours to receive"), default=24)
    resolve_days = models.PositiveIntegerField(_("days to resolve"), default=7)
    evidence_required = models.BooleanField(_("evidence required to resolve"), default=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Route(models.Model):
    """Which department handles a category in a region (and the regions under it, unless they have their own)."""

    category = models.ForeignKey(Category, models.CASCADE, related_name="routes")
    region = models.ForeignKey("org.Region", models.CASCADE, related_name="+")
    unit = models.ForeignKey("org.Unit", models.PROTECT, related_name="routes")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["category", "region"], name="route_once_per_region")]


class ProblemQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """The problems `user` may open, on the web, in the JSON API, through Open311 and as files alike: a
        department handler its unit's, a console user those of its region, anyone else those they reported."""
        if not user.is_authenticated:
            return self.none()
        if user.role == "handler" and user.unit_id:
            return self.filter(unit_id=user.unit_id)
        if user.can_use_console:
            return scope(self, user)
        return self.filter(reporter=user)

    def open(self):
        return self.exclude(status__in=[Problem.Status.CONFIRMED, Problem.Status.MERGED])


class Problem(models.Model):
    class Status(models.TextChoices):
        TRIAGE = "triage", _("Waiting for dispatch")
        DISPATCHED = "dispatched", _("Dispatched")
        RECEIVED = "received", _("Received")
        HANDLING = "handling", _("Being handled")
        RESOLVED = "resolved", _("Resolved")
        CONFIRMED = "confirmed", _("Case closed")
        MERGED = "merged", _("Merged as duplicate")

    class Reporter(models.TextChoices):
        GRID_WORKER = "grid_worker", _("Grid worker")
        RESIDENT = "resident", _("Resident")
        CADRE = "cadre", _("Cadre")

    client_id = models.UUIDField(unique=True, default=uuid.uuid4)  # made where it was reported
    category = models.ForeignKey(Category, models.PROTECT, related_name="problems", verbose_name=_("category"))
    region = models.ForeignKey("org.Region", models.PROTECT, related_name="+", verbose_name=_("region"))
    address = models.CharField(_("address"), max_length=200)
    lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    lon = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    description = models.CharField(_("description"), max_length=2000)
    reporter_kind = models.CharField(max_length=12, choices=Reporter.choices)
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    reporter_contact = models.CharField(max_length=100, blank=True)  # a resident's, to tell them the outcome
    unit = models.ForeignKey("org.Unit", models.PROTECT, null=True, blank=True, related_name="problems", verbose_name=_("department"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    created_at = models.DateTimeField(default=timezone.now)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    receive_by = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    resolve_by = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    escalation = models.PositiveSmallIntegerField(default=0)  # times escalated
    returned = models.PositiveSmallIntegerField(default=0)  # times sent back for re-dispatch (回退)
    reopened = models.PositiveSmallIntegerField(default=0)  # times the reporter reopened it (重办)
    verification = models.CharField(max_length=10, blank=True, db_default="")  # a sample audit's verdict on the ground (抽样督评)
    merged_into = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="duplicates")

    objects = ProblemQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["unit", "status"], name="problem_unit_status"),
            models.Index(fields=["unit", "created_at"], name="problem_unit_created"),
            models.Index(fields=["status", "receive_by"], name="problem_due_receive"),
            models.Index(fields=["status", "resolve_by"], name="problem_due_resolve"),
        ]

    def __str__(self) -> str:
        return f"{self.category.name}：{self.description[:30]}"


class Step(models.Model):
    """Every step of a problem's life, with who took it and when."""

    LABELS = {
        "report": _("reported"),
        "dispatch": _("dispatched"),
        "receive": _("received"),
        "handle": _("handling started"),
        "return": _("sent back"),
        "resolve": _("resolved"),
        "confirm": _("confirmed by the reporter"),
        "reopen": _("reopened"),
        "merge": _("merged"),
        "escalate": _("escalated"),
    }

    problem = models.ForeignKey(Problem, models.CASCADE, related_name="steps")
    action = models.CharField(max_length=16)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    unit = models.ForeignKey("org.Unit", models.PROTECT, null=True, blank=True, related_name="+")
    note = models.CharField(max_length=1000, blank=True)
    at = models.DateTimeField(default=timezone.now)
    evidence = models.ManyToManyField("evidence.Evidence", blank=True, related_name="+")

    class Meta:
        ordering = ["problem", "at", "pk"]

    @property
    def label(self) -> str:
        return str(self.LABELS.get(self.action, self.action))


class Task(models.Model):
    """A street task cadres are seconded to for a period (seed 002: land consolidation, 30% → 83% in three
    months), with its target and progress."""

    region = models.ForeignKey("org.Region", models.PROTECT, related_name="+", verbose_name=_("street"))
    name = models.CharField(_("name"), max_length=200)
    target = models.CharField(_("target"), max_length=500)
    baseline = models.PositiveSmallIntegerField(_("progress at the start (%)"), default=0)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "name"]

    def __str__(self) -> str:
        return self.name


class Secondment(models.Model):
    """A cadre attached to a street task for a period; what they record on it is counted to them."""

    task = models.ForeignKey(Task, models.CASCADE, related_name="secondments")
    cadre = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="secondments")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))

    class Meta:
        ordering = ["task", "starts_on"]
        constraints = [models.UniqueConstraint(fields=["task", "cadre"], name="secondment_once_per_task")]


class TaskProgress(models.Model):
    task = models.ForeignKey(Task, models.CASCADE, related_name="updates")
    percent = models.PositiveSmallIntegerField()
    note = models.CharField(max_length=1000)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["task", "added_at", "pk"]
