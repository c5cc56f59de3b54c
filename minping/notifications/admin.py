from django.contrib import admin

from minping.notifications.models import SentMessage


@admin.register(SentMessage)
class SentMessageAdmin(admin.ModelAdmin):
    """The log of sent messages, read-only: what went to whom, never the text."""

    list_display = ["sent_at", "channel", "recipient", "address", "topic", "status"]
    list_filter = ["channel", "status"]
    search_fields = ["recipient", "address", "topic"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
