from django.contrib import admin

from minping.audit.admin import ReadOnlyAdmin
from minping.notifications.models import SentMessage


@admin.register(SentMessage)
class SentMessageAdmin(ReadOnlyAdmin):
    """The log of sent messages: what went to whom, never the text."""

    list_display = ["sent_at", "channel", "recipient", "address", "topic", "status"]
    list_filter = ["channel", "status"]
    search_fields = ["recipient", "address", "topic"]
