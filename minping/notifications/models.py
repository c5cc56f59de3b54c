"""The log of messages sent to people: to whom, by which channel, about what, and whether it went out.

The text itself is never kept: a message may carry a one-time code, and a log of which code went to whom would
undo the secrecy of the ballot. `topic` is a title the sender chooses that holds no secret."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SentMessage(models.Model):
    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("No address")

    channel = models.CharField(_("channel"), max_length=8)
    recipient = models.CharField(_("recipient"), max_length=200)  # a name as the module knows the person
    address = models.CharField(_("address"), max_length=200, blank=True)
    topic = models.CharField(_("topic"), max_length=200)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices)
    error = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(_("time"), auto_now_add=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("sent message")
        verbose_name_plural = _("sent messages")

    def __str__(self) -> str:
        return f"{self.topic} → {self.recipient}"
