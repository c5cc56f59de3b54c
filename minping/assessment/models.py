"""The composite assessment (综合考核): a scheme per cohort, its inputs that people enter (superiors' rating
sheets, bonus and penalty items, custom indicators' actuals), runs with their snapshotted inputs and results,
calibration overrides, publication, appeals and follow-up actions. Figures of the other modules are read through
their public functions when a scheme is run (sources.py) and kept in the run's snapshot, never copied as tables.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minping.org.models import ScopedQuerySet


class Scheme(models.Model):
    """How one cohort is assessed for one year: its components and weights, grades, quota, vetoes and follow-up
    rules (`definition`, checked by schemes.clean_definition), and the raters of its superiors' sheets."""

    class Cohort(models.TextChoices):
        CADRE = "cadre", _("Cadres")
        UNIT = "unit", _("Departments")
        COMMUNITY = "community", _("Communities")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        RUN = "run", _("Run, not yet published")
        PUBLISHED = "published", _("Published")

    region = models.ForeignKey("org.Region", models.PROTECT, related_name="+", verbose_name=_("region"))
    name = models.CharField(_("name"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    cohort = models.CharField(_("cohort"), max_length=12, choices=Cohort.choices)
    template = models.CharField(max_length=40, blank=True)
    definition = models.JSONField()
    appeal_days = models.PositiveSmallIntegerField(_("days to appeal"), default=10)
    raters = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_run = models.ForeignKey("Run", models.PROTECT, null=True, blank=True, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "year", "name"], name="scheme_unique_name")]

    def __str__(self) -> str:
        return f"{self.year}年 {self.name}"

    @property
    def appeal_ends(self):
        return self.published_at + dt.timedelta(days=self.appeal_days) if self.published_at else None


class SchemeScoped(ScopedQuerySet):
    region_path = "scheme__region__path"


class Rating(models.Model):
    """One named rater's sheet for one member (上级考评): points 0–100 per criterion of the scheme."""

    scheme = models.ForeignKey(Scheme, models.CASCADE, related_name="ratings")
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    ref = models.BigIntegerField()  # the member's id within the scheme's cohort
    scores = models.JSONField()  # {criterion key: points}
    updated_at = models.DateTimeField(default=timezone.now)

    objects = SchemeScoped.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scheme", "rater", "ref"], name="rating_once_per_rater")]


class Adjustment(models.Model):
    """A bonus or penalty item (加减分) with its evidence; a finding (e.g. of a probity case) may veto the grade."""

    scheme = models.ForeignKey(Scheme, models.CASCADE, related_name="adjustments")
    ref = models.BigIntegerField()
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=300)
    evidence = models.CharField(_("evidence"), max_length=300)
    file = models.ForeignKey("evidence.Evidence", models.PROTECT, null=True, blank=True, related_name="+")
    veto = models.BooleanField(_("veto (一票否决)"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = SchemeScoped.as_manager()

    class Meta:
        ordering = ["created_at"]


class Measure(models.Model):
    """A custom indicator's actual for a member (the scheme's component says its target)."""

    scheme = models.ForeignKey(Scheme, models.CASCADE, related_name="measures")
    component = models.CharField(max_length=40)
    ref = models.BigIntegerField()
    actual = models.FloatField(_("actual"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    objects = SchemeScoped.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scheme", "component", "ref"], name="measure_once")]


class Run(models.Model):
    """One computation of a scheme: the definition and every input as they stood (so its results recompute
    exactly), and why it was run again (a correction, an appeal)."""

    scheme = models.ForeignKey(Scheme, models.CASCADE, related_name="runs")
    number = models.PositiveSmallIntegerField()
    ran_at = models.DateTimeField(default=timezone.now)
    ran_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    reason = models.CharField(max_length=500, blank=True)
    definition = models.JSONField()
    inputs = models.JSONField()
    notes = models.JSONField(default=list)  # what the grades could not follow, in words

    objects = SchemeScoped.as_manager()

    class Meta:
        ordering = ["scheme", "-number"]
        constraints = [models.UniqueConstraint(fields=["scheme", "number"], name="run_unique_number")]

    def __str__(self) -> str:
        return f"{self.scheme} 第{self.number}次计算"


class ResultScoped(ScopedQuerySet):
    region_path = "run__scheme__region__path"


class Result(models.Model):
    """A member's score in a run: each component's contribution, the grade proposed and the grade given (an
    override carries its reason), the rank within the category and the follow-up actions proposed."""

    run = models.ForeignKey(Run, models.CASCADE, related_name="results")
    ref = models.BigIntegerField()
    cadre = models.ForeignKey("org.Cadre", models.PROTECT, null=True, blank=True, related_name="+")
    label = models.CharField(max_length=200)
    detail = models.CharField(max_length=200, blank=True)
    category = models.CharField(max_length=100, blank=True)
    score = models.FloatField(null=True)
    parts = models.JSONField()  # [{key, label, weight, value, points, contribution, missing, source, text}]
    adjustment = models.FloatField(default=0)
    rank = models.PositiveIntegerField(null=True)
    proposed = models.CharField(max_length=20, blank=True)
    grade = models.CharField(max_length=20, blank=True)
    reasons = models.JSONField(default=list)  # why the proposed grade is what it is, in words
    follow_ups = models.JSONField(default=list)  # [{kind, rule}]
    override_reason = models.CharField(max_length=500, blank=True)
    overridden_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")

    objects = ResultScoped.as_manager()

    class Meta:
        ordering = ["run", "category", "rank", "label"]
        constraints = [models.UniqueConstraint(fields=["run", "ref"], name="result_once_per_run")]
        indexes = [models.Index(fields=["cadre"], name="result_cadre")]

    def __str__(self) -> str:
        return self.label


class ResultRecordScoped(ScopedQuerySet):
    region_path = "result__run__scheme__region__path"


class Appeal(models.Model):
    """申诉/复核: a cadre's appeal against a published result, and the organiser's decision. A decision that
    changes the result points at the run made with corrected inputs; both runs stay on record."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for review")
        UPHELD = "upheld", _("Result upheld")
        CHANGED = "changed", _("Result changed")

    result = models.ForeignKey(Result, models.PROTECT, related_name="appeals")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(default=timezone.now)
    text = models.TextField(_("grounds"), max_length=4000)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    decision = models.TextField(_("decision"), max_length=4000, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    rerun = models.ForeignKey(Run, models.PROTECT, null=True, blank=True, related_name="+")

    objects = ResultRecordScoped.as_manager()

    class Meta:
        ordering = ["-filed_at"]


class FollowUp(models.Model):
    """A follow-up action (诫勉谈话, 调整, 一线锻炼) for a published result: the rule that proposed it, when it is
    due and what was done."""

    result = models.ForeignKey(Result, models.PROTECT, related_name="actions")
    kind = models.CharField(_("action"), max_length=40)
    rule = models.CharField(max_length=300)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    note = models.CharField(_("record"), max_length=1000, blank=True)

    objects = ResultRecordScoped.as_manager()

    class Meta:
        ordering = ["result__label", "kind"]
