import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

MAX_LISTED_PROBLEMS = 1000


class ImportJobQuerySet(models.QuerySet):
    def for_user(self, user):
        return self if user.is_system_admin else self.filter(created_by=user)


class ImportJob(models.Model):
    """One upload of one register: validated into a cleaned file (preview), then loaded in one transaction."""

    class Status(models.TextChoices):
        VALIDATING = "validating", _("Checking")
        INVALID = "invalid", _("Has problems")
        VALID = "valid", _("Ready to import")
        COMMITTING = "committing", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    register = models.CharField(_("register"), max_length=20)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="import_jobs")
    original_name = models.CharField(_("file"), max_length=255)
    format = models.CharField(max_length=8)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.VALIDATING)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    problem_count = models.PositiveIntegerField(_("problems"), default=0)
    problems = models.JSONField(default=list)  # [{"row": 3, "column": "身份证号", "reason": "..."}], first 1000
    preview = models.JSONField(default=list)  # first rows as cleaned, for the person to look at
    result = models.JSONField(default=dict)  # {"created": n, "updated": n, "unchanged": n}
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.register} {self.original_name}"

    @property
    def upload_path(self):
        return settings.MEDIA_ROOT / "imports" / f"{self.pk}.upload"

    @property
    def is_running(self) -> bool:
        return self.status in {self.Status.VALIDATING, self.Status.COMMITTING}

    @property
    def progress_key(self) -> str:
        return f"import-progress:{self.pk}"
