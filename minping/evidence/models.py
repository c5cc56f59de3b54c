"""Evidence files any module attaches to its records (a photo of a fixed street lamp, a signed PDF): who uploaded
it, the region it belongs to (which decides who may see it), what it is and where it lies. The bytes live under
MEDIA_ROOT/evidence, outside the web root, readable by the service's user only, and reach a browser only through
`evidence.views.download`, which checks the viewer's scope."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minping.org.models import ScopedQuerySet


class Evidence(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="evidence")
    region = models.ForeignKey("org.Region", models.PROTECT, related_name="+", verbose_name=_("region"))
    purpose = models.CharField(max_length=64)  # the module's word for what it is evidence of, e.g. "commitment.progress"
    is_public = models.BooleanField(default=False)  # shown to anyone (a public board's photo)
    kind = models.CharField(max_length=8)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    name = models.CharField(_("file"), max_length=200)  # the uploader's name for it, cleaned, with the real extension
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "created_at"], name="evidence_owner")]

    def __str__(self) -> str:
        return self.name

    @property
    def path(self):
        return settings.MEDIA_ROOT / "evidence" / self.created_at.strftime("%Y/%m") / f"{self.pk}.{self.name.rsplit('.', 1)[-1]}"
