"""Public commitments (公开承诺践诺, seed 003) and duty reports (述职, seed 000).

Each month every staff member (a cadre), a unit, or a community as a whole files a commitment form: items with a
content, a measurable target, a deadline inside the month and a category. A form goes draft → submitted →
approved (or returned with a reason) → published on the public board of its region. Progress updates carry a
percentage, text and evidence files; an item ends kept, partly kept or not kept. Editing an approved item keeps
the earlier wording as a revision anyone can read. Residents rate published items through a campaign of the
ballots machinery (subject kind "commitment"), so a rating is as anonymous as a ballot: nothing here refers to a
code or a ballot. Each quarter the staff are scored and ranked within their sequence and awards are proposed
within the sequence's quotas, then confirmed by an organiser.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minping.org.models import ScopedQuerySet


class Sequence(models.Model):
    """Staff ranked together for the quarter's awards (seed 003: the 办(所) and the 管理区 sequences), with the
    number of each award the sequence gets."""

    region = models.ForeignKey("org.Region", models.PROTECT, related_name="+", verbose_name=_("region"))
    name = models.CharField(_("name"), max_length=100)
    innovation_quota = models.PositiveSmallIntegerField(_("innovation awards"), default=1)
    excellent_min = models.PositiveSmallIntegerField(_("excellence awards, at least"), default=3)
    excellent_max = models.PositiveSmallIntegerField(_("excellence awards, at most"), default=4)
    good_quota = models.PositiveSmallIntegerField(_("good work awards"), default=2)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="sequence_unique_name")]

    def __str__(self) -> str:
        return self.name


class FormQuerySet(ScopedQuerySet):
    def published(self):
        return self.filter(status=CommitmentForm.Status.PUBLISHED)


class CommitmentForm(models.Model):
    """One owner's commitments for one month (《机关全员月工作承诺表》). The owner is a cadre, a unit or a
    community as a whole (`collective`, for 双诺); `region` is the board it is posted on."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Sent back")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Posted")

    region = models.ForeignKey("org.Region", models.PROTECT, related_name="+", verbose_name=_("region"))
    cadre = models.ForeignKey("org.Cadre", models.PROTECT, null=True, blank=True, related_name="commitment_forms")
    unit = models.ForeignKey("org.Unit", models.PROTECT, null=True, blank=True, related_name="commitment_forms")
    collective = models.ForeignKey("org.Region", models.PROTECT, null=True, blank=True, related_name="commitment_forms")
    sequence = models.ForeignKey(Sequence, models.PROTECT, null=True, blank=True, related_name="forms", verbose_name=_("sequence"))
    month = models.DateField(_("month"))  # its first day
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    return_reason = models.TextField(_("reason for returning"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = FormQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cadre__isnull=False, unit__isnull=True, collective__isnull=True)
                | Q(cadre__isnull=True, unit__isnull=False, collective__isnull=True)
                | Q(cadre__isnull=True, unit__isnull=True, collective__isnull=False),
                name="commitment_form_one_owner",
            ),
            models.UniqueConstraint(fields=["cadre", "month"], condition=Q(cadre__isnull=False), name="commitment_form_cadre_month"),
            models.UniqueConstraint(fields=["unit", "month"], condition=Q(unit__isnull=False), name="commitment_form_unit_month"),
            models.UniqueConstraint(
                fields=["collective", "month"], condition=Q(collective__isnull=False), name="commitment_form_collective_month"
            ),
        ]
        indexes = [models.Index(fields=["month", "status"], name="commitment_form_month")]

    def __str__(self) -> str:
        return f"{self.owner}·{self.month:%Y年%-m月}"

    @property
    def owner(self):
        return self.cadre or self.unit or self.collective

    @property
    def owner_key(self) -> tuple[str, int]:
        if self.cadre_id:
            return ("cadre", self.cadre_id)
        if self.unit_id:
            return ("unit", self.unit_id)
        return ("collective", self.collective_id)


class ItemQuerySet(ScopedQuerySet):
    region_path = "form__region__path"

    def published(self):
        return self.filter(form__status=CommitmentForm.Status.PUBLISHED)


class Item(models.Model):
    """One commitment of a form."""

    class Category(models.TextChoices):
        KEY_WORK = "key_work", _("Key work")
        KEY_PROJECT = "key_project", _("Key project")
        SERVICE = "service", _("Service pledge")
        OTHER = "other", _("Other")

    class Outcome(models.TextChoices):
        OPEN = "open", _("In progress")
        KEPT = "kept", _("Kept")
        PARTLY = "partly", _("Partly kept")
        NOT_KEPT = "not_kept", _("Not kept")

    form = models.ForeignKey(CommitmentForm, models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices, default=Category.KEY_WORK)
    content = models.CharField(_("commitment"), max_length=500)
    target = models.CharField(_("measurable target"), max_length=300)
    deadline = models.DateField(_("deadline"))
    project = models.CharField(_("key project"), max_length=200, blank=True)
    place = models.ForeignKey("org.Region", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("linked region"))

    class Verification(models.TextChoices):
        SELF_REPORTED = "", _("Self-reported")
        CONFIRMED = "confirmed", _("Verified")
        PARTLY = "partly", _("Partly verified")
        REFUTED = "refuted", _("Claim refuted")

    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.OPEN)
    outcome_reason = models.CharField(_("reason"), max_length=500, blank=True)
    # What the office (or a sample audit on the ground) found of the owner's own report; reset by a new report.
    verification = models.CharField(_("verification"), max_length=10, choices=Verification.choices, blank=True, default="")
    revision = models.PositiveSmallIntegerField(default=1)

    objects = ItemQuerySet.as_manager()

    class Meta:
        ordering = ["form", "position", "pk"]

    def __str__(self) -> str:
        return self.content

    @property
    def is_self_reported(self) -> bool:
        """An outcome claimed by the owner that nobody has verified yet (shown as 自报)."""
        return self.outcome in {self.Outcome.KEPT, self.Outcome.PARTLY} and self.verification == self.Verification.SELF_REPORTED


class Revision(models.Model):
    """The wording an approved item had before an edit, with the reason for the change: the public board shows
    every revision."""

    item = models.ForeignKey(Item, models.CASCADE, related_name="revisions")
    number = models.PositiveSmallIntegerField()  # the revision this wording was
    category = models.CharField(max_length=12, choices=Item.Category.choices)
    content = models.CharField(max_length=500)
    target = models.CharField(max_length=300)
    deadline = models.DateField()
    reason = models.CharField(_("reason for the change"), max_length=300)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["item", "number"]
        constraints = [models.UniqueConstraint(fields=["item", "number"], name="revision_unique_number")]


class Progress(models.Model):
    """A progress update (践诺) with its evidence; the last of an item may state its outcome."""

    item = models.ForeignKey(Item, models.CASCADE, related_name="updates")
    percent = models.PositiveSmallIntegerField(_("progress (%)"))
    text = models.CharField(_("what was done"), max_length=1000)
    outcome = models.CharField(max_length=10, choices=Item.Outcome.choices, default=Item.Outcome.OPEN)
    evidence = models.ManyToManyField("evidence.Evidence", blank=True, related_name="+")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["item", "added_at", "pk"]


class Review(models.Model):
    """The office's verdict on an owner's claimed outcome (or a sample audit's, copied here): kept on the item's
    history, a refuted claim included."""

    item = models.ForeignKey(Item, models.CASCADE, related_name="reviews")
    claimed = models.CharField(max_length=10, choices=Item.Outcome.choices)
    verdict = models.CharField(_("verdict"), max_length=10, choices=Item.Verification.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(default=timezone.now)
    by_sample = models.BooleanField(default=False)

    class Meta:
        ordering = ["item", "reviewed_at", "pk"]


class SampleAudit(models.Model):
    """A random sample of a month's published items drawn for checking on the ground (抽样督评)."""

    region = models.ForeignKey("org.Region", models.PROTECT, related_name="+", verbose_name=_("region"))
    month = models.DateField()
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField(default=timezone.now)
    seed = models.CharField(max_length=64, blank=True)  # lib/sampling.draw's seed: the draw repeats from the items

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-drawn_at"]

    def __str__(self) -> str:
        return f"{self.region.name}{self.month:%Y年%-m月}抽样督评"


class Check(models.Model):
    class Verdict(models.TextChoices):
        PENDING = "", _("Not yet checked")
        CONFIRMED = "confirmed", _("Confirmed on the ground")
        PARTLY = "partly", _("Partly confirmed")
        REFUTED = "refuted", _("Not confirmed")

    sample = models.ForeignKey(SampleAudit, models.CASCADE, related_name="checks")
    item = models.ForeignKey(Item, models.CASCADE, related_name="checks")
    verdict = models.CharField(_("verdict"), max_length=10, choices=Verdict.choices, blank=True, default="")
    note = models.CharField(_("note"), max_length=500, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sample", "pk"]
        constraints = [models.UniqueConstraint(fields=["sample", "item"], name="check_once_per_sample")]


class Assessment(models.Model):
    """A quarter's assessment of a region's staff (奖诺): the weights used, then the scores and awards, proposed
    by the system and confirmed by an organiser."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed, not yet confirmed")
        CONFIRMED = "confirmed", _("Confirmed")

    region = models.ForeignKey("org.Region", models.PROTECT, related_name="+", verbose_name=_("region"))
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField()
    weights = models.JSONField()  # {"fulfilment": w, "verification": w, "rating": w}
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    computed_at = models.DateTimeField(default=timezone.now)
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    # An organiser may close a quarter for confirmation before it ends, with the reason on record.
    closed_early_reason = models.CharField(_("reason for closing early"), max_length=500, blank=True)
    closed_early_at = models.DateTimeField(null=True, blank=True)
    closed_early_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    notes = models.JSONField(default=list)  # why the proposal could not fill a quota, in words for the organiser

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-quarter"]
        constraints = [models.UniqueConstraint(fields=["region", "year", "quarter"], name="assessment_once_per_quarter")]

    def __str__(self) -> str:
        return f"{self.year}年第{self.quarter}季度"


class ConfirmedVersion(models.Model):
    """A confirmed quarter as it stood when an organiser reopened it: its awards, who confirmed them, and why it
    was reopened. The reopened quarter is confirmed again as a new version; both stay on record."""

    assessment = models.ForeignKey(Assessment, models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    scores = models.JSONField()  # [{"label", "sequence", "score", "rank", "proposed", "award"}]
    weights = models.JSONField()
    confirmed_at = models.DateTimeField()
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    reopened_at = models.DateTimeField(default=timezone.now)
    reopened_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    reason = models.CharField(_("reason for reopening"), max_length=500)

    class Meta:
        ordering = ["assessment", "number"]
        constraints = [models.UniqueConstraint(fields=["assessment", "number"], name="confirmed_version_unique_number")]


class Score(models.Model):
    class Award(models.TextChoices):
        NONE = "", _("No award")
        INNOVATION = "innovation", _("Award for hard work and innovation")
        EXCELLENT = "excellent", _("Excellence award")
        GOOD = "good", _("Good work award")

    assessment = models.ForeignKey(Assessment, models.CASCADE, related_name="scores")
    cadre = models.ForeignKey("org.Cadre", models.PROTECT, null=True, blank=True, related_name="+")
    unit = models.ForeignKey("org.Unit", models.PROTECT, null=True, blank=True, related_name="+")
    sequence = models.ForeignKey(Sequence, models.PROTECT, null=True, blank=True, related_name="+")
    label = models.CharField(max_length=200)
    items = models.PositiveSmallIntegerField()
    fulfilment = models.FloatField()
    verification = models.FloatField(null=True)
    rating = models.FloatField(null=True)
    score = models.FloatField()
    rank = models.PositiveSmallIntegerField()
    proposed = models.CharField(max_length=10, choices=Award.choices, blank=True, default="")
    award = models.CharField(_("award"), max_length=10, choices=Award.choices, blank=True, default="")

    class Meta:
        ordering = ["assessment", "sequence", "rank", "label"]


def duty_page_shown(campaign) -> bool:
    """Whether a campaign's public page of duty reports exists: once a report is written, or while voting is open."""
    return campaign.status == "open" or DutyReport.objects.filter(campaign=campaign).exists()


class DutyReport(models.Model):
    """A subject's duty report (述职) for a campaign, shown on the ballot page before voting."""

    campaign = models.ForeignKey("evaluations.Campaign", models.CASCADE, related_name="+")
    subject = models.OneToOneField("evaluations.Subject", models.CASCADE, related_name="duty_report")
    text = models.TextField(_("duty report"), max_length=20000)
    evidence = models.ForeignKey("evidence.Evidence", models.SET_NULL, null=True, blank=True, related_name="+")
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)


class Question(models.Model):
    """A resident's question to a subject of a campaign (问答), asked beforehand on the public page or at the
    meeting; anonymous unless the resident gave a name. It keeps the day it was asked, not the time, and nothing
    of the asker's address or browser."""

    campaign = models.ForeignKey("evaluations.Campaign", models.CASCADE, related_name="+")
    subject = models.ForeignKey("evaluations.Subject", models.CASCADE, related_name="questions")
    text = models.CharField(_("question"), max_length=1000)
    asker = models.CharField(_("name (optional)"), max_length=50, blank=True)
    at_meeting = models.BooleanField(default=False)
    asked_on = models.DateField(default=timezone.localdate)
    answer = models.TextField(_("answer"), max_length=5000, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["subject", "pk"]


class PledgeQuerySet(ScopedQuerySet):
    region_path = "community__path"


class Pledge(models.Model):
    """双诺: a community and a unit in it sign mutual commitments, a pair of forms with the signed agreement; at
    year end each reports and each evaluates the other through a campaign."""

    community = models.ForeignKey("org.Region", models.PROTECT, related_name="pledges", verbose_name=_("community"))
    unit = models.ForeignKey("org.Unit", models.PROTECT, related_name="pledges", verbose_name=_("unit"))
    year = models.PositiveSmallIntegerField(_("year"))
    community_form = models.OneToOneField(CommitmentForm, models.PROTECT, related_name="pledge_as_community")
    unit_form = models.OneToOneField(CommitmentForm, models.PROTECT, related_name="pledge_as_unit")
    agreement = models.ForeignKey("evidence.Evidence", models.PROTECT, null=True, blank=True, related_name="+")
    signed_on = models.DateField(_("signed on"))
    of_unit = models.ForeignKey("evaluations.Campaign", models.SET_NULL, null=True, blank=True, related_name="+")  # community rates unit
    of_community = models.ForeignKey("evaluations.Campaign", models.SET_NULL, null=True, blank=True, related_name="+")

    objects = PledgeQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "pk"]
        constraints = [models.UniqueConstraint(fields=["community", "unit", "year"], name="pledge_once_per_year")]

    def __str__(self) -> str:
        return f"{self.community.name}与{self.unit.name}{self.year}年双诺"


class Reminder(models.Model):
    """That an owner was reminded of a month's form (before it opens, before it closes): reminders are sent once."""

    class Kind(models.TextChoices):
        OPENS = "opens", _("Before the month opens")
        CLOSES = "closes", _("Before the month closes")

    month = models.DateField()
    kind = models.CharField(max_length=8, choices=Kind.choices)
    cadre = models.ForeignKey("org.Cadre", models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["month", "kind", "cadre"], name="reminder_once")]
