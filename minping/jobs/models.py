"""The state of each scheduled job (lib/schedule.py) and a history of its runs."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    OK = "ok", _("Succeeded")
    FAILED = "failed", _("Failed")


class JobState(models.Model):
    """One row per job. A run is claimed by setting `lease_token` until `lease_until`: while the lease holds, no
    other process can claim the job, so it never runs twice at once."""

    key = models.CharField(max_length=64, primary_key=True)
    next_run_at = models.DateTimeField(_("next run"), null=True)
    lease_until = models.DateTimeField(null=True)
    lease_token = models.CharField(max_length=32, blank=True)
    last_started_at = models.DateTimeField(_("last run"), null=True)
    last_finished_at = models.DateTimeField(null=True)
    last_outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices, blank=True)
    last_error = models.TextField(blank=True)
    last_result = models.JSONField(default=dict)
    failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    runs = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["key"]


class JobRun(models.Model):
    key = models.CharField(max_length=64)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    error = models.TextField(blank=True)
    result = models.JSONField(default=dict)

    class Meta:
        ordering = ["-pk"]
        indexes = [models.Index(fields=["key", "-started_at"], name="jobrun_key_started")]
