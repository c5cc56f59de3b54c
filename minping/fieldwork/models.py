"""Cadres in the field (走基层, seed 004 and the field work of seeds 000 and 002).

Each cadre keeps contact points of several kinds (五个一: a community, an enterprise, a talent, a college-graduate
village official, a family in difficulty) and logs what they do there (联系点工作日志); a supervisor reads the log
and comments on it. Every suggestion or problem raised in a log, a forum or a reception day is an item followed
until whoever raised it can be told what came of it; a problem a department must handle is handed to the grid's
dispatch (one record, linked), and closes when the grid's problem is closed. Reception days (接访日) recur at a
contact point with a rota of cadres; research topics and forums record what was studied and what came out of it;
a 蹲点 pairing puts a cadre and a senior cadre on a key project with cadence targets.

No clock-ins, no location, no points for time online: a log records work, not presence.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minping.org.models import ScopedQuerySet


class CadreScopedQuerySet(ScopedQuerySet):
    region_path = "cadre__region__path"


class ContactKind(models.Model):
    """A kind of contact point (configurable); `source` says which registry record a contact of this kind names."""

    class Source(models.TextChoices):
        COMMUNITY = "community", _("Community or village")
        ENTERPRISE = "enterprise", _("Enterprise")
        CADRE = "cadre", _("Cadre or official")
        HOUSEHOLD = "household", _("Household")
        PERSON = "person", _("Person named here")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=50)
    source = models.CharField(_("registry"), max_length=12, choices=Source.choices)
    expected = models.BooleanField(_("every cadre keeps one"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name


class ContactQuerySet(CadreScopedQuerySet):
    def current(self, day=None):
        day = day or timezone.localdate()
        return self.filter(starts_on__lte=day).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))


class Contact(models.Model):
    """A cadre's contact point (联系点): one registry record of the kind's source, or a person named here."""

    cadre = models.ForeignKey("org.Cadre", models.PROTECT, related_name="contacts", verbose_name=_("cadre"))
    kind = models.ForeignKey(ContactKind, models.PROTECT, related_name="contacts", verbose_name=_("kind"))
    region = models.ForeignKey("org.Region", models.PROTECT, related_name="+", verbose_name=_("region"))
    community = models.ForeignKey("org.Region", models.PROTECT, null=True, blank=True, related_name="contact_cadres")
    enterprise = models.ForeignKey("org.Enterprise", models.PROTECT, null=True, blank=True, related_name="contact_cadres")
    official = models.ForeignKey("org.Cadre", models.PROTECT, null=True, blank=True, related_name="contact_cadres")
    household = models.ForeignKey("org.Household", models.PROTECT, null=True, blank=True, related_name="contact_cadres")
    name = models.CharField(_("name"), max_length=100)  # the record's name when it was paired, or the person's
    note = models.CharField(_("note"), max_length=200, blank=True)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["cadre", "kind__position", "pk"]

    def __str__(self) -> str:
        return f"{self.kind.name}：{self.name}"


class Entry(models.Model):
    """One entry of a cadre's work log. Its id is made where it was written, so a form sent twice stores it once."""

    class Form(models.TextChoices):
        VISIT = "visit", _("Visit")
        PHONE = "phone", _("Phone call")
        FORUM = "forum", _("Forum")
        RECEPTION = "reception", _("Reception day")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cadre = models.ForeignKey("org.Cadre", models.PROTECT, related_name="log_entries", verbose_name=_("cadre"))
    contact = models.ForeignKey(Contact, models.PROTECT, related_name="entries", verbose_name=_("contact point"))
    on = models.DateField(_("date"))
    form = models.CharField(_("form"), max_length=10, choices=Form.choices, default=Form.VISIT)
    discussed = models.CharField(_("what was discussed"), max_length=2000)
    problems = models.CharField(_("problems found"), max_length=2000, blank=True)
    suggestions = models.CharField(_("suggestions collected"), max_length=2000, blank=True)
    late_reason = models.CharField(_("why it is entered late"), max_length=200, blank=True)
    photos = models.ManyToManyField("evidence.Evidence", blank=True, related_name="+")
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    revisions = models.PositiveSmallIntegerField(default=0)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    comment = models.CharField(_("supervisor's comment"), max_length=1000, blank=True)
    verification = models.CharField(max_length=10, blank=True, db_default="")  # a sample audit's verdict on the ground (抽样督评)

    objects = CadreScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-on", "-created_at"]
        indexes = [models.Index(fields=["cadre", "on"], name="entry_cadre_day"), models.Index(fields=["on"], name="entry_day")]

    def __str__(self) -> str:
        return f"{self.on:%Y-%m-%d} {self.get_form_display()}：{self.discussed[:30]}"


class CadreMonth(models.Model):
    """How many entries (and how many of them visits) a cadre logged in a month, kept with each entry so a year's
    figures for a district read thousands of rows, not a million."""

    cadre = models.ForeignKey("org.Cadre", models.CASCADE, related_name="+")
    month = models.DateField()  # the first of the month
    entries = models.PositiveIntegerField(default=0)
    visits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cadre", "month"], name="cadre_month_once")]


class ContactYear(models.Model):
    """The months of a year in which a contact had an entry (bit m − 1 for month m): contacts covered over any run
    of months is one bitwise test a contact."""

    contact = models.ForeignKey(Contact, models.CASCADE, related_name="+")
    cadre = models.ForeignKey("org.Cadre", models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    months = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contact", "year"], name="contact_year_once")]
        indexes = [models.Index(fields=["cadre", "year"], name="contact_year_cadre")]


class EntryRevision(models.Model):
    """An entry as it was before an edit, with the edit's reason."""

    entry = models.ForeignKey(Entry, models.CASCADE, related_name="history")
    before = models.JSONField()
    reason = models.CharField(max_length=200)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["entry", "at", "pk"]


class Schedule(models.Model):
    """A recurring reception day (接访日) at a contact point: a day of every month, a place, a pool of cadres
    taking turns (the rota), and how many of them receive at each session."""

    region = models.ForeignKey("org.Region", models.PROTECT, related_name="+", verbose_name=_("contact point"))
    place = models.CharField(_("place"), max_length=200)
    day = models.PositiveSmallIntegerField(_("day of the month"))
    per_session = models.PositiveSmallIntegerField(_("cadres a session"), default=2)
    cadres = models.ManyToManyField("org.Cadre", related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["region", "day"]

    def __str__(self) -> str:
        return f"{self.region.name}（每月{self.day}日）"


class ReceptionDay(models.Model):
    """One reception day of a schedule, the cadres on duty, and what happened."""

    schedule = models.ForeignKey(Schedule, models.CASCADE, related_name="sessions")
    on = models.DateField(_("date"))
    cadres = models.ManyToManyField("org.Cadre", related_name="reception_sessions")
    held = models.BooleanField(default=False)
    visitors = models.PositiveIntegerField(_("visitors"), default=0)
    notes = models.CharField(_("notes"), max_length=2000, blank=True)

    class Meta:
        db_table = "fieldwork_session"  # its name before it was called ReceptionDay
        ordering = ["on", "pk"]
        constraints = [models.UniqueConstraint(fields=["schedule", "on"], name="session_once_a_day")]

    def __str__(self) -> str:
        return f"接访日 {self.on:%Y-%m-%d}"


class Topic(models.Model):
    """A research topic (调研课题): an owner, a team and the deliverables promised."""

    region = models.ForeignKey("org.Region", models.PROTECT, related_name="+", verbose_name=_("region"))
    title = models.CharField(_("title"), max_length=200)
    owner = models.ForeignKey("org.Cadre", models.PROTECT, related_name="owned_topics", verbose_name=_("owner"))
    team = models.ManyToManyField("org.Cadre", related_name="topics", blank=True)
    deliverables = models.CharField(_("deliverables"), max_length=1000)
    starts_on = models.DateField(_("from"))
    due_on = models.DateField(_("due"))
    concluded_on = models.DateField(_("concluded"), null=True, blank=True)
    conclusion = models.CharField(_("conclusion"), max_length=2000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "title"]

    def __str__(self) -> str:
        return self.title


class Meeting(models.Model):
    """A forum (座谈会) or a site meeting (现场推进会): who took part and what came out of it."""

    class Kind(models.TextChoices):
        FORUM = "forum", _("Forum")
        SITE = "site", _("Site meeting")

    region = models.ForeignKey("org.Region", models.PROTECT, related_name="+", verbose_name=_("region"))
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("date"))
    topic = models.ForeignKey(Topic, models.SET_NULL, null=True, blank=True, related_name="meetings", verbose_name=_("research topic"))
    convener = models.ForeignKey("org.Cadre", models.PROTECT, related_name="+", verbose_name=_("convener"))
    participants = models.PositiveIntegerField(_("participants"))
    documents = models.JSONField(default=list, blank=True)  # titles of the documents it produced
    notes = models.CharField(_("notes"), max_length=2000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "pk"]

    def __str__(self) -> str:
        return self.title


class FollowUpQuerySet(ScopedQuerySet):
    def open(self):
        return self.exclude(status=FollowUp.Status.CLOSED)


class FollowUp(models.Model):
    """A suggestion (意见建议) or a problem (受理问题) raised in a log entry, a forum or a reception day, followed
    until it is closed and whoever raised it has been told the outcome."""

    class Kind(models.TextChoices):
        SUGGESTION = "suggestion", _("Suggestion")
        PROBLEM = "problem", _("Problem")

    class Raiser(models.TextChoices):
        RESIDENT = "resident", _("Resident")
        ENTERPRISE = "enterprise", _("Enterprise")
        OFFICIAL = "official", _("Official")

    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        PROPOSED = "proposed", _("Solution proposed")
        ACTED = "acted", _("Acted on")
        FORWARDED = "forwarded", _("Forwarded to a department")
        CLOSED = "closed", _("Resolved")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text = models.CharField(_("what was raised"), max_length=1000)
    region = models.ForeignKey("org.Region", models.PROTECT, related_name="+", verbose_name=_("region"))
    cadre = models.ForeignKey("org.Cadre", models.PROTECT, related_name="items", verbose_name=_("followed by"))
    entry = models.ForeignKey(Entry, models.PROTECT, null=True, blank=True, related_name="items")
    meeting = models.ForeignKey(Meeting, models.PROTECT, null=True, blank=True, related_name="items")
    session = models.ForeignKey(ReceptionDay, models.PROTECT, null=True, blank=True, related_name="items")
    raised_by = models.CharField(_("raised by"), max_length=100, blank=True)
    raiser_kind = models.CharField(_("raised by"), max_length=10, choices=Raiser.choices, default=Raiser.RESIDENT)
    raiser_contact = models.CharField(_("phone or e-mail"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACCEPTED)
    solution = models.CharField(_("proposed solution"), max_length=2000, blank=True)
    problem = models.OneToOneField("grid.Problem", models.PROTECT, null=True, blank=True, related_name="fieldwork_item")
    outcome = models.CharField(_("outcome"), max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    proposed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    told_at = models.DateTimeField(null=True, blank=True)
    told_how = models.CharField(max_length=20, blank=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        db_table = "fieldwork_item"  # its name before it was called FollowUp
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["cadre", "status"], name="item_cadre_status"),
            models.Index(fields=["created_at"], name="item_created"),
        ]

    def __str__(self) -> str:
        return self.text[:40]


class ItemStep(models.Model):
    LABELS = {
        "accept": _("accepted"),
        "propose": _("solution proposed"),
        "act": _("acted on"),
        "forward": _("forwarded to the grid dispatch"),
        "close": _("closed"),
        "tell": _("outcome told"),
    }

    item = models.ForeignKey(FollowUp, models.CASCADE, related_name="steps")
    action = models.CharField(max_length=10)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    note = models.CharField(max_length=2000, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["item", "at", "pk"]

    @property
    def label(self) -> str:
        return str(self.LABELS.get(self.action, self.action))


class Project(models.Model):
    """A key project (重点项目) cadres follow on site."""

    region = models.ForeignKey("org.Region", models.PROTECT, related_name="+", verbose_name=_("region"))
    name = models.CharField(_("name"), max_length=200)
    description = models.CharField(_("description"), max_length=1000, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="project_unique_name")]

    def __str__(self) -> str:
        return self.name


class Pairing(models.Model):
    """蹲点: a cadre and a senior (二线) cadre following a key project, with cadence targets."""

    project = models.ForeignKey(Project, models.PROTECT, related_name="pairings", verbose_name=_("key project"))
    cadre = models.ForeignKey("org.Cadre", models.PROTECT, related_name="pairings", verbose_name=_("cadre"))
    senior = models.ForeignKey("org.Cadre", models.PROTECT, related_name="senior_pairings", verbose_name=_("senior cadre"))
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    site_days_a_week = models.PositiveSmallIntegerField(_("days on site a week"), default=1)
    exchanges_a_month = models.PositiveSmallIntegerField(_("exchanges a month"), default=1)
    reports_a_month = models.PositiveSmallIntegerField(_("reports to the leader a month"), default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    objects = CadreScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "pk"]

    def __str__(self) -> str:
        return f"{self.project.name}蹲点"


class Activity(models.Model):
    """What a pairing did: a day on site, an exchange with the senior cadre, or a report to the leader (领导参阅)."""

    class Kind(models.TextChoices):
        SITE_DAY = "site_day", _("Day on site")
        EXCHANGE = "exchange", _("Exchange")
        REPORT = "report", _("Report to the leader")

    pairing = models.ForeignKey(Pairing, models.CASCADE, related_name="activities")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    on = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    text = models.CharField(_("content"), max_length=5000)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pairing", "-on", "-pk"]
        constraints = [models.UniqueConstraint(fields=["pairing", "kind", "on"], condition=Q(kind="site_day"), name="one_site_day_a_day")]

    def __str__(self) -> str:
        return f"{self.on:%Y-%m-%d} {self.get_kind_display()}"
