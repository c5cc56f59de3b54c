"""Phone surveys (电话督评): a stratified sample of a region's residents with phones, drawn for a campaign that takes
telephone interviews, each sampled person a case that interviewers call until a final outcome. A case keeps the
outcome of each attempt and, for a completed interview, only that it was completed: the answers are keyed as an
ordinary phone-channel ballot under a printed phone code, and nothing links the two.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minping.org.models import ScopedQuerySet


class Survey(models.Model):
    class Allocation(models.TextChoices):
        PROPORTIONAL = "proportional", _("Proportional to the strata")
        EQUAL = "equal", _("Equal per stratum")

    class Status(models.TextChoices):
        CALLING = "calling", _("Calling")
        CLOSED = "closed", _("Closed")

    campaign = models.ForeignKey("evaluations.Campaign", models.PROTECT, related_name="+")
    region = models.ForeignKey("org.Region", models.PROTECT, related_name="+", verbose_name=_("region"))
    name = models.CharField(_("name"), max_length=200)
    strata_level = models.CharField(_("strata"), max_length=16)
    margin = models.FloatField(_("margin of error"))
    confidence = models.FloatField(_("confidence"), default=0.95)
    allocation = models.CharField(_("allocation"), max_length=12, choices=Allocation.choices, default=Allocation.PROPORTIONAL)
    exclusion_days = models.PositiveSmallIntegerField(_("not again within (days)"), default=90)
    max_attempts = models.PositiveSmallIntegerField(_("attempts per number"), default=4)
    seed = models.CharField(max_length=64)  # hex: the draw repeats from the frame with it
    by_sex = models.BooleanField(_("cells by sex"), default=False)
    by_age = models.BooleanField(_("cells by age band"), default=False)
    population = models.JSONField()  # {cell ("stratum region id[-sex][-age band]"): adults with a phone}
    quotas = models.JSONField()  # {cell: cases drawn}
    groups = models.JSONField(default=dict)  # {cell: the campaign's evaluator group for it}
    excluded = models.PositiveIntegerField(default=0)  # people left out as called within exclusion_days
    interviewers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.CALLING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class CaseScoped(ScopedQuerySet):
    region_path = "survey__region__path"


WAITING = Q(released=True, final=False, interviewer__isnull=True)  # a case anyone may take when it is due


class Case(models.Model):
    """A sampled person: released for calling (the sample, then replacements in their order as cases end without
    an interview), their attempts, and the final outcome."""

    class Outcome(models.TextChoices):
        COMPLETE = "complete", _("Complete")
        PARTIAL = "partial", _("Partial")
        REFUSAL = "refusal", _("Refusal")
        NO_ANSWER = "no_answer", _("No answer")
        BUSY = "busy", _("Busy")
        CALLBACK = "callback", _("Call back later")
        WRONG_NUMBER = "wrong_number", _("Wrong number")
        INELIGIBLE = "ineligible", _("Not eligible")

    RETRY = {Outcome.NO_ANSWER, Outcome.BUSY, Outcome.CALLBACK}

    survey = models.ForeignKey(Survey, models.CASCADE, related_name="cases")
    stratum = models.ForeignKey("org.Region", models.PROTECT, related_name="+")
    cell = models.CharField(max_length=40)  # the stratum, with sex and age band where the design crosses them
    resident = models.ForeignKey("org.Resident", models.PROTECT, related_name="+")
    rank = models.PositiveIntegerField()  # its place in the cell's draw: below the quota, the sample
    released = models.BooleanField(default=False)
    interviewer = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    attempts = models.PositiveSmallIntegerField(default=0)
    next_call_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)  # the last attempt's
    final = models.BooleanField(default=False)
    back_checked = models.CharField(max_length=8, blank=True)  # "yes" / "no": did someone call you?
    dialled_at = models.DateTimeField(null=True, blank=True)  # the current call's start, for its length

    objects = CaseScoped.as_manager()

    class Meta:
        ordering = ["survey", "stratum", "rank"]
        constraints = [models.UniqueConstraint(fields=["survey", "resident"], name="case_once_per_survey")]
        indexes = [  # the queue: callbacks by their time, then numbers not yet called by their place in the draw
            models.Index(fields=["survey", "next_call_at"], condition=WAITING & Q(next_call_at__isnull=False), name="case_due"),
            models.Index(fields=["survey", "rank", "id"], condition=WAITING & Q(next_call_at__isnull=True), name="case_fresh"),
        ]


class Attempt(models.Model):
    """One call: who made it, when, and its outcome. Nothing of an interview's answers."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="calls")
    interviewer = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=12, choices=Case.Outcome.choices)

    class Meta:
        ordering = ["case", "at"]


class InterviewerStats(models.Model):
    """What quality control counts per interviewer, kept as each call ends and each ballot is keyed: calls
    completed and their length, ballots keyed and those answering every question of a subject alike. Counts only:
    nothing says which ballot an interviewer keyed."""

    survey = models.ForeignKey(Survey, models.CASCADE, related_name="stats")
    interviewer = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    completes = models.PositiveIntegerField(default=0)
    seconds = models.PositiveIntegerField(default=0)  # the completed calls' length, summed
    short = models.PositiveIntegerField(default=0)  # completed calls shorter than the questions take to read
    entered = models.PositiveIntegerField(default=0)
    straightlined = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "interviewer"], name="stats_once_per_interviewer")]


class Audit(models.Model):
    """A sample audit (抽样督评) of resolved problems or work-log entries of a region and period, drawn with the
    sampler every module uses and a recorded seed, each item checked on the ground."""

    class Kind(models.TextChoices):
        PROBLEMS = "problems", _("Resolved problems")
        LOGS = "logs", _("Work-log entries")

    kind = models.CharField(_("what to check"), max_length=10, choices=Kind.choices)
    region = models.ForeignKey("org.Region", models.PROTECT, related_name="+", verbose_name=_("region"))
    start = models.DateField(_("from"))
    end = models.DateField(_("until"))
    frame = models.PositiveIntegerField()  # records the draw was made from
    seed = models.CharField(max_length=64)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-drawn_at"]

    def __str__(self) -> str:
        return f"{self.region.name} {self.get_kind_display()} {self.start:%Y-%m-%d}—{self.end:%Y-%m-%d}"


class AuditItem(models.Model):
    class Verdict(models.TextChoices):
        PENDING = "", _("Not yet checked")
        CONFIRMED = "confirmed", _("Confirmed on the ground")
        PARTLY = "partly", _("Partly true")
        REFUTED = "refuted", _("Not true")

    audit = models.ForeignKey(Audit, models.CASCADE, related_name="items")
    ref = models.CharField(max_length=40)  # the problem's or entry's id
    label = models.CharField(max_length=300)
    verdict = models.CharField(max_length=10, choices=Verdict.choices, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["audit", "pk"]
        constraints = [models.UniqueConstraint(fields=["audit", "ref"], name="audit_item_once")]
